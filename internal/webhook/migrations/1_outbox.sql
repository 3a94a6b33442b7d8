-- The outbox: every call the emulated vendors make to their customers'
-- receivers (wh_events), and every attempt to make it (wh_attempts). Times
-- are emulated, in Unix nanoseconds.
CREATE TABLE wh_events (
    id         TEXT PRIMARY KEY,
    vendor     TEXT NOT NULL,
    type       TEXT NOT NULL,
    url        TEXT NOT NULL,
    headers    TEXT NOT NULL,           -- JSON object, sent as they are
    body       BLOB NOT NULL,           -- sent byte for byte (signatures cover it)
    scope      TEXT NOT NULL DEFAULT '',-- who sees it through the vendor's own API
    only_200   INTEGER NOT NULL,        -- 1: only 200 is delivered; 0: any 2xx
    retries    TEXT NOT NULL,           -- JSON array: emulated seconds before each retry
    status     TEXT NOT NULL,           -- pending, delivered, failed, skipped
    created_at INTEGER NOT NULL
);
CREATE INDEX wh_events_scope ON wh_events (vendor, scope);

CREATE TABLE wh_attempts (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    event_id        TEXT NOT NULL REFERENCES wh_events (id) ON DELETE CASCADE,
    attempt         INTEGER NOT NULL,   -- 1 for the first, then one more per retry or redelivery
    manual          INTEGER NOT NULL DEFAULT 0, -- a redelivery: no retries follow it
    scheduled_at    INTEGER NOT NULL,
    sent_at         INTEGER,
    status          TEXT NOT NULL,      -- pending, delivered, failed, skipped
    response_status INTEGER,
    error           TEXT,
    request_headers TEXT                -- JSON object, once sent
);
-- The worker seeks the next due attempt; the log and the history page by id.
CREATE INDEX wh_attempts_due ON wh_attempts (scheduled_at) WHERE status = 'pending';
CREATE INDEX wh_attempts_event ON wh_attempts (event_id, attempt);
CREATE INDEX wh_attempts_status ON wh_attempts (status, id);
