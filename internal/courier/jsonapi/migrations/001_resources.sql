-- Every resource lives in one generic table: the engine's table of
-- resource types says which attributes each type has; attrs holds them as JSON.
-- The columns are what lists scope, filter and order by, so they are indexed.
CREATE TABLE cr_resources (
    type       TEXT NOT NULL,
    id         TEXT NOT NULL,
    org_id     TEXT NOT NULL DEFAULT '',  -- the owning organization (scoping)
    parent_id  TEXT NOT NULL DEFAULT '',  -- the parent resource (a part's widget, ...)
    created_at TEXT NOT NULL,             -- fixed-width UTC, so text order is time order
    text       TEXT NOT NULL DEFAULT '',  -- lower-cased text that filter[text] searches
    attrs      TEXT NOT NULL DEFAULT '{}',
    PRIMARY KEY (type, id)
) WITHOUT ROWID;
CREATE INDEX cr_resources_org ON cr_resources (type, org_id, created_at, id);
CREATE INDEX cr_resources_parent ON cr_resources (type, parent_id, created_at, id);

-- Row counts per (type, organization, parent), kept by triggers, so that the
-- page[total] of an unfiltered list does not count every row.
CREATE TABLE cr_counts (
    type      TEXT NOT NULL,
    org_id    TEXT NOT NULL,
    parent_id TEXT NOT NULL,
    n         INTEGER NOT NULL,
    PRIMARY KEY (type, org_id, parent_id)
) WITHOUT ROWID;

CREATE TRIGGER cr_resources_ins AFTER INSERT ON cr_resources BEGIN
    INSERT INTO cr_counts (type, org_id, parent_id, n) VALUES (NEW.type, NEW.org_id, NEW.parent_id, 1)
        ON CONFLICT (type, org_id, parent_id) DO UPDATE SET n = n + 1;
END;
-- A delete only decrements: a reset may empty cr_counts before cr_resources.
CREATE TRIGGER cr_resources_del AFTER DELETE ON cr_resources BEGIN
    UPDATE cr_counts SET n = n - 1 WHERE type = OLD.type AND org_id = OLD.org_id AND parent_id = OLD.parent_id;
END;
CREATE TRIGGER cr_resources_move AFTER UPDATE OF org_id, parent_id ON cr_resources BEGIN
    UPDATE cr_counts SET n = n - 1 WHERE type = OLD.type AND org_id = OLD.org_id AND parent_id = OLD.parent_id;
    INSERT INTO cr_counts (type, org_id, parent_id, n) VALUES (NEW.type, NEW.org_id, NEW.parent_id, 1)
        ON CONFLICT (type, org_id, parent_id) DO UPDATE SET n = n + 1;
END;

-- Relations between resources, named by rel: organization members (user →
-- organization) and whatever relations the vendor's hooks keep.
CREATE TABLE cr_links (
    rel        TEXT NOT NULL,
    from_id    TEXT NOT NULL,
    to_id      TEXT NOT NULL,
    created_at TEXT NOT NULL,
    attrs      TEXT NOT NULL DEFAULT '{}',
    PRIMARY KEY (rel, from_id, to_id)
) WITHOUT ROWID;
CREATE INDEX cr_links_to ON cr_links (rel, to_id, from_id);

-- Bearer tokens and the users they authenticate (the vendor's authentication
-- reads them).
CREATE TABLE cr_tokens (
    token   TEXT PRIMARY KEY,
    user_id TEXT NOT NULL
) WITHOUT ROWID;
-- Lists over several organizations walk a type in time order.
CREATE INDEX cr_resources_time ON cr_resources (type, created_at, id);
