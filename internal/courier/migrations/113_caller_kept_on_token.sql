-- Every request reads its caller (auth.go, callerSQL): the token's user, the
-- organizations it is a member of and its primary individual. Read through
-- two sub-queries (a member link's range with its aggregate, a users row) the
-- statement took 2.5 µs; kept on the token's row by the triggers below, in
-- the transaction of every write that changes them, it reads one row (and
-- the sniffers, which depend on the time): 1.2 µs (in process, one core).
ALTER TABLE cr_tokens ADD COLUMN orgs TEXT NOT NULL DEFAULT '[]';        -- json_group_array of the member links' to_id
ALTER TABLE cr_tokens ADD COLUMN individual TEXT NOT NULL DEFAULT '';    -- the user's primary-individual-id, '' when none
CREATE INDEX cr_tokens_user ON cr_tokens (user_id);

-- What the two columns stand for, in one place: the backfill and every
-- trigger below write a token's row from it.
CREATE VIEW cr_token_callers AS SELECT t.token,
    (SELECT json_group_array(to_id) FROM cr_links WHERE rel = 'member' AND from_id = t.user_id) AS orgs,
    COALESCE((SELECT json_extract(attrs, '$."primary-individual-id"') FROM cr_resources
        WHERE type = 'users' AND id = t.user_id), '') AS individual
    FROM cr_tokens t;

UPDATE cr_tokens SET (orgs, individual) = (SELECT orgs, individual FROM cr_token_callers c WHERE c.token = cr_tokens.token);

CREATE TRIGGER cr_tokens_kept_ins AFTER INSERT ON cr_tokens BEGIN
    UPDATE cr_tokens SET (orgs, individual) = (SELECT orgs, individual FROM cr_token_callers c WHERE c.token = cr_tokens.token)
    WHERE token = NEW.token;
END;
-- A token never changes hands (the product only seeds tokens): one that did
-- would need its row computed again, as on insert.
CREATE TRIGGER cr_tokens_user_fixed BEFORE UPDATE OF user_id ON cr_tokens BEGIN
    SELECT RAISE(ABORT, 'a token keeps its user: insert a new token instead');
END;

-- A user's member links: its organizations.
CREATE TRIGGER cr_tokens_orgs_ins AFTER INSERT ON cr_links WHEN NEW.rel = 'member' BEGIN
    UPDATE cr_tokens SET (orgs, individual) = (SELECT orgs, individual FROM cr_token_callers c WHERE c.token = cr_tokens.token)
    WHERE user_id = NEW.from_id;
END;
CREATE TRIGGER cr_tokens_orgs_del AFTER DELETE ON cr_links WHEN OLD.rel = 'member' BEGIN
    UPDATE cr_tokens SET (orgs, individual) = (SELECT orgs, individual FROM cr_token_callers c WHERE c.token = cr_tokens.token)
    WHERE user_id = OLD.from_id;
END;
CREATE TRIGGER cr_tokens_orgs_upd AFTER UPDATE OF rel, from_id, to_id ON cr_links
WHEN OLD.rel = 'member' OR NEW.rel = 'member' BEGIN
    UPDATE cr_tokens SET (orgs, individual) = (SELECT orgs, individual FROM cr_token_callers c WHERE c.token = cr_tokens.token)
    WHERE user_id IN (OLD.from_id, NEW.from_id);
END;

-- A users row: its primary individual.
CREATE TRIGGER cr_tokens_individual_ins AFTER INSERT ON cr_resources WHEN NEW.type = 'users' BEGIN
    UPDATE cr_tokens SET (orgs, individual) = (SELECT orgs, individual FROM cr_token_callers c WHERE c.token = cr_tokens.token)
    WHERE user_id = NEW.id;
END;
CREATE TRIGGER cr_tokens_individual_del AFTER DELETE ON cr_resources WHEN OLD.type = 'users' BEGIN
    UPDATE cr_tokens SET (orgs, individual) = (SELECT orgs, individual FROM cr_token_callers c WHERE c.token = cr_tokens.token)
    WHERE user_id = OLD.id;
END;
CREATE TRIGGER cr_tokens_individual_upd AFTER UPDATE OF type, id, attrs ON cr_resources
WHEN OLD.type = 'users' OR NEW.type = 'users' BEGIN
    UPDATE cr_tokens SET (orgs, individual) = (SELECT orgs, individual FROM cr_token_callers c WHERE c.token = cr_tokens.token)
    WHERE user_id IN (OLD.id, NEW.id);
END;

-- Migration 111's index served only the statement this replaces.
DROP INDEX cr_users_primary_individual;
