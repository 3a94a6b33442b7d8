-- GreenArrow Studio: organizations, the API keys that belong to them, the objects
-- an organization's permissions and auto subscriber management refer to, the
-- messages sent (the source of the messages_sent reports and of quota
-- enforcement) and the pending delete confirmation codes.

CREATE TABLE ga_organizations (
    id                         INTEGER PRIMARY KEY AUTOINCREMENT,
    name                       TEXT NOT NULL,
    name_key                   TEXT NOT NULL UNIQUE, -- the name folded to lower case: names are unique case-insensitively
    active                     INTEGER NOT NULL,
    anniversary_day            INTEGER NOT NULL,
    time_zone                  TEXT NOT NULL,        -- the Rails zone name, without its "(GMT...)" prefix
    html_header                TEXT NOT NULL,
    html_footer                TEXT NOT NULL,
    text_header                TEXT NOT NULL,
    text_footer                TEXT NOT NULL,
    custom_headers             TEXT NOT NULL,
    permissions                TEXT NOT NULL,        -- JSON, references resolved to full objects
    auto_subscriber_management TEXT NOT NULL,        -- JSON
    sending_quota              TEXT NOT NULL,        -- JSON; its mode drives credits and enforcement
    subscriber_quota           TEXT NOT NULL,        -- JSON
    credits_available          INTEGER NOT NULL DEFAULT 0 CHECK (credits_available >= 0),
    lifetime_messages_sent     INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE ga_api_keys (
    id              INTEGER PRIMARY KEY,
    name            TEXT NOT NULL,
    secret          TEXT NOT NULL,
    role            TEXT NOT NULL CHECK (role IN ('system_admin', 'organization_admin')),
    organization_id INTEGER NOT NULL REFERENCES ga_organizations (id) ON DELETE CASCADE,
    active          INTEGER NOT NULL
);

CREATE TABLE ga_virtual_mtas (
    id   INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    type TEXT NOT NULL CHECK (type IN ('ip_address', 'relay_server', 'routing_rule'))
);

CREATE TABLE ga_url_domains (
    id     INTEGER PRIMARY KEY,
    domain TEXT NOT NULL UNIQUE
);

CREATE TABLE ga_bounce_emails (
    id    TEXT PRIMARY KEY,
    email TEXT NOT NULL UNIQUE
);

CREATE TABLE ga_suppression_lists (
    id   INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE
);

CREATE TABLE ga_sends (
    id                 INTEGER PRIMARY KEY AUTOINCREMENT,
    organization_id    INTEGER NOT NULL REFERENCES ga_organizations (id) ON DELETE CASCADE,
    sent_at            INTEGER NOT NULL, -- unix seconds
    campaign_id        INTEGER,
    campaign_name      TEXT,
    autoresponder_id   INTEGER,
    autoresponder_name TEXT,
    messages           INTEGER NOT NULL CHECK (messages > 0),
    CHECK ((campaign_id IS NULL) <> (autoresponder_id IS NULL))
);
CREATE INDEX ga_sends_org_time ON ga_sends (organization_id, sent_at);

CREATE TABLE ga_delete_codes (
    code            TEXT PRIMARY KEY,
    organization_id INTEGER NOT NULL REFERENCES ga_organizations (id) ON DELETE CASCADE,
    expires_at      INTEGER NOT NULL -- unix seconds; the code is valid strictly before
);
