-- The wrk script of wrk-run.ts: POSTs the bodies of a file in one turn shared by every connection, and
-- prints what the step measured as one JSON line.
--
-- Arguments (after `--`): the bodies file, then the number of wrk threads.
-- The bodies file holds one record per body, each:
--   "<header count> <body bytes>\n", then "<name>: <value>\n" per header, then the body's bytes.
-- Lengths are in bytes, so a binary body (the KServe binary extension) passes byte for byte.
--
-- A wrk thread is one Lua state, and request() is called for every request of every connection of that
-- thread: one counter per state is a turn shared by its connections, so requests in flight together are
-- distinct while there are more bodies than connections. With T threads, thread k takes bodies k, k+T,
-- k+2T... of the same turn. Every request is formatted once, in init(); request() only looks one up.
-- There is no response(): defining it makes wrk hand every response's headers and body to Lua.

local thread_count = 0

function setup(thread)
  thread:set("thread_id", thread_count)
  thread_count = thread_count + 1
end

local requests = {}
local step = 1
local turn = 0

function init(args)
  local file = assert(io.open(args[1], "rb"), "wrk-shared-turn.lua: cannot open the bodies file " .. tostring(args[1]))
  local data = file:read("*a")
  file:close()
  local pos = 1
  while pos <= #data do
    local _, last, header_count, body_bytes = data:find("^(%d+) (%d+)\n", pos)
    assert(last, "wrk-shared-turn.lua: a bad record header at byte " .. pos)
    pos = last + 1
    local headers = {}
    for _ = 1, tonumber(header_count) do
      local _, line_end, name, value = data:find("^([^:\n]+): ([^\n]*)\n", pos)
      assert(line_end, "wrk-shared-turn.lua: a bad header line at byte " .. pos)
      headers[name] = value
      pos = line_end + 1
    end
    local body = data:sub(pos, pos + tonumber(body_bytes) - 1)
    pos = pos + tonumber(body_bytes)
    requests[#requests + 1] = wrk.format("POST", nil, headers, body)
  end
  assert(#requests > 0, "wrk-shared-turn.lua: the bodies file holds no body")
  step = tonumber(args[2]) or 1
  turn = thread_id or 0
end

function request()
  local r = requests[turn % #requests + 1]
  turn = turn + step
  return r
end

-- JSON has no NaN or infinity (the mean of no samples): those are null.
local function number(x)
  if x ~= x or x == math.huge or x == -math.huge then return "null" end
  return string.format("%.17g", x)
end

function done(summary, latency, _)
  local e = summary.errors
  io.write(string.format(
    '{"wrk":"done","durationUs":%s,"requests":%s,"errors":{"connect":%s,"read":%s,"write":%s,"status":%s,"timeout":%s},' ..
      '"latencyUs":{"p50":%s,"p95":%s,"p99":%s,"mean":%s,"max":%s}}\n',
    number(summary.duration), number(summary.requests),
    number(e.connect), number(e.read), number(e.write), number(e.status), number(e.timeout),
    number(latency:percentile(50)), number(latency:percentile(95)), number(latency:percentile(99)),
    number(latency.mean), number(latency.max)))
end
