-- A message's splice form (jsonapi/splice_form.go): where the values a page
-- computes or reads lie in its stored attributes, when those are already its
-- answer's, with their checksum. The engine writes it with the message; a
-- row without one (all of them, until each is written again) is answered as
-- before.
ALTER TABLE cr_messaging_messages ADD COLUMN splice_form BLOB;
