-- A user is looked up by its primary individual one way only (userOf, by the
-- lower-cased id, through cr_users_individual_lower): the exact-case index
-- of migration 103 served a second copy of that look-up.
DROP INDEX IF EXISTS cr_users_individual;
