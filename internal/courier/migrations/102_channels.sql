-- Channels, the inbox (communication-messages) and the summary read without
-- walking every channel or group.

-- Who is in which individual group (its individuals and leaders), kept by
-- triggers from the groups' attributes, so that "the channels an individual
-- participates in" is a look-up instead of reading every group.
-- No column has a type: each compares as the attribute stores it, and a
-- typed column would give a comparison with a channel's attribute its
-- affinity, which the index on that attribute does not have.
CREATE TABLE cr_group_members (
    individual_id NOT NULL,
    group_id      NOT NULL,
    PRIMARY KEY (individual_id, group_id)
) WITHOUT ROWID;
CREATE INDEX cr_group_members_group ON cr_group_members (group_id);

CREATE TRIGGER cr_groups_ins AFTER INSERT ON cr_resources WHEN NEW.type = 'individual-groups' BEGIN
    INSERT OR IGNORE INTO cr_group_members (individual_id, group_id)
    SELECT json_extract(j.value, '$.id') AS i, NEW.id FROM json_each(NEW.attrs, '$.individuals') j WHERE i IS NOT NULL
    UNION SELECT json_extract(j.value, '$.id') AS i, NEW.id FROM json_each(NEW.attrs, '$.leaders') j WHERE i IS NOT NULL;
END;

CREATE TRIGGER cr_groups_upd AFTER UPDATE OF id, attrs ON cr_resources WHEN NEW.type = 'individual-groups' BEGIN
    DELETE FROM cr_group_members WHERE group_id = OLD.id;
    INSERT OR IGNORE INTO cr_group_members (individual_id, group_id)
    SELECT json_extract(j.value, '$.id') AS i, NEW.id FROM json_each(NEW.attrs, '$.individuals') j WHERE i IS NOT NULL
    UNION SELECT json_extract(j.value, '$.id') AS i, NEW.id FROM json_each(NEW.attrs, '$.leaders') j WHERE i IS NOT NULL;
END;

CREATE TRIGGER cr_groups_del AFTER DELETE ON cr_resources WHEN OLD.type = 'individual-groups' BEGIN
    DELETE FROM cr_group_members WHERE group_id = OLD.id;
END;

INSERT OR IGNORE INTO cr_group_members (individual_id, group_id)
SELECT json_extract(j.value, '$.id') AS i, g.id FROM cr_resources g, json_each(g.attrs, '$.individuals') j
WHERE g.type = 'individual-groups' AND i IS NOT NULL
UNION SELECT json_extract(j.value, '$.id') AS i, g.id FROM cr_resources g, json_each(g.attrs, '$.leaders') j
WHERE g.type = 'individual-groups' AND i IS NOT NULL;

-- What the inbox sorts and filters channels by but a channel does not hold
-- is copied into hidden attributes of the channel, so that indexes order and
-- find channels by it: "_message-count" (migration 100 sets it with each
-- message), "_ack-time" (the latest ack-time of its read marks) and
-- "_bookmarked" (1 when it has a bookmark, else 0). Each is set from its
-- source in the transaction that changes the source, and set again whenever
-- a channel is saved, so that a hook saving a channel it read earlier cannot
-- store an old value.
CREATE TRIGGER cr_channels_ins AFTER INSERT ON cr_resources WHEN NEW.type = 'messaging-channels' BEGIN
    UPDATE cr_resources SET attrs = json_set(attrs,
        '$."_message-count"', (SELECT COALESCE(sum(messages), 0) FROM cr_channel_authors WHERE channel_id = NEW.id),
        '$."_ack-time"', (SELECT max(json_extract(l.attrs, '$."ack-time"')) FROM cr_links l WHERE l.rel = 'read' AND l.from_id = NEW.id),
        '$."_bookmarked"', EXISTS (SELECT 1 FROM cr_resources b WHERE b.type = 'messaging-bookmarks' AND b.parent_id = NEW.id))
    WHERE type = 'messaging-channels' AND id = NEW.id;
END;

CREATE TRIGGER cr_channels_upd AFTER UPDATE OF attrs ON cr_resources WHEN NEW.type = 'messaging-channels'
    AND (json_extract(NEW.attrs, '$."_message-count"') IS NOT
            (SELECT COALESCE(sum(messages), 0) FROM cr_channel_authors WHERE channel_id = NEW.id)
        OR json_extract(NEW.attrs, '$."_ack-time"') IS NOT
            (SELECT max(json_extract(l.attrs, '$."ack-time"')) FROM cr_links l WHERE l.rel = 'read' AND l.from_id = NEW.id)
        OR json_extract(NEW.attrs, '$."_bookmarked"') IS NOT
            EXISTS (SELECT 1 FROM cr_resources b WHERE b.type = 'messaging-bookmarks' AND b.parent_id = NEW.id)) BEGIN
    UPDATE cr_resources SET attrs = json_set(attrs,
        '$."_message-count"', (SELECT COALESCE(sum(messages), 0) FROM cr_channel_authors WHERE channel_id = NEW.id),
        '$."_ack-time"', (SELECT max(json_extract(l.attrs, '$."ack-time"')) FROM cr_links l WHERE l.rel = 'read' AND l.from_id = NEW.id),
        '$."_bookmarked"', EXISTS (SELECT 1 FROM cr_resources b WHERE b.type = 'messaging-bookmarks' AND b.parent_id = NEW.id))
    WHERE type = 'messaging-channels' AND id = NEW.id;
END;

CREATE TRIGGER cr_read_ack_time AFTER INSERT ON cr_links WHEN NEW.rel = 'read' BEGIN
    UPDATE cr_resources SET attrs = json_set(attrs, '$."_ack-time"',
        (SELECT max(json_extract(l.attrs, '$."ack-time"')) FROM cr_links l WHERE l.rel = 'read' AND l.from_id = NEW.from_id))
    WHERE type = 'messaging-channels' AND id = NEW.from_id;
END;

CREATE TRIGGER cr_read_ack_time_upd AFTER UPDATE ON cr_links WHEN OLD.rel = 'read' OR NEW.rel = 'read' BEGIN
    UPDATE cr_resources SET attrs = json_set(attrs, '$."_ack-time"',
        (SELECT max(json_extract(l.attrs, '$."ack-time"')) FROM cr_links l WHERE l.rel = 'read' AND l.from_id = cr_resources.id))
    WHERE type = 'messaging-channels' AND id IN (OLD.from_id, NEW.from_id);
END;

CREATE TRIGGER cr_read_ack_time_del AFTER DELETE ON cr_links WHEN OLD.rel = 'read' BEGIN
    UPDATE cr_resources SET attrs = json_set(attrs, '$."_ack-time"',
        (SELECT max(json_extract(l.attrs, '$."ack-time"')) FROM cr_links l WHERE l.rel = 'read' AND l.from_id = OLD.from_id))
    WHERE type = 'messaging-channels' AND id = OLD.from_id;
END;

CREATE TRIGGER cr_bookmarks_ins AFTER INSERT ON cr_resources WHEN NEW.type = 'messaging-bookmarks' BEGIN
    UPDATE cr_resources SET attrs = json_set(attrs, '$."_bookmarked"', 1)
    WHERE type = 'messaging-channels' AND id = NEW.parent_id;
END;

CREATE TRIGGER cr_bookmarks_upd AFTER UPDATE OF parent_id ON cr_resources WHEN NEW.type = 'messaging-bookmarks' BEGIN
    UPDATE cr_resources SET attrs = json_set(attrs, '$."_bookmarked"',
        EXISTS (SELECT 1 FROM cr_resources b WHERE b.type = 'messaging-bookmarks' AND b.parent_id = cr_resources.id))
    WHERE type = 'messaging-channels' AND id IN (OLD.parent_id, NEW.parent_id);
END;

CREATE TRIGGER cr_bookmarks_del AFTER DELETE ON cr_resources WHEN OLD.type = 'messaging-bookmarks' BEGIN
    UPDATE cr_resources SET attrs = json_set(attrs, '$."_bookmarked"',
        EXISTS (SELECT 1 FROM cr_resources b WHERE b.type = 'messaging-bookmarks' AND b.parent_id = OLD.parent_id))
    WHERE type = 'messaging-channels' AND id = OLD.parent_id;
END;

UPDATE cr_resources SET attrs = json_set(attrs,
    '$."_message-count"', (SELECT COALESCE(sum(messages), 0) FROM cr_channel_authors WHERE channel_id = cr_resources.id),
    '$."_ack-time"', (SELECT max(json_extract(l.attrs, '$."ack-time"')) FROM cr_links l WHERE l.rel = 'read' AND l.from_id = cr_resources.id),
    '$."_bookmarked"', EXISTS (SELECT 1 FROM cr_resources b WHERE b.type = 'messaging-bookmarks' AND b.parent_id = cr_resources.id))
WHERE type = 'messaging-channels';

-- The indexes of the channel lists: each filter and sort key after the
-- organization (lists over several organizations merge one range per
-- organization), then the list order. A descending sort has its own index,
-- so that both directions are read in order.
CREATE INDEX cr_channels_archived ON cr_resources (org_id, json_extract(attrs, '$."archived"'), created_at, id)
    WHERE type = 'messaging-channels';
CREATE INDEX cr_channels_floating ON cr_resources (org_id, json_extract(attrs, '$."floating"'), created_at, id)
    WHERE type = 'messaging-channels';
CREATE INDEX cr_channels_group ON cr_resources (org_id, lower(json_extract(attrs, '$."individual-group-id"')), created_at, id)
    WHERE type = 'messaging-channels';
CREATE INDEX cr_channels_subscription ON cr_resources (org_id, json_extract(attrs, '$."subscription-type"'), created_at, id)
    WHERE type = 'messaging-channels';
CREATE INDEX cr_channels_bookmarked ON cr_resources (org_id, json_extract(attrs, '$."_bookmarked"'), created_at, id)
    WHERE type = 'messaging-channels';
-- filter[type]: direct and group channels (the planner passes over an index
-- limited by a condition, so the condition is a column: "(... IS NOT NULL) = 1").
CREATE INDEX cr_channels_direct ON cr_resources (org_id, (json_extract(attrs, '$."_direct-key"') IS NOT NULL), created_at, id)
    WHERE type = 'messaging-channels';
CREATE INDEX cr_channels_grouped ON cr_resources (org_id, (json_extract(attrs, '$."individual-group-id"') IS NOT NULL), created_at, id)
    WHERE type = 'messaging-channels';
CREATE INDEX cr_channels_last ON cr_resources (org_id, json_extract(attrs, '$."last-modified-time"'), created_at, id)
    WHERE type = 'messaging-channels';
CREATE INDEX cr_channels_last_desc ON cr_resources (org_id, json_extract(attrs, '$."last-modified-time"') DESC, created_at, id)
    WHERE type = 'messaging-channels';
CREATE INDEX cr_channels_messages ON cr_resources (org_id, json_extract(attrs, '$."_message-count"'), created_at, id)
    WHERE type = 'messaging-channels';
CREATE INDEX cr_channels_messages_desc ON cr_resources (org_id, json_extract(attrs, '$."_message-count"') DESC, created_at, id)
    WHERE type = 'messaging-channels';
CREATE INDEX cr_channels_ack ON cr_resources (org_id, json_extract(attrs, '$."_ack-time"'), created_at, id)
    WHERE type = 'messaging-channels';
CREATE INDEX cr_channels_ack_desc ON cr_resources (org_id, json_extract(attrs, '$."_ack-time"') DESC, created_at, id)
    WHERE type = 'messaging-channels';
-- The channels of a group (participants) and of a pair of individuals (direct).
CREATE INDEX cr_channels_of_group ON cr_resources (json_extract(attrs, '$."individual-group-id"'))
    WHERE type = 'messaging-channels';
CREATE INDEX cr_channels_direct_key ON cr_resources (org_id, json_extract(attrs, '$."_direct-key"'))
    WHERE type = 'messaging-channels';

-- What the planner assumes of these (see the engine's 003_planner_statistics.sql).
INSERT INTO sqlite_stat1 (tbl, idx, stat) VALUES
    ('cr_group_members', 'cr_group_members', '100000 10 1'),
    ('cr_group_members', 'cr_group_members_group', '100000 10'),
    ('cr_resources', 'cr_channels_archived', '20000 2000 1000 1 1'),
    ('cr_resources', 'cr_channels_floating', '20000 2000 1000 1 1'),
    ('cr_resources', 'cr_channels_group', '20000 2000 10 1 1'),
    ('cr_resources', 'cr_channels_subscription', '20000 2000 500 1 1'),
    ('cr_resources', 'cr_channels_bookmarked', '20000 2000 1000 1 1'),
    ('cr_resources', 'cr_channels_direct', '20000 2000 500 1 1'),
    ('cr_resources', 'cr_channels_grouped', '20000 2000 500 1 1'),
    ('cr_resources', 'cr_channels_last', '20000 2000 2 1 1'),
    ('cr_resources', 'cr_channels_last_desc', '20000 2000 2 1 1'),
    ('cr_resources', 'cr_channels_messages', '20000 2000 2 1 1'),
    ('cr_resources', 'cr_channels_messages_desc', '20000 2000 2 1 1'),
    ('cr_resources', 'cr_channels_ack', '20000 2000 2 1 1'),
    ('cr_resources', 'cr_channels_ack_desc', '20000 2000 2 1 1'),
    ('cr_resources', 'cr_channels_of_group', '20000 10'),
    ('cr_resources', 'cr_channels_direct_key', '20000 2000 1');
ANALYZE sqlite_schema;
