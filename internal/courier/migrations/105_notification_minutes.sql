-- A user's notifications per minute (substr(created_at, 1, 16)), kept by
-- triggers: the day a bound of user-notification-counts falls in is counted
-- from the whole minutes of it in range, and only the rows of the bound's own
-- minute are read.
CREATE TABLE cr_notification_minutes (
    user_id TEXT NOT NULL,
    minute  TEXT NOT NULL,
    n       INTEGER NOT NULL,
    PRIMARY KEY (user_id, minute)
) WITHOUT ROWID;

CREATE TRIGGER cr_notification_minutes_ins AFTER INSERT ON cr_resources WHEN NEW.type = 'user-notifications' BEGIN
    INSERT INTO cr_notification_minutes (user_id, minute, n) VALUES (NEW.parent_id, substr(NEW.created_at, 1, 16), 1)
    ON CONFLICT (user_id, minute) DO UPDATE SET n = n + 1;
END;

-- Deletes only decrement: a reset may empty this table before cr_resources.
CREATE TRIGGER cr_notification_minutes_del AFTER DELETE ON cr_resources WHEN OLD.type = 'user-notifications' BEGIN
    UPDATE cr_notification_minutes SET n = n - 1 WHERE user_id = OLD.parent_id AND minute = substr(OLD.created_at, 1, 16);
END;

CREATE TRIGGER cr_notification_minutes_upd AFTER UPDATE OF parent_id, created_at ON cr_resources
WHEN NEW.type = 'user-notifications' BEGIN
    UPDATE cr_notification_minutes SET n = n - 1 WHERE user_id = OLD.parent_id AND minute = substr(OLD.created_at, 1, 16);
    INSERT INTO cr_notification_minutes (user_id, minute, n) VALUES (NEW.parent_id, substr(NEW.created_at, 1, 16), 1)
    ON CONFLICT (user_id, minute) DO UPDATE SET n = n + 1;
END;

INSERT INTO cr_notification_minutes (user_id, minute, n)
SELECT parent_id, substr(created_at, 1, 16) AS m, count(*) FROM cr_resources WHERE type = 'user-notifications'
GROUP BY parent_id, m;

INSERT INTO sqlite_stat1 (tbl, idx, stat) VALUES ('cr_notification_minutes', 'cr_notification_minutes', '1000000 1000 1');
ANALYZE sqlite_schema;
