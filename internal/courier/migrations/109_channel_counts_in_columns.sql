-- A channel's counts move out of its attributes into columns: its messages
-- (message_count, what the inbox's unread-count sorts by), the latest
-- ack-time of its read marks (ack_time, ack-timestamp) and whether it has a
-- bookmark (bookmarked, 1 or 0, filter[bookmarked]). Every post changes the
-- first two, and writing the attributes made SQLite recompute each index on
-- them (about 15 for channels); a column's change touches only its own
-- indexes. The triggers of migrations 100 and 102 that kept the hidden
-- attributes "_message-count", "_ack-time" and "_bookmarked" now keep the
-- columns; cr_channels_upd, which set them again when a channel's attributes
-- were written as a whole, has nothing left to do.

ALTER TABLE cr_messaging_channels ADD COLUMN message_count INTEGER NOT NULL DEFAULT 0;
ALTER TABLE cr_messaging_channels ADD COLUMN ack_time TEXT;
ALTER TABLE cr_messaging_channels ADD COLUMN bookmarked INTEGER NOT NULL DEFAULT 0;

DROP TRIGGER cr_messages_ins;
DROP TRIGGER cr_messages_upd;
DROP TRIGGER cr_messages_del;
DROP TRIGGER cr_channels_ins;
DROP TRIGGER cr_channels_upd;
DROP TRIGGER cr_bookmarks_ins;
DROP TRIGGER cr_bookmarks_upd;
DROP TRIGGER cr_bookmarks_del;
DROP TRIGGER cr_read_ack_time;
DROP TRIGGER cr_read_ack_time_upd;
DROP TRIGGER cr_read_ack_time_del;

UPDATE cr_messaging_channels SET
    message_count = COALESCE(json_extract(attrs, '$."_message-count"'), 0),
    ack_time = json_extract(attrs, '$."_ack-time"'),
    bookmarked = COALESCE(json_extract(attrs, '$."_bookmarked"'), 0),
    attrs = json_remove(attrs, '$."_message-count"', '$."_ack-time"', '$."_bookmarked"');

DROP INDEX cr_channels_messages;
DROP INDEX cr_channels_messages_desc;
DROP INDEX cr_channels_ack;
DROP INDEX cr_channels_ack_desc;
DROP INDEX cr_channels_bookmarked;
CREATE INDEX cr_channels_messages ON cr_messaging_channels (org_id, message_count, created_at, id);
CREATE INDEX cr_channels_messages_desc ON cr_messaging_channels (org_id, message_count DESC, created_at, id);
CREATE INDEX cr_channels_ack ON cr_messaging_channels (org_id, ack_time, created_at, id);
CREATE INDEX cr_channels_ack_desc ON cr_messaging_channels (org_id, ack_time DESC, created_at, id);
CREATE INDEX cr_channels_bookmarked ON cr_messaging_channels (org_id, bookmarked, created_at, id);

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

-- Dropping an index drops its statistics: the planner's assumptions again
-- (see the engine's 003_planner_statistics.sql).
INSERT INTO sqlite_stat1 (tbl, idx, stat) VALUES
    ('cr_messaging_channels', 'cr_channels_messages', '20000 2000 2 1 1'),
    ('cr_messaging_channels', 'cr_channels_messages_desc', '20000 2000 2 1 1'),
    ('cr_messaging_channels', 'cr_channels_ack', '20000 2000 2 1 1'),
    ('cr_messaging_channels', 'cr_channels_ack_desc', '20000 2000 2 1 1'),
    ('cr_messaging_channels', 'cr_channels_bookmarked', '20000 2000 1000 1 1');
ANALYZE sqlite_schema;
