-- Partner webhooks: the key of x-360dialog-signature, and when a signed-up
-- channel reaches each status (its status and modified_at are computed from
-- these on read; NULL: no such step ahead, the stored status stands).
ALTER TABLE dlg_partners ADD COLUMN webhook_secret TEXT NOT NULL DEFAULT '';
ALTER TABLE dlg_channels ADD COLUMN submitted_at TEXT;
ALTER TABLE dlg_channels ADD COLUMN ready_at TEXT;
ALTER TABLE dlg_channels ADD COLUMN running_at TEXT;
CREATE INDEX dlg_channels_phone ON dlg_channels (phone_number);
