-- Shared by the write scripts (loaded with dofile): counts the answers of each
-- status in every wrk thread, and done() prints the distribution and the
-- answers outside 2xx as "statuses=201:1234,400:5" and "non2xx=N first=STATUS"
-- (run.sh reads these to mark a row FAIL), then the first such body. done()
-- runs in its own Lua state, so it collects the threads' counts through the
-- thread objects registered in setup().
local threads = {}

function setup(thread)
  table.insert(threads, thread)
end

statuses = {}
non2xx = 0
first_bad = 0
first_body = ""

function response(status, headers, body)
  statuses[status] = (statuses[status] or 0) + 1
  if status < 200 or status > 299 then
    non2xx = non2xx + 1
    if first_bad == 0 then
      first_bad = status
      first_body = body
    end
  end
end

function done(summary, latency, requests)
  local bad, first, fbody, all = 0, 0, "", {}
  for _, t in ipairs(threads) do
    bad = bad + (t:get("non2xx") or 0)
    for status, n in pairs(t:get("statuses") or {}) do
      all[status] = (all[status] or 0) + n
    end
    if first == 0 and (t:get("first_bad") or 0) ~= 0 then
      first = t:get("first_bad")
      fbody = t:get("first_body") or ""
    end
  end
  local keys, parts = {}, {}
  for status in pairs(all) do table.insert(keys, status) end
  table.sort(keys)
  for _, status in ipairs(keys) do table.insert(parts, status .. ":" .. all[status]) end
  io.write("statuses=" .. table.concat(parts, ",") .. "\n")
  io.write(string.format("non2xx=%d first=%d\n", bad, first))
  if first ~= 0 then
    io.write("first_body=" .. string.sub(fbody, 1, 300):gsub("\n", " ") .. "\n")
  end
end

-- writes(method, bodies): every request alternates between the given bodies, so
-- each write really changes the stored value.
function writes(method, bodies)
  local i = 0
  request = function()
    i = i + 1
    return wrk.format(method, nil, nil, bodies[(i % #bodies) + 1])
  end
end
