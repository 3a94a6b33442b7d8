-- A channel shows its last message (its latest one not a draft: id, text,
-- posted-time, removed). Every read of a channel walked its messages from the
-- newest back past the drafts, decoding each one's JSON to find out, then read
-- that message again by its id: a third of the statement that reads a
-- channel's state, once a channel of a page. The channel now keeps it, in
-- columns its catch-up (migration 114) writes, once a write transaction, for
-- every channel marked as behind: a message inserted (already marked),
-- changed, moved or deleted marks its channel too. The text, time and removed
-- flag are kept as the message's JSON values (->), NULL when it has none;
-- every column is NULL when the channel has no such message. Reads only see
-- commits, which are always caught up; within a write transaction the columns
-- may be behind, and a write's answer reads the messages themselves
-- (channelStatesSQL).
ALTER TABLE cr_messaging_channels ADD COLUMN last_message_id TEXT;
ALTER TABLE cr_messaging_channels ADD COLUMN last_message_org TEXT;
ALTER TABLE cr_messaging_channels ADD COLUMN last_message_text TEXT;
ALTER TABLE cr_messaging_channels ADD COLUMN last_message_posted TEXT;
ALTER TABLE cr_messaging_channels ADD COLUMN last_message_removed TEXT;

CREATE TRIGGER cr_messages_last_upd AFTER UPDATE ON cr_messaging_messages BEGIN
    INSERT INTO cr_channel_catchup (channel_id) SELECT DISTINCT id FROM (SELECT OLD.parent_id AS id UNION ALL SELECT NEW.parent_id)
        WHERE NOT EXISTS (SELECT 1 FROM cr_channel_catchup WHERE channel_id = id);
END;
CREATE TRIGGER cr_messages_last_del AFTER DELETE ON cr_messaging_messages BEGIN
    INSERT INTO cr_channel_catchup (channel_id) SELECT OLD.parent_id
        WHERE NOT EXISTS (SELECT 1 FROM cr_channel_catchup WHERE channel_id = OLD.parent_id);
END;

DROP TRIGGER cr_channel_catchup_done;
CREATE TRIGGER cr_channel_catchup_done AFTER DELETE ON cr_channel_catchup BEGIN
    UPDATE cr_messaging_channels SET
        message_count = (SELECT COALESCE(sum(messages), 0) FROM cr_channel_authors WHERE channel_id = OLD.channel_id),
        ack_time = (SELECT max(json_extract(l.attrs, '$."ack-time"')) FROM cr_links l WHERE l.rel = 'read' AND l.from_id = OLD.channel_id),
        last_modified = CASE WHEN OLD.last_modified > COALESCE(last_modified, '') THEN OLD.last_modified ELSE last_modified END,
        (last_message_id, last_message_org, last_message_text, last_message_posted, last_message_removed) = (
            SELECT m.id, m.org_id, m.attrs -> '$.message', m.attrs -> '$."posted-time"', m.attrs -> '$.removed'
            FROM cr_messaging_messages m WHERE m.type = 'messaging-messages' AND m.parent_id = OLD.channel_id
                AND json_extract(m.attrs, '$.draft') = 0 ORDER BY m.created_at DESC, m.id DESC LIMIT 1)
    WHERE type = 'messaging-channels' AND id = OLD.channel_id;
END;

-- The channels of an existing database are marked: the catch-up fills their
-- columns at the store's first write transaction, which opening it makes
-- (its seeding), before it serves a read.
INSERT INTO cr_channel_catchup (channel_id) SELECT id FROM cr_messaging_channels
    WHERE type = 'messaging-channels' AND NOT EXISTS (SELECT 1 FROM cr_channel_catchup WHERE channel_id = id);
