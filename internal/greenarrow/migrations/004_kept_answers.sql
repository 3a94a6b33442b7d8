-- Each organization's answer kept as encoded JSON (keptanswers.go), so that
-- GET organization answers it, and the list a page of them, without reading
-- and encoding about eleven columns a row: json_system is the object a
-- system administrator sees, json_org the one an organization admin sees,
-- the bytes of appendOrg, written by Go with every write that changes what
-- they show (the seed, create and update; credits and the lifetime count are
-- not shown). NULL (a row written before this migration): the answer is
-- encoded from the columns, until an update writes it.
ALTER TABLE ga_organizations ADD COLUMN json_system TEXT;
ALTER TABLE ga_organizations ADD COLUMN json_org TEXT;
