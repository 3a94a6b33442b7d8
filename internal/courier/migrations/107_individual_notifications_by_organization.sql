-- An individual's notifications counted per organization: the communication
-- summary counts only those of the caller's organizations (a notification
-- about an individual may be another organization's). This replaces
-- cr_individual_notifications of migration 101, so its triggers are made
-- again without it; what they count in cr_notification_counts is unchanged.
CREATE TABLE cr_individual_org_notifications (
    individual_id NOT NULL,
    org_id        TEXT NOT NULL,
    n             INTEGER NOT NULL,
    PRIMARY KEY (individual_id, org_id)
) WITHOUT ROWID;

DROP TRIGGER cr_notifications_ins;
DROP TRIGGER cr_notifications_del;
DROP TRIGGER cr_notifications_upd;
DROP TABLE cr_individual_notifications;
DELETE FROM sqlite_stat1 WHERE tbl = 'cr_individual_notifications';

CREATE TRIGGER cr_notifications_ins AFTER INSERT ON cr_resources WHEN NEW.type = 'user-notifications' BEGIN
    INSERT INTO cr_notification_counts (user_id, org_id, active, acknowledged, n)
    VALUES (NEW.parent_id, NEW.org_id, (json_extract(NEW.attrs, '$."active"') = 1) IS TRUE,
        CASE WHEN json_extract(NEW.attrs, '$."acknowledged"') = 1 THEN 1 WHEN json_extract(NEW.attrs, '$."acknowledged"') = 0 THEN 0 ELSE -1 END, 1)
    ON CONFLICT (user_id, org_id, active, acknowledged) DO UPDATE SET n = n + 1;
    INSERT INTO cr_individual_org_notifications (individual_id, org_id, n)
    SELECT json_extract(NEW.attrs, '$."individual-id"'), NEW.org_id, 1 WHERE json_extract(NEW.attrs, '$."individual-id"') IS NOT NULL
    ON CONFLICT (individual_id, org_id) DO UPDATE SET n = n + 1;
END;

-- Deletes only decrement: a reset may empty these tables before cr_resources.
CREATE TRIGGER cr_notifications_del AFTER DELETE ON cr_resources WHEN OLD.type = 'user-notifications' BEGIN
    UPDATE cr_notification_counts SET n = n - 1 WHERE user_id = OLD.parent_id AND org_id = OLD.org_id
        AND active = ((json_extract(OLD.attrs, '$."active"') = 1) IS TRUE)
        AND acknowledged = CASE WHEN json_extract(OLD.attrs, '$."acknowledged"') = 1 THEN 1
            WHEN json_extract(OLD.attrs, '$."acknowledged"') = 0 THEN 0 ELSE -1 END;
    UPDATE cr_individual_org_notifications SET n = n - 1
    WHERE individual_id = json_extract(OLD.attrs, '$."individual-id"') AND org_id = OLD.org_id;
END;

CREATE TRIGGER cr_notifications_upd AFTER UPDATE OF org_id, parent_id, attrs ON cr_resources
WHEN NEW.type = 'user-notifications' BEGIN
    UPDATE cr_notification_counts SET n = n - 1 WHERE user_id = OLD.parent_id AND org_id = OLD.org_id
        AND active = ((json_extract(OLD.attrs, '$."active"') = 1) IS TRUE)
        AND acknowledged = CASE WHEN json_extract(OLD.attrs, '$."acknowledged"') = 1 THEN 1
            WHEN json_extract(OLD.attrs, '$."acknowledged"') = 0 THEN 0 ELSE -1 END;
    UPDATE cr_individual_org_notifications SET n = n - 1
    WHERE individual_id = json_extract(OLD.attrs, '$."individual-id"') AND org_id = OLD.org_id;
    INSERT INTO cr_notification_counts (user_id, org_id, active, acknowledged, n)
    VALUES (NEW.parent_id, NEW.org_id, (json_extract(NEW.attrs, '$."active"') = 1) IS TRUE,
        CASE WHEN json_extract(NEW.attrs, '$."acknowledged"') = 1 THEN 1 WHEN json_extract(NEW.attrs, '$."acknowledged"') = 0 THEN 0 ELSE -1 END, 1)
    ON CONFLICT (user_id, org_id, active, acknowledged) DO UPDATE SET n = n + 1;
    INSERT INTO cr_individual_org_notifications (individual_id, org_id, n)
    SELECT json_extract(NEW.attrs, '$."individual-id"'), NEW.org_id, 1 WHERE json_extract(NEW.attrs, '$."individual-id"') IS NOT NULL
    ON CONFLICT (individual_id, org_id) DO UPDATE SET n = n + 1;
END;

-- A database that already holds notifications starts with their counts.
INSERT INTO cr_individual_org_notifications (individual_id, org_id, n)
SELECT json_extract(attrs, '$."individual-id"') AS i, org_id, count(*) FROM cr_resources
WHERE type = 'user-notifications' AND i IS NOT NULL GROUP BY i, org_id;

-- What the planner assumes of it (see the engine's 003_planner_statistics.sql).
INSERT INTO sqlite_stat1 (tbl, idx, stat) VALUES
    ('cr_individual_org_notifications', 'cr_individual_org_notifications', '10000 1 1');
ANALYZE sqlite_schema;
