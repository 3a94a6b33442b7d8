-- GreenArrow: PUT /greenarrow/ga/api/v2/organizations/{id} as the system
-- administrator (HTTP Basic 1:ga-system-admin-secret), the text footer
-- flipping between two values.
dofile((debug.getinfo(1, "S").source:match("^@(.*/)") or "./") .. "count.lua")
wrk.headers["Authorization"] = "Basic MTpnYS1zeXN0ZW0tYWRtaW4tc2VjcmV0"
wrk.headers["Content-Type"] = "application/json"
writes("PUT", {
  '{"organization":{"text_footer":"footer a"}}',
  '{"organization":{"text_footer":"footer b"}}',
})
