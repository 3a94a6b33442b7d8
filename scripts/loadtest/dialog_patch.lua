-- 360dialog: PATCH /360dialog/api/v2/partners/examplePA (X-API-Key), the
-- webhook URL flipping between two values. Usage: wrk -s dialog_patch.lua URL
dofile((debug.getinfo(1, "S").source:match("^@(.*/)") or "./") .. "count.lua")
wrk.headers["X-API-Key"] = "examplePA-api-key"
wrk.headers["Content-Type"] = "application/json"
writes("PATCH", {
  '{"webhook_url":"https://company.com/webhook-a"}',
  '{"webhook_url":"https://company.com/webhook-b"}',
})
