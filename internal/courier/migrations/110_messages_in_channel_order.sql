-- Messages are stored in the order a channel lists them: the table's primary
-- key becomes (type, parent_id, created_at, id), and (type, id) a unique
-- index. A page of a channel's messages was a walk of the parent index with a
-- look-up of each message by (type, id) in the table's B-tree, which is deeper
-- the more messages there are (a page of 100 cost 1.2 times as much at
-- 100,000 messages as at 100); it is now a walk of the table itself, the same
-- at any size and faster at both. A message read by its id goes through the
-- unique index first. A table's primary key cannot change in place: the rows
-- move to a new table, which takes the old one's name, its indexes (but the
-- parent index, which the key now is) and its triggers. The triggers of
-- other tables that name it are dropped first and made again after (SQLite
-- checks them when a table is renamed), unchanged.

DROP TRIGGER cr_read_ins;
DROP TRIGGER cr_read_upd;
DROP TRIGGER cr_read_move;
DROP TRIGGER cr_attachments_ins;
DROP TRIGGER cr_attachments_upd;
DROP TRIGGER cr_attachments_del;

CREATE TABLE cr_messaging_messages_by_channel (
    type             TEXT NOT NULL,
    id               TEXT NOT NULL,
    org_id           TEXT NOT NULL DEFAULT '',
    parent_id        TEXT NOT NULL DEFAULT '',
    created_at       TEXT NOT NULL,
    text             TEXT NOT NULL DEFAULT '',
    attrs            TEXT NOT NULL DEFAULT '{}',
    attachment_count INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (type, parent_id, created_at, id)
) WITHOUT ROWID;
INSERT INTO cr_messaging_messages_by_channel (type, id, org_id, parent_id, created_at, text, attrs, attachment_count)
    SELECT type, id, org_id, parent_id, created_at, text, attrs, attachment_count FROM cr_messaging_messages;
DROP TABLE cr_messaging_messages;
ALTER TABLE cr_messaging_messages_by_channel RENAME TO cr_messaging_messages;

CREATE UNIQUE INDEX cr_messaging_messages_id ON cr_messaging_messages (type, id);
CREATE INDEX cr_messaging_messages_org ON cr_messaging_messages (type, org_id, created_at, id);
CREATE INDEX cr_messaging_messages_time ON cr_messaging_messages (type, created_at, id);
CREATE INDEX cr_messages_author ON cr_messaging_messages (parent_id, json_extract(attrs, '$."individual-id"'), created_at, id)
    WHERE type = 'messaging-messages';
CREATE INDEX cr_messages_modified ON cr_messaging_messages (parent_id, json_extract(attrs, '$."last-modified-time"'), created_at, id)
    WHERE type = 'messaging-messages';
CREATE INDEX cr_messages_posted ON cr_messaging_messages (parent_id, json_extract(attrs, '$."posted-time"'), created_at, id)
    WHERE type = 'messaging-messages';
CREATE INDEX cr_messages_user ON cr_messaging_messages (parent_id, lower(json_extract(attrs, '$."user-id"')), created_at, id)
    WHERE type = 'messaging-messages';

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
CREATE TRIGGER cr_attachments_ins AFTER INSERT ON cr_resources
WHEN NEW.type = 'messaging-attachments' AND json_extract(NEW.attrs, '$."_uploaded"') = 1 BEGIN
    UPDATE cr_messaging_messages SET attachment_count = (SELECT count(*) FROM cr_resources a
        WHERE a.type = 'messaging-attachments' AND a.parent_id = NEW.parent_id AND json_extract(a.attrs, '$."_uploaded"') = 1)
    WHERE type = 'messaging-messages' AND id = NEW.parent_id;
END;
CREATE TRIGGER cr_attachments_upd AFTER UPDATE OF parent_id, attrs ON cr_resources
WHEN NEW.type = 'messaging-attachments' AND (OLD.parent_id IS NOT NEW.parent_id
    OR (json_extract(OLD.attrs, '$."_uploaded"') IS 1) IS NOT (json_extract(NEW.attrs, '$."_uploaded"') IS 1)) BEGIN
    UPDATE cr_messaging_messages SET attachment_count = (SELECT count(*) FROM cr_resources a
        WHERE a.type = 'messaging-attachments' AND a.parent_id = cr_messaging_messages.id AND json_extract(a.attrs, '$."_uploaded"') = 1)
    WHERE type = 'messaging-messages' AND id IN (OLD.parent_id, NEW.parent_id);
END;
CREATE TRIGGER cr_attachments_del AFTER DELETE ON cr_resources
WHEN OLD.type = 'messaging-attachments' AND json_extract(OLD.attrs, '$."_uploaded"') = 1 BEGIN
    UPDATE cr_messaging_messages SET attachment_count = (SELECT count(*) FROM cr_resources a
        WHERE a.type = 'messaging-attachments' AND a.parent_id = OLD.parent_id AND json_extract(a.attrs, '$."_uploaded"') = 1)
    WHERE type = 'messaging-messages' AND id = OLD.parent_id;
END;
CREATE TRIGGER cr_messages_attachments AFTER INSERT ON cr_messaging_messages
WHEN EXISTS (SELECT 1 FROM cr_resources a
    WHERE a.type = 'messaging-attachments' AND a.parent_id = NEW.id AND json_extract(a.attrs, '$."_uploaded"') = 1) BEGIN
    UPDATE cr_messaging_messages SET attachment_count = (SELECT count(*) FROM cr_resources a
        WHERE a.type = 'messaging-attachments' AND a.parent_id = NEW.id AND json_extract(a.attrs, '$."_uploaded"') = 1)
    WHERE type = 'messaging-messages' AND id = NEW.id;
END;

-- What the planner assumes (see the engine's 003_planner_statistics.sql), as
-- migration 108 wrote it, for the new key and the id index.
DELETE FROM sqlite_stat1 WHERE tbl = 'cr_messaging_messages';
INSERT INTO sqlite_stat1 (tbl, idx, stat) VALUES
    ('cr_messaging_messages', 'cr_messaging_messages', '100000 100000 100 1 1'),
    ('cr_messaging_messages', 'cr_messaging_messages_id', '100000 100000 1'),
    ('cr_messaging_messages', 'cr_messaging_messages_org', '100000 100000 1000 1 1'),
    ('cr_messaging_messages', 'cr_messaging_messages_time', '100000 100000 1 1'),
    ('cr_messaging_messages', 'cr_messages_author', '100000 100 10 1 1'),
    ('cr_messaging_messages', 'cr_messages_modified', '100000 100 1 1 1'),
    ('cr_messaging_messages', 'cr_messages_posted', '100000 100 1 1 1'),
    ('cr_messaging_messages', 'cr_messages_user', '100000 100 10 1 1');
ANALYZE sqlite_schema;
