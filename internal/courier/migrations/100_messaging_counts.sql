-- Courier's own tables (numbered from 100; the engine's migrations stay below).
-- What the messaging family computes per channel and per reader is counted
-- here, by triggers, in the transaction of each write: a channel's new
-- messages for a reader, the totals of the acknowledged filter, the summary.
-- Reads then look counts up instead of counting messages. Every count uses
-- the very predicate its query had (draft = 0, posted-time > mark, ...), so
-- it agrees with the rows whatever they hold.

-- A channel's messages are read by their posted-time and by their author.
CREATE INDEX cr_messages_posted ON cr_resources (parent_id, json_extract(attrs, '$."posted-time"'), created_at, id)
    WHERE type = 'messaging-messages';
CREATE INDEX cr_messages_author ON cr_resources (parent_id, json_extract(attrs, '$."individual-id"'), created_at, id)
    WHERE type = 'messaging-messages';

-- Messages per channel and author. author is json_quote(individual-id), so a
-- message without one ('null') stays apart from any id.
CREATE TABLE cr_channel_authors (
    channel_id TEXT NOT NULL,
    author     TEXT NOT NULL,
    messages   INTEGER NOT NULL DEFAULT 0, -- every message
    posted     INTEGER NOT NULL DEFAULT 0, -- draft = 0
    unread     INTEGER NOT NULL DEFAULT 0, -- draft = 0 AND posted-time > '': new to a reader without a read mark
    timed      INTEGER NOT NULL DEFAULT 0, -- posted-time > ''
    untimed    INTEGER NOT NULL DEFAULT 0, -- posted-time IS NULL
    PRIMARY KEY (channel_id, author)
) WITHOUT ROWID;

-- One row per read mark (cr_links rel 'read', channel → individual): what
-- the reader has not read yet. mark has no type, so that it compares as the
-- link stores it.
CREATE TABLE cr_read_marks (
    channel_id    TEXT NOT NULL,
    individual_id TEXT NOT NULL,
    mark          NOT NULL,          -- the link's posted-time, '' without one
    unread        INTEGER NOT NULL,  -- draft = 0 AND posted-time > mark AND individual-id IS NOT individual_id
    after         INTEGER NOT NULL,  -- posted-time > mark AND individual-id IS NOT individual_id
    after_anon    INTEGER NOT NULL,  -- posted-time > mark AND individual-id IS NULL
    PRIMARY KEY (channel_id, individual_id)
) WITHOUT ROWID;

-- A message counts once in its author's row and in the marks it is after;
-- an update takes the old message out and puts the new one in. Deletes only
-- decrement: a reset may empty these tables before cr_resources. The
-- channel's hidden "_message-count" (its messages, which the inbox sorts by)
-- is set from the authors' rows just counted (migration 102 indexes it).
CREATE TRIGGER cr_messages_ins AFTER INSERT ON cr_resources WHEN NEW.type = 'messaging-messages' BEGIN
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
    UPDATE cr_resources SET attrs = json_set(attrs, '$."_message-count"',
        (SELECT COALESCE(sum(messages), 0) FROM cr_channel_authors WHERE channel_id = NEW.parent_id))
    WHERE type = 'messaging-channels' AND id = NEW.parent_id;
END;

CREATE TRIGGER cr_messages_del AFTER DELETE ON cr_resources WHEN OLD.type = 'messaging-messages' BEGIN
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
    UPDATE cr_resources SET attrs = json_set(attrs, '$."_message-count"',
        (SELECT COALESCE(sum(messages), 0) FROM cr_channel_authors WHERE channel_id = OLD.parent_id))
    WHERE type = 'messaging-channels' AND id = OLD.parent_id;
END;

-- Only a change of what is counted (a draft posted, ...) moves counts; a
-- reaction does not.
CREATE TRIGGER cr_messages_upd AFTER UPDATE OF parent_id, attrs ON cr_resources
WHEN NEW.type = 'messaging-messages' AND (OLD.parent_id IS NOT NEW.parent_id
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
    UPDATE cr_resources SET attrs = json_set(attrs, '$."_message-count"',
        (SELECT COALESCE(sum(messages), 0) FROM cr_channel_authors WHERE channel_id = OLD.parent_id))
    WHERE type = 'messaging-channels' AND id = OLD.parent_id;
    UPDATE cr_resources SET attrs = json_set(attrs, '$."_message-count"',
        (SELECT COALESCE(sum(messages), 0) FROM cr_channel_authors WHERE channel_id = NEW.parent_id))
    WHERE type = 'messaging-channels' AND id = NEW.parent_id;
END;

-- A new read mark counts the messages after it once (through
-- cr_messages_posted: only those after the mark are read).
CREATE TRIGGER cr_read_ins AFTER INSERT ON cr_links WHEN NEW.rel = 'read' BEGIN
    INSERT OR REPLACE INTO cr_read_marks (channel_id, individual_id, mark, unread, after, after_anon)
    SELECT NEW.from_id, NEW.to_id, m.mark,
        count(r.id) FILTER (WHERE json_extract(r.attrs, '$.draft') = 0 AND json_extract(r.attrs, '$."individual-id"') IS NOT NEW.to_id),
        count(r.id) FILTER (WHERE json_extract(r.attrs, '$."individual-id"') IS NOT NEW.to_id),
        count(r.id) FILTER (WHERE json_extract(r.attrs, '$."individual-id"') IS NULL)
    FROM (SELECT COALESCE(json_extract(NEW.attrs, '$."posted-time"'), '') AS mark) m
    LEFT JOIN cr_resources r ON r.type = 'messaging-messages' AND r.parent_id = NEW.from_id
        AND json_extract(r.attrs, '$."posted-time"') > m.mark;
END;

-- A moved read mark counts only the messages between its old and new place:
-- those now read leave the counts, those now unread (allow-past) enter them.
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
        LEFT JOIN cr_resources r ON r.type = 'messaging-messages' AND r.parent_id = NEW.from_id
            AND json_extract(r.attrs, '$."posted-time"') > d.lo AND json_extract(r.attrs, '$."posted-time"') <= d.hi)
    WHERE channel_id = NEW.from_id AND individual_id = NEW.to_id;
END;

-- No code moves a link to other ends, but a count must not depend on it.
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
    LEFT JOIN cr_resources r ON r.type = 'messaging-messages' AND r.parent_id = NEW.from_id
        AND json_extract(r.attrs, '$."posted-time"') > m.mark
    WHERE NEW.rel = 'read';
END;

CREATE TRIGGER cr_read_del AFTER DELETE ON cr_links WHEN OLD.rel = 'read' BEGIN
    DELETE FROM cr_read_marks WHERE channel_id = OLD.from_id AND individual_id = OLD.to_id;
END;

-- A database that already holds messages and marks starts with their counts.
INSERT INTO cr_channel_authors (channel_id, author, messages, posted, unread, timed, untimed)
SELECT parent_id, json_quote(json_extract(attrs, '$."individual-id"')), count(*),
    total((json_extract(attrs, '$.draft') = 0) IS TRUE),
    total((json_extract(attrs, '$.draft') = 0 AND json_extract(attrs, '$."posted-time"') > '') IS TRUE),
    total((json_extract(attrs, '$."posted-time"') > '') IS TRUE),
    total(json_extract(attrs, '$."posted-time"') IS NULL)
FROM cr_resources WHERE type = 'messaging-messages'
GROUP BY parent_id, json_quote(json_extract(attrs, '$."individual-id"'));

INSERT INTO cr_read_marks (channel_id, individual_id, mark, unread, after, after_anon)
SELECT l.from_id, l.to_id, COALESCE(json_extract(l.attrs, '$."posted-time"'), ''),
    count(r.id) FILTER (WHERE json_extract(r.attrs, '$.draft') = 0 AND json_extract(r.attrs, '$."individual-id"') IS NOT l.to_id),
    count(r.id) FILTER (WHERE json_extract(r.attrs, '$."individual-id"') IS NOT l.to_id),
    count(r.id) FILTER (WHERE json_extract(r.attrs, '$."individual-id"') IS NULL)
FROM cr_links l
LEFT JOIN cr_resources r ON r.type = 'messaging-messages' AND r.parent_id = l.from_id
    AND json_extract(r.attrs, '$."posted-time"') > COALESCE(json_extract(l.attrs, '$."posted-time"'), '')
WHERE l.rel = 'read'
GROUP BY l.from_id, l.to_id;

-- What the planner assumes of these (see the engine's 003_planner_statistics.sql).
INSERT INTO sqlite_stat1 (tbl, idx, stat) VALUES
    ('cr_resources', 'cr_messages_posted', '100000 100 1 1 1'),
    ('cr_resources', 'cr_messages_author', '100000 100 10 1 1'),
    ('cr_channel_authors', 'cr_channel_authors', '100000 10 1'),
    ('cr_read_marks', 'cr_read_marks', '100000 10 1');
ANALYZE sqlite_schema;
