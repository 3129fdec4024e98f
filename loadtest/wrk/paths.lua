-- Cycles through several paths, for backends whose responses differ in size or cost.
--   FULCRUM_PATHS=/small,/large,/slow wrk -t2 -c64 -d30s -s loadtest/wrk/paths.lua http://127.0.0.1:8080/
package.path = debug.getinfo(1, "S").source:match("@?(.*/)") .. "?.lua;" .. package.path
local report = require("report")

local paths = {}
for p in string.gmatch(os.getenv("FULCRUM_PATHS") or "/", "[^,]+") do
  table.insert(paths, p)
end
local next_index = 0

request = function()
  next_index = next_index % #paths + 1
  return wrk.format("GET", paths[next_index])
end

done = report.done
