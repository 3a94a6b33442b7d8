-- courier: POST /courier/v1/messaging-messages/ (a JSON:API document), Alice
-- (individual 1) posting into Pat's care-team channel 50000000-...-001.
dofile((debug.getinfo(1, "S").source:match("^@(.*/)") or "./") .. "count.lua")
wrk.headers["Authorization"] = "Bearer courier-admin-token"
wrk.headers["Content-Type"] = "application/vnd.api+json"
local doc = '{"data":{"type":"messaging-messages","attributes":{"channel-id":"50000000-0000-4000-8000-000000000001",'
  .. '"individual-id":"30000000-0000-4000-8000-000000000001","message":"%s"}},"meta":{}}'
writes("POST", { string.format(doc, "Load test message a"), string.format(doc, "Load test message b") })
