-- How many organizations there are, kept by triggers in the transaction of
-- each create and delete: the system administrator's unfiltered list reads
-- its total here instead of counting every organization.
CREATE TABLE ga_counts (
    what TEXT PRIMARY KEY,
    n    INTEGER NOT NULL
) WITHOUT ROWID;

CREATE TRIGGER ga_organizations_counted AFTER INSERT ON ga_organizations BEGIN
    INSERT INTO ga_counts (what, n) VALUES ('organizations', 1) ON CONFLICT (what) DO UPDATE SET n = n + 1;
END;

-- A delete only decrements: a reset may empty ga_counts before ga_organizations.
CREATE TRIGGER ga_organizations_uncounted AFTER DELETE ON ga_organizations BEGIN
    UPDATE ga_counts SET n = n - 1 WHERE what = 'organizations';
END;

INSERT INTO ga_counts (what, n) SELECT 'organizations', count(*) FROM ga_organizations;
