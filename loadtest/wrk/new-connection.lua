-- One request per TCP connection through Fulcrum: every request asks the backend to close, so wrk
-- opens a new connection (accept, backend connect, relay, close) for each.
--   wrk -t2 -c32 -d30s -s loadtest/wrk/new-connection.lua http://127.0.0.1:8080/
package.path = debug.getinfo(1, "S").source:match("@?(.*/)") .. "?.lua;" .. package.path
local report = require("report")

wrk.headers["Connection"] = "close"

done = report.done
