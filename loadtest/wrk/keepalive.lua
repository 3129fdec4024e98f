-- Keep-alive GETs through Fulcrum (wrk reuses each connection).
--   wrk -t2 -c64 -d30s -s loadtest/wrk/keepalive.lua http://127.0.0.1:8080/
-- FULCRUM_PATH picks the path (default: the URL's).
package.path = debug.getinfo(1, "S").source:match("@?(.*/)") .. "?.lua;" .. package.path
local report = require("report")

local path = os.getenv("FULCRUM_PATH")
if path then
  wrk.path = path
end

done = report.done
