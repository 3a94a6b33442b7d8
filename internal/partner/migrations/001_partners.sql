CREATE TABLE dlg_partners (
    id                             TEXT PRIMARY KEY,
    api_key                        TEXT NOT NULL UNIQUE,
    brand_name                     TEXT NOT NULL,
    payment_required               INTEGER NOT NULL,
    logo_url                       TEXT,
    onboarding_deeplink_add_params INTEGER NOT NULL,
    webhook_url                    TEXT NOT NULL,
    partner_redirect_url           TEXT NOT NULL,
    country                        TEXT NOT NULL,
    blocked_new_submission         INTEGER NOT NULL,
    allow_client_to_add_phone_no   INTEGER NOT NULL,
    settings                       TEXT,  -- JSON object, or NULL
    billing_system                 TEXT NOT NULL,
    publishable_key                TEXT
);

CREATE TABLE dlg_hub_users (
    email      TEXT PRIMARY KEY COLLATE NOCASE,
    password   TEXT NOT NULL,
    partner_id TEXT NOT NULL REFERENCES dlg_partners (id) ON DELETE CASCADE
);
