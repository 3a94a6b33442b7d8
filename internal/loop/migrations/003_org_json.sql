-- An organization's answer kept in JSON parts (orgjson.go), encoded in Go by
-- the writes, so that its details, the organization list and PATCH answer
-- it verbatim: json_head ({"id":...), json_name (the name's JSON string,
-- set with every name), json_tail (status and create_date), json_api_key
-- (,"api_key":..., shown while webhook_url is set). NULL (a row from before
-- this migration): the answer is encoded from the columns.
ALTER TABLE lm_organizations ADD COLUMN json_head TEXT;
ALTER TABLE lm_organizations ADD COLUMN json_name TEXT;
ALTER TABLE lm_organizations ADD COLUMN json_tail TEXT;
ALTER TABLE lm_organizations ADD COLUMN json_api_key TEXT;
