-- Notifications counted, by triggers, the way lists and the summary filter
-- them: per user, organization and the two flags lists filter by, and per
-- individual (the summary). The flags are kept as the filters test them:
-- active = 1, acknowledged = 1 or = 0 (-1: neither).
CREATE TABLE cr_notification_counts (
    user_id      TEXT NOT NULL,
    org_id       TEXT NOT NULL,
    active       INTEGER NOT NULL,
    acknowledged INTEGER NOT NULL,
    n            INTEGER NOT NULL,
    PRIMARY KEY (user_id, org_id, active, acknowledged)
) WITHOUT ROWID;

-- individual_id has no type: it compares as the attribute stores it.
CREATE TABLE cr_individual_notifications (
    individual_id NOT NULL PRIMARY KEY,
    n             INTEGER NOT NULL
) WITHOUT ROWID;

CREATE TRIGGER cr_notifications_ins AFTER INSERT ON cr_resources WHEN NEW.type = 'user-notifications' BEGIN
    INSERT INTO cr_notification_counts (user_id, org_id, active, acknowledged, n)
    VALUES (NEW.parent_id, NEW.org_id, (json_extract(NEW.attrs, '$."active"') = 1) IS TRUE,
        CASE WHEN json_extract(NEW.attrs, '$."acknowledged"') = 1 THEN 1 WHEN json_extract(NEW.attrs, '$."acknowledged"') = 0 THEN 0 ELSE -1 END, 1)
    ON CONFLICT (user_id, org_id, active, acknowledged) DO UPDATE SET n = n + 1;
    INSERT INTO cr_individual_notifications (individual_id, n)
    SELECT json_extract(NEW.attrs, '$."individual-id"'), 1 WHERE json_extract(NEW.attrs, '$."individual-id"') IS NOT NULL
    ON CONFLICT (individual_id) DO UPDATE SET n = n + 1;
END;

-- Deletes only decrement: a reset may empty these tables before cr_resources.
CREATE TRIGGER cr_notifications_del AFTER DELETE ON cr_resources WHEN OLD.type = 'user-notifications' BEGIN
    UPDATE cr_notification_counts SET n = n - 1 WHERE user_id = OLD.parent_id AND org_id = OLD.org_id
        AND active = ((json_extract(OLD.attrs, '$."active"') = 1) IS TRUE)
        AND acknowledged = CASE WHEN json_extract(OLD.attrs, '$."acknowledged"') = 1 THEN 1
            WHEN json_extract(OLD.attrs, '$."acknowledged"') = 0 THEN 0 ELSE -1 END;
    UPDATE cr_individual_notifications SET n = n - 1 WHERE individual_id = json_extract(OLD.attrs, '$."individual-id"');
END;

CREATE TRIGGER cr_notifications_upd AFTER UPDATE OF org_id, parent_id, attrs ON cr_resources
WHEN NEW.type = 'user-notifications' BEGIN
    UPDATE cr_notification_counts SET n = n - 1 WHERE user_id = OLD.parent_id AND org_id = OLD.org_id
        AND active = ((json_extract(OLD.attrs, '$."active"') = 1) IS TRUE)
        AND acknowledged = CASE WHEN json_extract(OLD.attrs, '$."acknowledged"') = 1 THEN 1
            WHEN json_extract(OLD.attrs, '$."acknowledged"') = 0 THEN 0 ELSE -1 END;
    UPDATE cr_individual_notifications SET n = n - 1 WHERE individual_id = json_extract(OLD.attrs, '$."individual-id"');
    INSERT INTO cr_notification_counts (user_id, org_id, active, acknowledged, n)
    VALUES (NEW.parent_id, NEW.org_id, (json_extract(NEW.attrs, '$."active"') = 1) IS TRUE,
        CASE WHEN json_extract(NEW.attrs, '$."acknowledged"') = 1 THEN 1 WHEN json_extract(NEW.attrs, '$."acknowledged"') = 0 THEN 0 ELSE -1 END, 1)
    ON CONFLICT (user_id, org_id, active, acknowledged) DO UPDATE SET n = n + 1;
    INSERT INTO cr_individual_notifications (individual_id, n)
    SELECT json_extract(NEW.attrs, '$."individual-id"'), 1 WHERE json_extract(NEW.attrs, '$."individual-id"') IS NOT NULL
    ON CONFLICT (individual_id) DO UPDATE SET n = n + 1;
END;

-- A user's notifications are listed by their flags and filters.
CREATE INDEX cr_notifications_active ON cr_resources (parent_id, json_extract(attrs, '$."active"'), created_at, id)
    WHERE type = 'user-notifications';
CREATE INDEX cr_notifications_category ON cr_resources (parent_id, lower(json_extract(attrs, '$."_category"')), created_at, id)
    WHERE type = 'user-notifications';
CREATE INDEX cr_notifications_individual ON cr_resources (parent_id, lower(json_extract(attrs, '$."individual-id"')), created_at, id)
    WHERE type = 'user-notifications';
CREATE INDEX cr_notifications_acknowledged ON cr_resources (parent_id, json_extract(attrs, '$."acknowledged"'), created_at, id)
    WHERE type = 'user-notifications';

-- A database that already holds notifications starts with their counts.
INSERT INTO cr_notification_counts (user_id, org_id, active, acknowledged, n)
SELECT parent_id, org_id, (json_extract(attrs, '$."active"') = 1) IS TRUE AS a,
    CASE WHEN json_extract(attrs, '$."acknowledged"') = 1 THEN 1 WHEN json_extract(attrs, '$."acknowledged"') = 0 THEN 0 ELSE -1 END AS k,
    count(*)
FROM cr_resources WHERE type = 'user-notifications' GROUP BY parent_id, org_id, a, k;

INSERT INTO cr_individual_notifications (individual_id, n)
SELECT json_extract(attrs, '$."individual-id"') AS i, count(*) FROM cr_resources
WHERE type = 'user-notifications' AND i IS NOT NULL GROUP BY i;

-- What the planner assumes of these (see the engine's 003_planner_statistics.sql).
INSERT INTO sqlite_stat1 (tbl, idx, stat) VALUES
    ('cr_resources', 'cr_notifications_active', '100000 100 90 1 1'),
    ('cr_resources', 'cr_notifications_category', '100000 100 10 1 1'),
    ('cr_resources', 'cr_notifications_individual', '100000 100 10 1 1'),
    ('cr_resources', 'cr_notifications_acknowledged', '100000 100 50 1 1'),
    ('cr_notification_counts', 'cr_notification_counts', '10000 10 5 2 1'),
    ('cr_individual_notifications', 'cr_individual_notifications', '10000 1');
ANALYZE sqlite_schema;
