-- A user's notifications per day (substr(created_at, 1, 10), as
-- user-notification-counts groups them), kept by triggers: the list reads
-- whole days here and counts only the rows of the days its bounds fall in.
CREATE TABLE cr_notification_days (
    user_id TEXT NOT NULL,
    day     TEXT NOT NULL,
    n       INTEGER NOT NULL,
    PRIMARY KEY (user_id, day)
) WITHOUT ROWID;

CREATE TRIGGER cr_notification_days_ins AFTER INSERT ON cr_resources WHEN NEW.type = 'user-notifications' BEGIN
    INSERT INTO cr_notification_days (user_id, day, n) VALUES (NEW.parent_id, substr(NEW.created_at, 1, 10), 1)
    ON CONFLICT (user_id, day) DO UPDATE SET n = n + 1;
END;

-- Deletes only decrement: a reset may empty this table before cr_resources.
CREATE TRIGGER cr_notification_days_del AFTER DELETE ON cr_resources WHEN OLD.type = 'user-notifications' BEGIN
    UPDATE cr_notification_days SET n = n - 1 WHERE user_id = OLD.parent_id AND day = substr(OLD.created_at, 1, 10);
END;

CREATE TRIGGER cr_notification_days_upd AFTER UPDATE OF parent_id, created_at ON cr_resources
WHEN NEW.type = 'user-notifications' BEGIN
    UPDATE cr_notification_days SET n = n - 1 WHERE user_id = OLD.parent_id AND day = substr(OLD.created_at, 1, 10);
    INSERT INTO cr_notification_days (user_id, day, n) VALUES (NEW.parent_id, substr(NEW.created_at, 1, 10), 1)
    ON CONFLICT (user_id, day) DO UPDATE SET n = n + 1;
END;

INSERT INTO cr_notification_days (user_id, day, n)
SELECT parent_id, substr(created_at, 1, 10) AS d, count(*) FROM cr_resources WHERE type = 'user-notifications'
GROUP BY parent_id, d;

INSERT INTO sqlite_stat1 (tbl, idx, stat) VALUES ('cr_notification_days', 'cr_notification_days', '100000 100 1');
ANALYZE sqlite_schema;
