-- LoopMessage: accounts own organizations; the Default organization is the
-- account's first (is_default = 1, exactly one per account).
CREATE TABLE lm_accounts (
    id            TEXT PRIMARY KEY,
    name          TEXT NOT NULL,
    last_order_at TEXT            -- the last accepted sender order, for the 30-second rule
);

CREATE TABLE lm_organizations (
    seq            INTEGER PRIMARY KEY AUTOINCREMENT, -- creation order, breaks create_date ties
    id             TEXT NOT NULL UNIQUE,
    account_id     TEXT NOT NULL REFERENCES lm_accounts (id) ON DELETE CASCADE,
    is_default     INTEGER NOT NULL DEFAULT 0,
    name           TEXT NOT NULL,
    website        TEXT NOT NULL,
    support_url    TEXT NOT NULL,
    country        TEXT NOT NULL,
    webhook_url    TEXT,
    webhook_header TEXT,
    api_key        TEXT NOT NULL UNIQUE,
    status         TEXT NOT NULL DEFAULT 'active',
    create_date    TEXT NOT NULL  -- UTC, "2006-01-02T15:04:05Z": sorts as text
);
CREATE INDEX lm_organizations_account ON lm_organizations (account_id, create_date, seq);

CREATE TABLE lm_plans (
    seq              INTEGER PRIMARY KEY AUTOINCREMENT,
    id               TEXT NOT NULL UNIQUE,
    name             TEXT NOT NULL,
    daily_contacts   INTEGER NOT NULL,
    monthly_contacts INTEGER NOT NULL,
    monthly_fee_cents INTEGER NOT NULL,
    currency         TEXT NOT NULL
);

CREATE TABLE lm_senders (
    seq             INTEGER PRIMARY KEY AUTOINCREMENT,
    id              TEXT NOT NULL UNIQUE,
    account_id      TEXT NOT NULL REFERENCES lm_accounts (id) ON DELETE CASCADE,
    organization_id TEXT NOT NULL REFERENCES lm_organizations (id) ON DELETE CASCADE,
    name            TEXT NOT NULL,
    status          TEXT NOT NULL CHECK (status IN ('active', 'pending', 'canceled', 'suspended')),
    create_date     TEXT NOT NULL,
    plan_id         TEXT,
    activate_at     TEXT  -- a test order: pending until then, active from then on
);
CREATE INDEX lm_senders_org ON lm_senders (organization_id, create_date, seq);
CREATE INDEX lm_senders_account ON lm_senders (account_id, create_date, seq);
CREATE INDEX lm_senders_activation ON lm_senders (activate_at) WHERE activate_at IS NOT NULL;

CREATE TABLE lm_pools (
    seq             INTEGER PRIMARY KEY AUTOINCREMENT,
    id              TEXT NOT NULL UNIQUE,
    account_id      TEXT NOT NULL REFERENCES lm_accounts (id) ON DELETE CASCADE,
    organization_id TEXT NOT NULL REFERENCES lm_organizations (id) ON DELETE CASCADE,
    name            TEXT NOT NULL,
    status          TEXT NOT NULL DEFAULT 'active',
    create_date     TEXT NOT NULL
);
CREATE INDEX lm_pools_org ON lm_pools (organization_id, create_date, seq);

CREATE TABLE lm_pool_senders (
    pool_id   TEXT NOT NULL REFERENCES lm_pools (id) ON DELETE CASCADE,
    sender_id TEXT NOT NULL REFERENCES lm_senders (id) ON DELETE CASCADE,
    PRIMARY KEY (pool_id, sender_id)
);
CREATE INDEX lm_pool_senders_sender ON lm_pool_senders (sender_id);
