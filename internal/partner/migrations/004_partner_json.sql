-- The partner object as the API writes it, kept in parts so that GET and
-- PATCH answer it verbatim (partnerJSONSQL): what only the fixtures set
-- (json_head, json_mid, json_tail) is written by the seed, the two URLs'
-- JSON strings by every write that sets them, in the same statement. All
-- are encoded in Go, so the bytes are encoding/json's. NULL (a row from
-- before this migration): the object is encoded from the columns.
ALTER TABLE dlg_partners ADD COLUMN json_head TEXT;
ALTER TABLE dlg_partners ADD COLUMN json_webhook_url TEXT;
ALTER TABLE dlg_partners ADD COLUMN json_partner_redirect_url TEXT;
ALTER TABLE dlg_partners ADD COLUMN json_mid TEXT;
ALTER TABLE dlg_partners ADD COLUMN json_tail TEXT;
