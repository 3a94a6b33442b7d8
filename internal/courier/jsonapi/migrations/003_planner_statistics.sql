-- Fixed statistics for SQLite's query planner. Without any, it assumes that
-- an equality on an index's first column leaves ten rows, so it reads a whole
-- type through the primary key (type, id) as gladly as one organization
-- through cr_resources_org (type, org_id, ...), and a list's cost grows with
-- the type. These rows say what the data is like at scale: a type is large,
-- an organization's or a parent's share of it much smaller, an id one row. A
-- vendor's migrations add the rows of their own indexes; ANALYZE would
-- measure whatever the database holds (the fixtures) instead.
ANALYZE sqlite_schema; -- creates sqlite_stat1
DELETE FROM sqlite_stat1 WHERE tbl IN ('cr_resources', 'cr_counts', 'cr_links', 'cr_tokens');
INSERT INTO sqlite_stat1 (tbl, idx, stat) VALUES
    ('cr_resources', 'cr_resources', '1000000 20000 1'),
    ('cr_resources', 'cr_resources_org', '1000000 20000 2000 1 1'),
    ('cr_resources', 'cr_resources_parent', '1000000 20000 100 1 1'),
    ('cr_resources', 'cr_resources_time', '1000000 20000 1 1'),
    ('cr_counts', 'cr_counts', '100000 2000 100 1'),
    ('cr_counts', 'cr_counts_parent', '100000 2000 1'),
    ('cr_links', 'cr_links', '100000 25000 10 1'),
    ('cr_links', 'cr_links_to', '100000 25000 10 1'),
    ('cr_links', 'cr_links_from', '100000 25000 10 1 1'),
    ('cr_tokens', 'cr_tokens', '1000 1');
ANALYZE sqlite_schema; -- the planner reads them again
