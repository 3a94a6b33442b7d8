-- Messages and channels move out of cr_resources into tables of their own,
-- with the same columns (the engine reads and writes every table alike; the
-- type's entry names its table). Posting a message writes a message and
-- updates its channel several times (its message count, its latest ack-time,
-- its last-modified-time), and SQLite weighs each row written to a table
-- against every index of that table: cr_resources has one index per
-- documented filter of every type (about 80), so each of those writes cost
-- the upkeep of all of them. In a table of its own a type pays only for its
-- own indexes.
--
-- What a post changes on a channel is a column, not an attribute: writing
-- the attributes made SQLite recompute each of the channel's ~15 indexes on
-- them, where a column's change touches its own index only. Its message
-- count, latest ack-time and bookmark flag were the hidden attributes
-- "_message-count", "_ack-time" and "_bookmarked" (migrations 100 and 102);
-- its last-modified-time is an attribute the engine sets back into what it
-- reads (the entry's Columns).
--
-- The counts (cr_counts) are kept as cr_resources' triggers keep them; moving
-- a row adds it to the new table (+1) and deletes it from cr_resources (-1).
-- The triggers that keep messaging counts (100, 102) are made again on the
-- new tables and columns, and so are the types' indexes (102, 103), under the
-- same names; cr_channels_upd, which set the hidden attributes again when a
-- channel's attributes were written whole, has nothing left to do.

CREATE TABLE cr_messaging_messages (
    type       TEXT NOT NULL,
    id         TEXT NOT NULL,
    org_id     TEXT NOT NULL DEFAULT '',
    parent_id  TEXT NOT NULL DEFAULT '',
    created_at TEXT NOT NULL,
    text       TEXT NOT NULL DEFAULT '',
    attrs      TEXT NOT NULL DEFAULT '{}',
    PRIMARY KEY (type, id)
) WITHOUT ROWID;
CREATE INDEX cr_messaging_messages_org ON cr_messaging_messages (type, org_id, created_at, id);
CREATE INDEX cr_messaging_messages_parent ON cr_messaging_messages (type, parent_id, created_at, id);
CREATE INDEX cr_messaging_messages_time ON cr_messaging_messages (type, created_at, id);
CREATE TRIGGER cr_messaging_messages_ins AFTER INSERT ON cr_messaging_messages BEGIN
    INSERT INTO cr_counts (type, org_id, parent_id, n) VALUES (NEW.type, NEW.org_id, NEW.parent_id, 1)
        ON CONFLICT (type, org_id, parent_id) DO UPDATE SET n = n + 1;
END;
CREATE TRIGGER cr_messaging_messages_del AFTER DELETE ON cr_messaging_messages BEGIN
    UPDATE cr_counts SET n = n - 1 WHERE type = OLD.type AND org_id = OLD.org_id AND parent_id = OLD.parent_id;
END;
CREATE TRIGGER cr_messaging_messages_move AFTER UPDATE OF org_id, parent_id ON cr_messaging_messages BEGIN
    UPDATE cr_counts SET n = n - 1 WHERE type = OLD.type AND org_id = OLD.org_id AND parent_id = OLD.parent_id;
    INSERT INTO cr_counts (type, org_id, parent_id, n) VALUES (NEW.type, NEW.org_id, NEW.parent_id, 1)
        ON CONFLICT (type, org_id, parent_id) DO UPDATE SET n = n + 1;
END;

CREATE TABLE cr_messaging_channels (
    type       TEXT NOT NULL,
    id         TEXT NOT NULL,
    org_id     TEXT NOT NULL DEFAULT '',
    parent_id  TEXT NOT NULL DEFAULT '',
    created_at TEXT NOT NULL,
    text       TEXT NOT NULL DEFAULT '',
    attrs      TEXT NOT NULL DEFAULT '{}',
    -- what every post changes on its channel (see above); message_count,
    -- ack_time and bookmarked are kept by the triggers below, never answered
    message_count INTEGER NOT NULL DEFAULT 0, -- its messages
    ack_time      TEXT,                       -- the latest ack-time of its read marks
    bookmarked    INTEGER NOT NULL DEFAULT 0, -- 1 when it has a bookmark
    last_modified TEXT,                       -- its last-modified-time
    PRIMARY KEY (type, id)
) WITHOUT ROWID;
CREATE INDEX cr_messaging_channels_org ON cr_messaging_channels (type, org_id, created_at, id);
CREATE INDEX cr_messaging_channels_parent ON cr_messaging_channels (type, parent_id, created_at, id);
CREATE INDEX cr_messaging_channels_time ON cr_messaging_channels (type, created_at, id);
CREATE TRIGGER cr_messaging_channels_ins AFTER INSERT ON cr_messaging_channels BEGIN
    INSERT INTO cr_counts (type, org_id, parent_id, n) VALUES (NEW.type, NEW.org_id, NEW.parent_id, 1)
        ON CONFLICT (type, org_id, parent_id) DO UPDATE SET n = n + 1;
END;
CREATE TRIGGER cr_messaging_channels_del AFTER DELETE ON cr_messaging_channels BEGIN
    UPDATE cr_counts SET n = n - 1 WHERE type = OLD.type AND org_id = OLD.org_id AND parent_id = OLD.parent_id;
END;
CREATE TRIGGER cr_messaging_channels_move AFTER UPDATE OF org_id, parent_id ON cr_messaging_channels BEGIN
    UPDATE cr_counts SET n = n - 1 WHERE type = OLD.type AND org_id = OLD.org_id AND parent_id = OLD.parent_id;
    INSERT INTO cr_counts (type, org_id, parent_id, n) VALUES (NEW.type, NEW.org_id, NEW.parent_id, 1)
        ON CONFLICT (type, org_id, parent_id) DO UPDATE SET n = n + 1;
END;

DROP TRIGGER cr_messages_ins;
DROP TRIGGER cr_messages_upd;
DROP TRIGGER cr_messages_del;
DROP TRIGGER cr_channels_ins;
DROP TRIGGER cr_channels_upd;
DROP TRIGGER cr_bookmarks_ins;
DROP TRIGGER cr_bookmarks_upd;
DROP TRIGGER cr_bookmarks_del;
DROP TRIGGER cr_read_ins;
DROP TRIGGER cr_read_upd;
DROP TRIGGER cr_read_move;
DROP TRIGGER cr_read_ack_time;
DROP TRIGGER cr_read_ack_time_upd;
DROP TRIGGER cr_read_ack_time_del;

INSERT INTO cr_messaging_messages (type, id, org_id, parent_id, created_at, text, attrs)
SELECT type, id, org_id, parent_id, created_at, text, attrs FROM cr_resources WHERE type = 'messaging-messages';
INSERT INTO cr_messaging_channels (type, id, org_id, parent_id, created_at, text, attrs,
    message_count, ack_time, bookmarked, last_modified)
SELECT type, id, org_id, parent_id, created_at, text,
    json_remove(attrs, '$."_message-count"', '$."_ack-time"', '$."_bookmarked"', '$."last-modified-time"'),
    COALESCE(json_extract(attrs, '$."_message-count"'), 0), json_extract(attrs, '$."_ack-time"'),
    COALESCE(json_extract(attrs, '$."_bookmarked"'), 0), json_extract(attrs, '$."last-modified-time"')
FROM cr_resources WHERE type = 'messaging-channels';
DELETE FROM cr_resources WHERE type IN ('messaging-messages', 'messaging-channels');

DROP INDEX cr_channels_ack;
DROP INDEX cr_channels_ack_desc;
DROP INDEX cr_channels_archived;
DROP INDEX cr_channels_bookmarked;
DROP INDEX cr_channels_direct;
DROP INDEX cr_channels_direct_key;
DROP INDEX cr_channels_floating;
DROP INDEX cr_channels_group;
DROP INDEX cr_channels_grouped;
DROP INDEX cr_channels_last;
DROP INDEX cr_channels_last_desc;
DROP INDEX cr_channels_messages;
DROP INDEX cr_channels_messages_desc;
DROP INDEX cr_channels_of_group;
DROP INDEX cr_channels_subscription;
DROP INDEX cr_messages_author;
DROP INDEX cr_messages_modified;
DROP INDEX cr_messages_posted;
DROP INDEX cr_messages_user;

CREATE INDEX cr_channels_ack ON cr_messaging_channels (org_id, ack_time, created_at, id);
CREATE INDEX cr_channels_ack_desc ON cr_messaging_channels (org_id, ack_time DESC, created_at, id);
CREATE INDEX cr_channels_archived ON cr_messaging_channels (org_id, json_extract(attrs, '$."archived"'), created_at, id)
    WHERE type = 'messaging-channels';
CREATE INDEX cr_channels_bookmarked ON cr_messaging_channels (org_id, bookmarked, created_at, id);
CREATE INDEX cr_channels_direct ON cr_messaging_channels (org_id, (json_extract(attrs, '$."_direct-key"') IS NOT NULL), created_at, id)
    WHERE type = 'messaging-channels';
CREATE INDEX cr_channels_direct_key ON cr_messaging_channels (org_id, json_extract(attrs, '$."_direct-key"'))
    WHERE type = 'messaging-channels';
CREATE INDEX cr_channels_floating ON cr_messaging_channels (org_id, json_extract(attrs, '$."floating"'), created_at, id)
    WHERE type = 'messaging-channels';
CREATE INDEX cr_channels_group ON cr_messaging_channels (org_id, lower(json_extract(attrs, '$."individual-group-id"')), created_at, id)
    WHERE type = 'messaging-channels';
CREATE INDEX cr_channels_grouped ON cr_messaging_channels (org_id, (json_extract(attrs, '$."individual-group-id"') IS NOT NULL), created_at, id)
    WHERE type = 'messaging-channels';
CREATE INDEX cr_channels_last ON cr_messaging_channels (org_id, last_modified, created_at, id);
CREATE INDEX cr_channels_last_desc ON cr_messaging_channels (org_id, last_modified DESC, created_at, id);
CREATE INDEX cr_channels_messages ON cr_messaging_channels (org_id, message_count, created_at, id);
CREATE INDEX cr_channels_messages_desc ON cr_messaging_channels (org_id, message_count DESC, created_at, id);
CREATE INDEX cr_channels_of_group ON cr_messaging_channels (json_extract(attrs, '$."individual-group-id"'))
    WHERE type = 'messaging-channels';
CREATE INDEX cr_channels_subscription ON cr_messaging_channels (org_id, json_extract(attrs, '$."subscription-type"'), created_at, id)
    WHERE type = 'messaging-channels';
CREATE INDEX cr_messages_author ON cr_messaging_messages (parent_id, json_extract(attrs, '$."individual-id"'), created_at, id)
    WHERE type = 'messaging-messages';
CREATE INDEX cr_messages_modified ON cr_messaging_messages (parent_id, json_extract(attrs, '$."last-modified-time"'), created_at, id)
    WHERE type = 'messaging-messages';
CREATE INDEX cr_messages_posted ON cr_messaging_messages (parent_id, json_extract(attrs, '$."posted-time"'), created_at, id)
    WHERE type = 'messaging-messages';
CREATE INDEX cr_messages_user ON cr_messaging_messages (parent_id, lower(json_extract(attrs, '$."user-id"')), created_at, id)
    WHERE type = 'messaging-messages';

CREATE TRIGGER cr_messages_ins AFTER INSERT ON cr_messaging_messages BEGIN
    INSERT INTO cr_channel_authors (channel_id, author, messages, posted, unread, timed, untimed)
    VALUES (NEW.parent_id, json_quote(json_extract(NEW.attrs, '$."individual-id"')), 1,
        (json_extract(NEW.attrs, '$.draft') = 0) IS TRUE,
        (json_extract(NEW.attrs, '$.draft') = 0 AND json_extract(NEW.attrs, '$."posted-time"') > '') IS TRUE,
        (json_extract(NEW.attrs, '$."posted-time"') > '') IS TRUE,
        json_extract(NEW.attrs, '$."posted-time"') IS NULL)
    ON CONFLICT (channel_id, author) DO UPDATE SET messages = messages + 1, posted = posted + excluded.posted,
        unread = unread + excluded.unread, timed = timed + excluded.timed, untimed = untimed + excluded.untimed;
    UPDATE cr_read_marks SET
        unread = unread + ((json_extract(NEW.attrs, '$.draft') = 0
            AND json_extract(NEW.attrs, '$."individual-id"') IS NOT individual_id) IS TRUE),
        after = after + (json_extract(NEW.attrs, '$."individual-id"') IS NOT individual_id),
        after_anon = after_anon + (json_extract(NEW.attrs, '$."individual-id"') IS NULL)
    WHERE channel_id = NEW.parent_id AND json_extract(NEW.attrs, '$."posted-time"') > mark;
    UPDATE cr_messaging_channels SET message_count =
        (SELECT COALESCE(sum(messages), 0) FROM cr_channel_authors WHERE channel_id = NEW.parent_id)
    WHERE type = 'messaging-channels' AND id = NEW.parent_id;
END;
CREATE TRIGGER cr_messages_upd AFTER UPDATE OF parent_id, attrs ON cr_messaging_messages
WHEN (OLD.parent_id IS NOT NEW.parent_id
    OR json_extract(OLD.attrs, '$.draft') IS NOT json_extract(NEW.attrs, '$.draft')
    OR json_extract(OLD.attrs, '$."posted-time"') IS NOT json_extract(NEW.attrs, '$."posted-time"')
    OR json_extract(OLD.attrs, '$."individual-id"') IS NOT json_extract(NEW.attrs, '$."individual-id"')) BEGIN
    UPDATE cr_channel_authors SET messages = messages - 1,
        posted = posted - ((json_extract(OLD.attrs, '$.draft') = 0) IS TRUE),
        unread = unread - ((json_extract(OLD.attrs, '$.draft') = 0 AND json_extract(OLD.attrs, '$."posted-time"') > '') IS TRUE),
        timed = timed - ((json_extract(OLD.attrs, '$."posted-time"') > '') IS TRUE),
        untimed = untimed - (json_extract(OLD.attrs, '$."posted-time"') IS NULL)
    WHERE channel_id = OLD.parent_id AND author = json_quote(json_extract(OLD.attrs, '$."individual-id"'));
    UPDATE cr_read_marks SET
        unread = unread - ((json_extract(OLD.attrs, '$.draft') = 0
            AND json_extract(OLD.attrs, '$."individual-id"') IS NOT individual_id) IS TRUE),
        after = after - (json_extract(OLD.attrs, '$."individual-id"') IS NOT individual_id),
        after_anon = after_anon - (json_extract(OLD.attrs, '$."individual-id"') IS NULL)
    WHERE channel_id = OLD.parent_id AND json_extract(OLD.attrs, '$."posted-time"') > mark;
    INSERT INTO cr_channel_authors (channel_id, author, messages, posted, unread, timed, untimed)
    VALUES (NEW.parent_id, json_quote(json_extract(NEW.attrs, '$."individual-id"')), 1,
        (json_extract(NEW.attrs, '$.draft') = 0) IS TRUE,
        (json_extract(NEW.attrs, '$.draft') = 0 AND json_extract(NEW.attrs, '$."posted-time"') > '') IS TRUE,
        (json_extract(NEW.attrs, '$."posted-time"') > '') IS TRUE,
        json_extract(NEW.attrs, '$."posted-time"') IS NULL)
    ON CONFLICT (channel_id, author) DO UPDATE SET messages = messages + 1, posted = posted + excluded.posted,
        unread = unread + excluded.unread, timed = timed + excluded.timed, untimed = untimed + excluded.untimed;
    UPDATE cr_read_marks SET
        unread = unread + ((json_extract(NEW.attrs, '$.draft') = 0
            AND json_extract(NEW.attrs, '$."individual-id"') IS NOT individual_id) IS TRUE),
        after = after + (json_extract(NEW.attrs, '$."individual-id"') IS NOT individual_id),
        after_anon = after_anon + (json_extract(NEW.attrs, '$."individual-id"') IS NULL)
    WHERE channel_id = NEW.parent_id AND json_extract(NEW.attrs, '$."posted-time"') > mark;
    UPDATE cr_messaging_channels SET message_count =
        (SELECT COALESCE(sum(messages), 0) FROM cr_channel_authors WHERE channel_id = OLD.parent_id)
    WHERE type = 'messaging-channels' AND id = OLD.parent_id;
    UPDATE cr_messaging_channels SET message_count =
        (SELECT COALESCE(sum(messages), 0) FROM cr_channel_authors WHERE channel_id = NEW.parent_id)
    WHERE type = 'messaging-channels' AND id = NEW.parent_id;
END;
CREATE TRIGGER cr_messages_del AFTER DELETE ON cr_messaging_messages BEGIN
    UPDATE cr_channel_authors SET messages = messages - 1,
        posted = posted - ((json_extract(OLD.attrs, '$.draft') = 0) IS TRUE),
        unread = unread - ((json_extract(OLD.attrs, '$.draft') = 0 AND json_extract(OLD.attrs, '$."posted-time"') > '') IS TRUE),
        timed = timed - ((json_extract(OLD.attrs, '$."posted-time"') > '') IS TRUE),
        untimed = untimed - (json_extract(OLD.attrs, '$."posted-time"') IS NULL)
    WHERE channel_id = OLD.parent_id AND author = json_quote(json_extract(OLD.attrs, '$."individual-id"'));
    UPDATE cr_read_marks SET
        unread = unread - ((json_extract(OLD.attrs, '$.draft') = 0
            AND json_extract(OLD.attrs, '$."individual-id"') IS NOT individual_id) IS TRUE),
        after = after - (json_extract(OLD.attrs, '$."individual-id"') IS NOT individual_id),
        after_anon = after_anon - (json_extract(OLD.attrs, '$."individual-id"') IS NULL)
    WHERE channel_id = OLD.parent_id AND json_extract(OLD.attrs, '$."posted-time"') > mark;
    UPDATE cr_messaging_channels SET message_count =
        (SELECT COALESCE(sum(messages), 0) FROM cr_channel_authors WHERE channel_id = OLD.parent_id)
    WHERE type = 'messaging-channels' AND id = OLD.parent_id;
END;
CREATE TRIGGER cr_channels_ins AFTER INSERT ON cr_messaging_channels BEGIN
    UPDATE cr_messaging_channels SET
        message_count = (SELECT COALESCE(sum(messages), 0) FROM cr_channel_authors WHERE channel_id = NEW.id),
        ack_time = (SELECT max(json_extract(l.attrs, '$."ack-time"')) FROM cr_links l WHERE l.rel = 'read' AND l.from_id = NEW.id),
        bookmarked = EXISTS (SELECT 1 FROM cr_resources b WHERE b.type = 'messaging-bookmarks' AND b.parent_id = NEW.id)
    WHERE type = 'messaging-channels' AND id = NEW.id;
END;
CREATE TRIGGER cr_bookmarks_ins AFTER INSERT ON cr_resources WHEN NEW.type = 'messaging-bookmarks' BEGIN
    UPDATE cr_messaging_channels SET bookmarked = 1
    WHERE type = 'messaging-channels' AND id = NEW.parent_id;
END;
CREATE TRIGGER cr_bookmarks_upd AFTER UPDATE OF parent_id ON cr_resources WHEN NEW.type = 'messaging-bookmarks' BEGIN
    UPDATE cr_messaging_channels SET bookmarked =
        EXISTS (SELECT 1 FROM cr_resources b WHERE b.type = 'messaging-bookmarks' AND b.parent_id = cr_messaging_channels.id)
    WHERE type = 'messaging-channels' AND id IN (OLD.parent_id, NEW.parent_id);
END;
CREATE TRIGGER cr_bookmarks_del AFTER DELETE ON cr_resources WHEN OLD.type = 'messaging-bookmarks' BEGIN
    UPDATE cr_messaging_channels SET bookmarked =
        EXISTS (SELECT 1 FROM cr_resources b WHERE b.type = 'messaging-bookmarks' AND b.parent_id = OLD.parent_id)
    WHERE type = 'messaging-channels' AND id = OLD.parent_id;
END;
CREATE TRIGGER cr_read_ins AFTER INSERT ON cr_links WHEN NEW.rel = 'read' BEGIN
    INSERT OR REPLACE INTO cr_read_marks (channel_id, individual_id, mark, unread, after, after_anon)
    SELECT NEW.from_id, NEW.to_id, m.mark,
        count(r.id) FILTER (WHERE json_extract(r.attrs, '$.draft') = 0 AND json_extract(r.attrs, '$."individual-id"') IS NOT NEW.to_id),
        count(r.id) FILTER (WHERE json_extract(r.attrs, '$."individual-id"') IS NOT NEW.to_id),
        count(r.id) FILTER (WHERE json_extract(r.attrs, '$."individual-id"') IS NULL)
    FROM (SELECT COALESCE(json_extract(NEW.attrs, '$."posted-time"'), '') AS mark) m
    LEFT JOIN cr_messaging_messages r ON r.type = 'messaging-messages' AND r.parent_id = NEW.from_id
        AND json_extract(r.attrs, '$."posted-time"') > m.mark;
END;
CREATE TRIGGER cr_read_upd AFTER UPDATE OF attrs ON cr_links
WHEN NEW.rel = 'read' AND OLD.rel = 'read' AND NEW.from_id = OLD.from_id AND NEW.to_id = OLD.to_id BEGIN
    UPDATE cr_read_marks SET (mark, unread, after, after_anon) = (
        SELECT d.new,
            cr_read_marks.unread + d.sign * count(r.id) FILTER (WHERE json_extract(r.attrs, '$.draft') = 0
                AND json_extract(r.attrs, '$."individual-id"') IS NOT NEW.to_id),
            cr_read_marks.after + d.sign * count(r.id) FILTER (WHERE json_extract(r.attrs, '$."individual-id"') IS NOT NEW.to_id),
            cr_read_marks.after_anon + d.sign * count(r.id) FILTER (WHERE json_extract(r.attrs, '$."individual-id"') IS NULL)
        FROM (SELECT new, CASE WHEN new > old THEN -1 ELSE 1 END AS sign, min(new, old) AS lo, max(new, old) AS hi
            FROM (SELECT COALESCE(json_extract(NEW.attrs, '$."posted-time"'), '') AS new,
                COALESCE(json_extract(OLD.attrs, '$."posted-time"'), '') AS old)) d
        LEFT JOIN cr_messaging_messages r ON r.type = 'messaging-messages' AND r.parent_id = NEW.from_id
            AND json_extract(r.attrs, '$."posted-time"') > d.lo AND json_extract(r.attrs, '$."posted-time"') <= d.hi)
    WHERE channel_id = NEW.from_id AND individual_id = NEW.to_id;
END;
CREATE TRIGGER cr_read_move AFTER UPDATE OF rel, from_id, to_id ON cr_links
WHEN (OLD.rel = 'read' OR NEW.rel = 'read')
    AND (OLD.rel IS NOT NEW.rel OR OLD.from_id IS NOT NEW.from_id OR OLD.to_id IS NOT NEW.to_id) BEGIN
    DELETE FROM cr_read_marks WHERE OLD.rel = 'read' AND channel_id = OLD.from_id AND individual_id = OLD.to_id;
    INSERT OR REPLACE INTO cr_read_marks (channel_id, individual_id, mark, unread, after, after_anon)
    SELECT NEW.from_id, NEW.to_id, m.mark,
        count(r.id) FILTER (WHERE json_extract(r.attrs, '$.draft') = 0 AND json_extract(r.attrs, '$."individual-id"') IS NOT NEW.to_id),
        count(r.id) FILTER (WHERE json_extract(r.attrs, '$."individual-id"') IS NOT NEW.to_id),
        count(r.id) FILTER (WHERE json_extract(r.attrs, '$."individual-id"') IS NULL)
    FROM (SELECT COALESCE(json_extract(NEW.attrs, '$."posted-time"'), '') AS mark) m
    LEFT JOIN cr_messaging_messages r ON r.type = 'messaging-messages' AND r.parent_id = NEW.from_id
        AND json_extract(r.attrs, '$."posted-time"') > m.mark
    WHERE NEW.rel = 'read';
END;
CREATE TRIGGER cr_read_ack_time AFTER INSERT ON cr_links WHEN NEW.rel = 'read' BEGIN
    UPDATE cr_messaging_channels SET ack_time =
        (SELECT max(json_extract(l.attrs, '$."ack-time"')) FROM cr_links l WHERE l.rel = 'read' AND l.from_id = NEW.from_id)
    WHERE type = 'messaging-channels' AND id = NEW.from_id;
END;
CREATE TRIGGER cr_read_ack_time_upd AFTER UPDATE ON cr_links WHEN OLD.rel = 'read' OR NEW.rel = 'read' BEGIN
    UPDATE cr_messaging_channels SET ack_time =
        (SELECT max(json_extract(l.attrs, '$."ack-time"')) FROM cr_links l WHERE l.rel = 'read' AND l.from_id = cr_messaging_channels.id)
    WHERE type = 'messaging-channels' AND id IN (OLD.from_id, NEW.from_id);
END;
CREATE TRIGGER cr_read_ack_time_del AFTER DELETE ON cr_links WHEN OLD.rel = 'read' BEGIN
    UPDATE cr_messaging_channels SET ack_time =
        (SELECT max(json_extract(l.attrs, '$."ack-time"')) FROM cr_links l WHERE l.rel = 'read' AND l.from_id = OLD.from_id)
    WHERE type = 'messaging-channels' AND id = OLD.from_id;
END;

-- What the planner assumes (see the engine's 003_planner_statistics.sql).
DELETE FROM sqlite_stat1 WHERE tbl = 'cr_resources' AND (idx LIKE 'cr\_messages\_%' ESCAPE '\' OR idx LIKE 'cr\_channels\_%' ESCAPE '\');
INSERT INTO sqlite_stat1 (tbl, idx, stat) VALUES
    ('cr_messaging_messages', 'cr_messaging_messages', '100000 100000 1'),
    ('cr_messaging_messages', 'cr_messaging_messages_org', '100000 100000 1000 1 1'),
    ('cr_messaging_messages', 'cr_messaging_messages_parent', '100000 100000 100 1 1'),
    ('cr_messaging_messages', 'cr_messaging_messages_time', '100000 100000 1 1'),
    ('cr_messaging_channels', 'cr_messaging_channels', '20000 20000 1'),
    ('cr_messaging_channels', 'cr_messaging_channels_org', '20000 20000 2000 1 1'),
    ('cr_messaging_channels', 'cr_messaging_channels_parent', '20000 20000 2000 1 1'),
    ('cr_messaging_channels', 'cr_messaging_channels_time', '20000 20000 1 1'),
    ('cr_messaging_channels', 'cr_channels_ack', '20000 2000 2 1 1'),
    ('cr_messaging_channels', 'cr_channels_ack_desc', '20000 2000 2 1 1'),
    ('cr_messaging_channels', 'cr_channels_archived', '20000 2000 1000 1 1'),
    ('cr_messaging_channels', 'cr_channels_bookmarked', '20000 2000 1000 1 1'),
    ('cr_messaging_channels', 'cr_channels_direct', '20000 2000 500 1 1'),
    ('cr_messaging_channels', 'cr_channels_direct_key', '20000 2000 1'),
    ('cr_messaging_channels', 'cr_channels_floating', '20000 2000 1000 1 1'),
    ('cr_messaging_channels', 'cr_channels_group', '20000 2000 10 1 1'),
    ('cr_messaging_channels', 'cr_channels_grouped', '20000 2000 500 1 1'),
    ('cr_messaging_channels', 'cr_channels_last', '20000 2000 2 1 1'),
    ('cr_messaging_channels', 'cr_channels_last_desc', '20000 2000 2 1 1'),
    ('cr_messaging_channels', 'cr_channels_messages', '20000 2000 2 1 1'),
    ('cr_messaging_channels', 'cr_channels_messages_desc', '20000 2000 2 1 1'),
    ('cr_messaging_channels', 'cr_channels_of_group', '20000 10'),
    ('cr_messaging_channels', 'cr_channels_subscription', '20000 2000 500 1 1'),
    ('cr_messaging_messages', 'cr_messages_author', '100000 100 10 1 1'),
    ('cr_messaging_messages', 'cr_messages_modified', '100000 100 1 1 1'),
    ('cr_messaging_messages', 'cr_messages_posted', '100000 100 1 1 1'),
    ('cr_messaging_messages', 'cr_messages_user', '100000 100 10 1 1');
ANALYZE sqlite_schema;
