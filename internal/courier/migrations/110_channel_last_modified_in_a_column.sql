-- A channel's last-modified-time moves out of its attributes into a column
-- (last_modified): every post sets it, and writing the attributes made
-- SQLite recompute each index on them (about 15 for channels); a column's
-- change touches only its own indexes. The engine sets the column back into
-- the attributes it reads (the entry's Columns) and writes it from them.

ALTER TABLE cr_messaging_channels ADD COLUMN last_modified TEXT;
UPDATE cr_messaging_channels SET
    last_modified = json_extract(attrs, '$."last-modified-time"'),
    attrs = json_remove(attrs, '$."last-modified-time"');

DROP INDEX cr_channels_last;
DROP INDEX cr_channels_last_desc;
CREATE INDEX cr_channels_last ON cr_messaging_channels (org_id, last_modified, created_at, id);
CREATE INDEX cr_channels_last_desc ON cr_messaging_channels (org_id, last_modified DESC, created_at, id);

-- Dropping an index drops its statistics: the planner's assumptions again
-- (see the engine's 003_planner_statistics.sql).
INSERT INTO sqlite_stat1 (tbl, idx, stat) VALUES
    ('cr_messaging_channels', 'cr_channels_last', '20000 2000 2 1 1'),
    ('cr_messaging_channels', 'cr_channels_last_desc', '20000 2000 2 1 1');
ANALYZE sqlite_schema;
