-- A post changes three of its channel's kept columns (migration 108): its
-- message count (the insert's trigger), its latest ack-time (the poster's read
-- mark's trigger) and its last-modified-time (posted, in Go), and each change
-- rewrites that column's ascending and descending index entries. The posts of
-- a group of writes (store/batch.go: 11 to 14 into one channel under load)
-- rewrote them all again, once a post. Now the triggers only mark the channel
-- as behind, in cr_channel_catchup, and the store runs channelCatchUpSQL
-- (messaging_messages.go) before every write transaction commits: it deletes
-- the marks, and the deletion of a mark writes its channel's columns, once a
-- transaction, from what the counters and read marks hold. So they are right
-- at every commit, which is all a read can see. Within a write
-- transaction they may be behind: nothing a write answers shows them (the
-- channel's last-modified-time is caught up to the latest of its posts and of
-- what a write saved, below). The rarer writes (a message deleted or moved,
-- a read mark deleted) still write the channel's columns themselves, as
-- before; the catch-up computes the same from the counters.
--
-- The triggers insert a channel only when it is not marked yet, rather than
-- with OR IGNORE: a statement that fires a trigger with its own conflict
-- clause (the read mark's upsert) imposes it on the trigger's statements.
--
-- last_modified: the latest post's time, which its catch-up sets unless the
-- channel holds a later one (a write that saved the channel after the post,
-- in the same transaction, with its own time).
CREATE TABLE cr_channel_catchup (
    channel_id    TEXT PRIMARY KEY,
    last_modified TEXT -- the time of the latest post since the last catch-up, NULL when none
) WITHOUT ROWID;

DROP TRIGGER cr_messages_ins;
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
    INSERT INTO cr_channel_catchup (channel_id) SELECT NEW.parent_id
        WHERE NOT EXISTS (SELECT 1 FROM cr_channel_catchup WHERE channel_id = NEW.parent_id);
END;

DROP TRIGGER cr_read_ack_time;
CREATE TRIGGER cr_read_ack_time AFTER INSERT ON cr_links WHEN NEW.rel = 'read' BEGIN
    INSERT INTO cr_channel_catchup (channel_id) SELECT NEW.from_id
        WHERE NOT EXISTS (SELECT 1 FROM cr_channel_catchup WHERE channel_id = NEW.from_id);
END;
DROP TRIGGER cr_read_ack_time_upd;
CREATE TRIGGER cr_read_ack_time_upd AFTER UPDATE ON cr_links WHEN OLD.rel = 'read' OR NEW.rel = 'read' BEGIN
    INSERT INTO cr_channel_catchup (channel_id) SELECT DISTINCT id FROM (SELECT OLD.from_id AS id UNION ALL SELECT NEW.from_id)
        WHERE NOT EXISTS (SELECT 1 FROM cr_channel_catchup WHERE channel_id = id);
END;

-- A channel's catch-up: its mark's deletion (channelCatchUpSQL).
CREATE TRIGGER cr_channel_catchup_done AFTER DELETE ON cr_channel_catchup BEGIN
    UPDATE cr_messaging_channels SET
        message_count = (SELECT COALESCE(sum(messages), 0) FROM cr_channel_authors WHERE channel_id = OLD.channel_id),
        ack_time = (SELECT max(json_extract(l.attrs, '$."ack-time"')) FROM cr_links l WHERE l.rel = 'read' AND l.from_id = OLD.channel_id),
        last_modified = CASE WHEN OLD.last_modified > COALESCE(last_modified, '') THEN OLD.last_modified ELSE last_modified END
    WHERE type = 'messaging-channels' AND id = OLD.channel_id;
END;
