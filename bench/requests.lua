-- wrk script for bench/bench.py: sends the requests listed in a file.
--   wrk ... -s requests.lua URL -- FILE NTHREADS MODE [BODY]
-- FILE has one "PATH AUTHORIZATION-VALUE..." per line (the value may hold
-- spaces: "Basic ..."; "-" for none), optionally followed by a tab and an
-- If-None-Match value (a conditional GET, whose expected answer is a 304). MODE "rotate": each thread cycles over
-- all lines, from its own offset (GET). MODE "once": thread k takes lines
-- k, k+n, k+2n... once each, then repeats its last one (its further answers are
-- not 200s). With BODY, requests are PATCHes carrying it, else GETs.
-- done() prints one line "RESULT k=v ..." with the expected answers (200s,
-- or 304s for conditional GETs) counted per thread as "ok".

local threads = {}
local counter = 0
expected = 200

function setup(thread)
  thread:set("tid", counter)
  counter = counter + 1
  table.insert(threads, thread)
end

function init(args)
  local file, nthreads, mode, body = args[1], tonumber(args[2]), args[3], args[4]
  reqs = {}
  local i = 0
  for line in io.lines(file) do
    if mode == "rotate" or i % nthreads == tid then
      local path, auth = line:match("^(%S+)%s+([^\t]*)")
      local etag = line:match("\t(.*)$")
      local headers = {}
      if auth ~= "-" then headers["Authorization"] = auth end
      if etag then
        headers["If-None-Match"] = etag
        expected = 304
      end
      if body then
        headers["Content-Type"] = "application/json"
        table.insert(reqs, wrk.format("PATCH", path, headers, body))
      else
        table.insert(reqs, wrk.format("GET", path, headers))
      end
    end
    i = i + 1
  end
  once = mode == "once"
  pos = once and 1 or (tid * 7919) % #reqs + 1
  ok = 0
  other = 0
  conflicts = 0
end

function request()
  local r = reqs[pos]
  if pos < #reqs then
    pos = pos + 1
  elseif not once then
    pos = 1
  end
  return r
end

function response(status, headers, body)
  if status == expected then ok = ok + 1 else other = other + 1 end
  if status == 409 then conflicts = conflicts + 1 end
end

function done(summary, latency, requests)
  local total_ok, total_other, total_conflicts = 0, 0, 0
  for _, t in ipairs(threads) do
    total_ok = total_ok + t:get("ok")
    total_other = total_other + t:get("other")
    total_conflicts = total_conflicts + t:get("conflicts")
  end
  local e = summary.errors
  io.write(string.format(
    "RESULT requests=%d duration_us=%d ok=%d other=%d conflicts=%d p50_us=%d p99_us=%d " ..
    "max_us=%d socket_errors=%d\n",
    summary.requests, summary.duration, total_ok, total_other, total_conflicts,
    latency:percentile(50), latency:percentile(99), latency.max,
    e.connect + e.read + e.write + e.timeout))
end
