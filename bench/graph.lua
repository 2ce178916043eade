-- wrk script for accessd: GETs a path template with "{id}" replaced per request by an id drawn
-- at random from a file, with a bearer token; prints one machine-readable RESULT line.
-- Environment:
--   LOAD_PATH     path template, e.g. /v1.0/...assignments?$filter=target/objectId%20eq%20'{id}'
--   LOAD_ID_FILE  ids, one a line
--   TOKEN         bearer token
--   LOAD_DELAY_MS optional mean think time per connection between requests (paced load); each
--                 pause is drawn from an exponential distribution with that mean, so that the
--                 connections act as independent clients (Poisson arrivals) instead of moving in
--                 lock-step and arriving in bursts of all connections at once
local tpl = os.getenv("LOAD_PATH") or "/"
local idfile = os.getenv("LOAD_ID_FILE")
local token = os.getenv("TOKEN") or ""
local pause = tonumber(os.getenv("LOAD_DELAY_MS") or "0")
local headers = { ["Authorization"] = "Bearer " .. token }
local ids = {}
if idfile and idfile ~= "" then
  for line in io.lines(idfile) do
    if line ~= "" then ids[#ids + 1] = line end
  end
end

local counter = 0
function setup(thread)
  counter = counter + 1
  thread:set("tid", counter)
end

function init(args)
  math.randomseed(os.time() * 1000 + (tid or 0) * 7919)
end

function request()
  local p = tpl
  if #ids > 0 then
    p = (tpl:gsub("{id}", ids[math.random(#ids)]))
  end
  return wrk.format("GET", p, headers, nil)
end

if pause > 0 then
  function delay()
    return math.floor(-pause * math.log(1 - math.random()) + 0.5)
  end
end

local bad = 0
function response(status, headers, body)
  if status ~= 200 then
    bad = bad + 1
    if bad <= 3 then io.stderr:write("status " .. status .. ": " .. string.sub(body, 1, 300) .. "\n") end
  end
end

function done(summary, latency, requests)
  local e = summary.errors
  local secs = summary.duration / 1e6
  io.write(string.format(
    "RESULT rps=%.1f requests=%d secs=%.2f p50_us=%d p90_us=%d p99_us=%d max_us=%d "
      .. "err_connect=%d err_read=%d err_write=%d err_status=%d err_timeout=%d\n",
    summary.requests / secs, summary.requests, secs,
    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max,
    e.connect, e.read, e.write, e.status, e.timeout))
end
