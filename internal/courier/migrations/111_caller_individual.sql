-- Every request reads its token's user's primary individual (auth.go,
-- callerSQL). Read from the user's attributes it cost a parse of the whole
-- JSON text each time (a third of the statement); this index keeps it beside
-- the user's id, and the statement reads it from there.
CREATE INDEX cr_users_primary_individual ON cr_resources (id, json_extract(attrs, '$."primary-individual-id"'))
    WHERE type = 'users';
