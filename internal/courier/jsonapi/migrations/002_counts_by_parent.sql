-- The children of a parent are counted across organizations (lists of a
-- record's children that no organization scopes: ListChildren).
CREATE INDEX cr_counts_parent ON cr_counts (type, parent_id);

-- A record's links in the order LinkedTo answers them (a channel's
-- subscribers), read in order instead of sorted.
CREATE INDEX cr_links_from ON cr_links (rel, from_id, created_at, to_id);
