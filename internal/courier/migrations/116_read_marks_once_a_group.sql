-- A post moves its author's read mark to it (messaging_messages.go, posted):
-- an upsert of the read link, whose triggers recount the reader's counters
-- and mark the channel. The 11 to 14 posts of a group of writes (store/batch.go)
-- into one channel moved one author's mark 11 to 14 times, a sixth of a
-- post's turn at the writer. Now a post leaves its author's move pending on
-- its channel's catch-up row (migration 114; touchChannelSQL), one move a
-- channel: a later post by the same author replaces it, unless it is not later
-- (a mark never moves back), and a post by another author, or a flush, applies
-- the pending move first (the trigger below, on the reader's change).
-- Pending moves are applied before the channel catches up at the
-- transaction's end (the first of courier's CatchUp statements), and before
-- anything else reads or changes read marks (applyReadMarksSQL: at the start
-- of every courier write but a post, and where a post reads a mark). So a
-- read mark, and every count kept from it, is right at every commit and
-- wherever a write reads it.
--
-- reader: the author whose move is pending (NULL: none); mark: the read
-- link's attributes after the move, mark_posted its posted-time and mark_at
-- the time of the move (the link's created_at when it is new).
ALTER TABLE cr_channel_catchup ADD COLUMN reader TEXT;
ALTER TABLE cr_channel_catchup ADD COLUMN mark TEXT;
ALTER TABLE cr_channel_catchup ADD COLUMN mark_posted TEXT;
ALTER TABLE cr_channel_catchup ADD COLUMN mark_at TEXT;

-- moveReadMarkSQL's upsert, forward only.
CREATE TRIGGER cr_channel_catchup_read AFTER UPDATE OF reader ON cr_channel_catchup
WHEN OLD.reader IS NOT NULL AND OLD.reader IS NOT NEW.reader BEGIN
    INSERT INTO cr_links (rel, from_id, to_id, created_at, attrs) VALUES ('read', OLD.channel_id, OLD.reader, OLD.mark_at, OLD.mark)
        ON CONFLICT (rel, from_id, to_id) DO UPDATE SET attrs = excluded.attrs
        WHERE COALESCE(json_extract(cr_links.attrs, '$."posted-time"'), '') < OLD.mark_posted;
END;
