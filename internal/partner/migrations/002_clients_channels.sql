-- A partner's clients (360dialog Client Hub accounts) and their WhatsApp channels.
CREATE TABLE dlg_clients (
    id              TEXT PRIMARY KEY,
    partner_id      TEXT NOT NULL REFERENCES dlg_partners (id) ON DELETE CASCADE,
    name            TEXT NOT NULL,
    status          TEXT NOT NULL,
    created_at      TEXT NOT NULL,
    modified_at     TEXT NOT NULL,
    contact_email   TEXT NOT NULL,
    contact_name    TEXT NOT NULL,
    max_channels    INTEGER NOT NULL,
    partner_payload TEXT
);
CREATE INDEX dlg_clients_partner ON dlg_clients (partner_id, created_at, id);

CREATE TABLE dlg_channels (
    id           TEXT PRIMARY KEY,
    partner_id   TEXT NOT NULL REFERENCES dlg_partners (id) ON DELETE CASCADE,
    client_id    TEXT NOT NULL REFERENCES dlg_clients (id) ON DELETE CASCADE,
    status       TEXT NOT NULL,
    account_mode TEXT NOT NULL,
    phone_number TEXT NOT NULL,
    phone_name   TEXT NOT NULL,
    waba_id      TEXT NOT NULL,
    waba_name    TEXT NOT NULL,
    created_at   TEXT NOT NULL,
    modified_at  TEXT NOT NULL
);
CREATE INDEX dlg_channels_partner ON dlg_channels (partner_id, created_at, id);
