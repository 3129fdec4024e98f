-- Shared by the scripts here: prints latency percentiles and the error counts wrk keeps, and
-- exits non-zero through an error when nothing got through (a proxy that carried nothing fails).
local report = {}

function report.done(summary, latency, requests)
  io.write(string.format("requests %d in %.1f s: %.0f/s\n", summary.requests, summary.duration / 1e6,
    summary.requests / (summary.duration / 1e6)))
  for _, p in ipairs({ 50, 90, 99, 99.9 }) do
    io.write(string.format("  p%-5s %8.0f us\n", p, latency:percentile(p)))
  end
  local e = summary.errors
  io.write(string.format("errors: connect %d, read %d, write %d, status %d, timeout %d\n",
    e.connect, e.read, e.write, e.status, e.timeout))
  if summary.requests == 0 then
    error("no request completed: is Fulcrum (and its backend) running at the target?")
  end
end

return report
