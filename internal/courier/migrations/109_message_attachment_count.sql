-- A message's row counts its uploaded attachments (attachment_count), so
-- that a page of messages reads the attachments of only the messages that
-- have some: almost none do, and probing cr_resources for every message of a
-- page cost about a tenth of the page. The messages' entry reads the column
-- as the hidden attribute "_attachment-count" (its Counts); the engine never
-- writes it.
--
-- The triggers count a message's attachments again (one range of
-- cr_attachments_uploaded) in the transaction that adds, uploads, moves or
-- deletes one of them. Removing an attachment (its "removed" flag) keeps it
-- listed, so counted. A message inserted after its attachments (seeding, when
-- an attachment's file is read before its message's) counts them then; a
-- post finds none, in one probe of that index.

ALTER TABLE cr_messaging_messages ADD COLUMN attachment_count INTEGER NOT NULL DEFAULT 0;

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

-- The messages stored before: those with an uploaded attachment.
UPDATE cr_messaging_messages SET attachment_count = (SELECT count(*) FROM cr_resources a
    WHERE a.type = 'messaging-attachments' AND a.parent_id = cr_messaging_messages.id AND json_extract(a.attrs, '$."_uploaded"') = 1)
WHERE type = 'messaging-messages' AND id IN (SELECT parent_id FROM cr_resources
    WHERE type = 'messaging-attachments' AND json_extract(attrs, '$."_uploaded"') = 1);
