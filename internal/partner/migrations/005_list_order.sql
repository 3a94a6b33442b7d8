-- The lists' default order is by id: these read a partner's page in that
-- order and stop at it, where (partner_id, created_at, id) needed a sort of
-- all the partner's rows.
CREATE INDEX dlg_clients_partner_id ON dlg_clients (partner_id, id);
CREATE INDEX dlg_channels_partner_id ON dlg_channels (partner_id, id);
