-- A client's object as the clients list writes it, encoded in Go by the
-- write that inserts it (clients are never updated), so the list answers it
-- verbatim. NULL (a row from before this migration): the list encodes its
-- clients from the columns.
ALTER TABLE dlg_clients ADD COLUMN json TEXT;
