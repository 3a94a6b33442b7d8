-- Row counts the lists answer with, kept by triggers in the transaction of
-- each write, so that a list's page costs the same however many rows there
-- are: organizations per account; senders and pools per account and per
-- account and organization ("<account> <organization>", the organization
-- key's scope); senders per pool (a pool's count). Deletes only decrement: a
-- reset may empty lm_counts before the tables it counts.
CREATE TABLE lm_counts (
    what  TEXT NOT NULL, -- 'organizations', 'senders', 'pools', 'pool_senders'
    owner TEXT NOT NULL,
    n     INTEGER NOT NULL,
    PRIMARY KEY (what, owner)
) WITHOUT ROWID;

CREATE TRIGGER lm_organizations_ins AFTER INSERT ON lm_organizations BEGIN
    INSERT INTO lm_counts VALUES ('organizations', NEW.account_id, 1) ON CONFLICT DO UPDATE SET n = n + 1;
END;
CREATE TRIGGER lm_organizations_del AFTER DELETE ON lm_organizations BEGIN
    UPDATE lm_counts SET n = n - 1 WHERE what = 'organizations' AND owner = OLD.account_id;
END;
CREATE TRIGGER lm_organizations_move AFTER UPDATE OF account_id ON lm_organizations BEGIN
    UPDATE lm_counts SET n = n - 1 WHERE what = 'organizations' AND owner = OLD.account_id;
    INSERT INTO lm_counts VALUES ('organizations', NEW.account_id, 1) ON CONFLICT DO UPDATE SET n = n + 1;
END;

CREATE TRIGGER lm_senders_ins AFTER INSERT ON lm_senders BEGIN
    INSERT INTO lm_counts VALUES ('senders', NEW.account_id, 1), ('senders', NEW.account_id || ' ' || NEW.organization_id, 1)
        ON CONFLICT DO UPDATE SET n = n + 1;
END;
CREATE TRIGGER lm_senders_del AFTER DELETE ON lm_senders BEGIN
    UPDATE lm_counts SET n = n - 1 WHERE what = 'senders'
        AND owner IN (OLD.account_id, OLD.account_id || ' ' || OLD.organization_id);
END;
CREATE TRIGGER lm_senders_move AFTER UPDATE OF account_id, organization_id ON lm_senders BEGIN
    UPDATE lm_counts SET n = n - 1 WHERE what = 'senders'
        AND owner IN (OLD.account_id, OLD.account_id || ' ' || OLD.organization_id);
    INSERT INTO lm_counts VALUES ('senders', NEW.account_id, 1), ('senders', NEW.account_id || ' ' || NEW.organization_id, 1)
        ON CONFLICT DO UPDATE SET n = n + 1;
END;

CREATE TRIGGER lm_pools_ins AFTER INSERT ON lm_pools BEGIN
    INSERT INTO lm_counts VALUES ('pools', NEW.account_id, 1), ('pools', NEW.account_id || ' ' || NEW.organization_id, 1)
        ON CONFLICT DO UPDATE SET n = n + 1;
END;
CREATE TRIGGER lm_pools_del AFTER DELETE ON lm_pools BEGIN
    UPDATE lm_counts SET n = n - 1 WHERE what = 'pools'
        AND owner IN (OLD.account_id, OLD.account_id || ' ' || OLD.organization_id);
END;
CREATE TRIGGER lm_pools_move AFTER UPDATE OF account_id, organization_id ON lm_pools BEGIN
    UPDATE lm_counts SET n = n - 1 WHERE what = 'pools'
        AND owner IN (OLD.account_id, OLD.account_id || ' ' || OLD.organization_id);
    INSERT INTO lm_counts VALUES ('pools', NEW.account_id, 1), ('pools', NEW.account_id || ' ' || NEW.organization_id, 1)
        ON CONFLICT DO UPDATE SET n = n + 1;
END;

CREATE TRIGGER lm_pool_senders_ins AFTER INSERT ON lm_pool_senders BEGIN
    INSERT INTO lm_counts VALUES ('pool_senders', NEW.pool_id, 1) ON CONFLICT DO UPDATE SET n = n + 1;
END;
CREATE TRIGGER lm_pool_senders_del AFTER DELETE ON lm_pool_senders BEGIN
    UPDATE lm_counts SET n = n - 1 WHERE what = 'pool_senders' AND owner = OLD.pool_id;
END;
CREATE TRIGGER lm_pool_senders_move AFTER UPDATE OF pool_id ON lm_pool_senders BEGIN
    UPDATE lm_counts SET n = n - 1 WHERE what = 'pool_senders' AND owner = OLD.pool_id;
    INSERT INTO lm_counts VALUES ('pool_senders', NEW.pool_id, 1) ON CONFLICT DO UPDATE SET n = n + 1;
END;

-- A database that already holds rows starts with their counts.
INSERT INTO lm_counts SELECT 'organizations', account_id, count(*) FROM lm_organizations GROUP BY account_id;
INSERT INTO lm_counts SELECT 'senders', account_id, count(*) FROM lm_senders GROUP BY account_id;
INSERT INTO lm_counts SELECT 'senders', account_id || ' ' || organization_id, count(*) FROM lm_senders
    GROUP BY account_id, organization_id;
INSERT INTO lm_counts SELECT 'pools', account_id, count(*) FROM lm_pools GROUP BY account_id;
INSERT INTO lm_counts SELECT 'pools', account_id || ' ' || organization_id, count(*) FROM lm_pools
    GROUP BY account_id, organization_id;
INSERT INTO lm_counts SELECT 'pool_senders', pool_id, count(*) FROM lm_pool_senders GROUP BY pool_id;

-- A Default key lists the account's pools in creation order.
CREATE INDEX lm_pools_account ON lm_pools (account_id, create_date, seq);
