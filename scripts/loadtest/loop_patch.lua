-- LoopMessage: PATCH /loopmessage/api/v1/organizations/details/{id}/ with the
-- account's Default key, the website flipping between two values.
dofile((debug.getinfo(1, "S").source:match("^@(.*/)") or "./") .. "count.lua")
wrk.headers["Authorization"] = "lm-acme-default"
wrk.headers["Content-Type"] = "application/json"
writes("PATCH", {
  '{"website":"https://labs-a.acme.example.com"}',
  '{"website":"https://labs-b.acme.example.com"}',
})
