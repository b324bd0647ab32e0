-- Shared by the scenario scripts (loaded with dofile from $LOAD_D).
--
-- wrk runs a script in one Lua state per thread plus one in the main thread: setup() and
-- done() run in the main one, init() and request() in each thread's. So anything a thread
-- needs (its id lists) is read in init(), and the result is read from wrk's own counters in
-- done().
local M = {}

-- One id per line. Read once per thread at start, never while measuring.
function M.lines(path)
  local out = {}
  for line in io.lines(path) do
    if line ~= "" then out[#out + 1] = line end
  end
  assert(#out > 0, "no ids in " .. path)
  return out
end

-- Numbers the threads, so that each starts at another place in the id lists (and the mixed
-- scenario can make CPR numbers no other thread makes). thread:set makes a global in the
-- thread's state.
local threads = 0
function M.setup(thread)
  thread:set("thread_index", threads)
  threads = threads + 1
end

-- A rotating pick over a list: every connection of the thread takes the next id, so reads
-- spread over the whole list instead of hitting one cached row.
function M.rotation(list)
  local n = #list
  local i = ((thread_index or 0) * 7919) % n
  return function()
    i = i % n + 1
    return list[i]
  end
end

-- wrk's format() replaces wrk.headers (which hold the -H headers, e.g. the bearer token) when
-- given a table, so a JSON request needs a copy of them plus its content type.
function M.json_headers()
  local h = {}
  for k, v in pairs(wrk.headers) do h[k] = v end
  h["Content-Type"] = "application/json"
  return h
end

-- The result as one machine-readable line; bench/load picks it out of wrk's output. Times in
-- microseconds. wrk counts every response outside 2xx/3xx in errors.status, and failed
-- connects, reads, writes and timeouts separately.
function M.done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'LOAD_RESULT {"requests": %d, "duration_us": %d, "p50_us": %d, "p99_us": %d, ' ..
    '"status_errors": %d, "connect_errors": %d, "read_errors": %d, "write_errors": %d, ' ..
    '"timeouts": %d}\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(99),
    e.status, e.connect, e.read, e.write, e.timeout))
end

-- Only when bench/load re-runs a failing scenario to show why: printing responses costs
-- throughput, and wrk reads bodies only when a response() function exists.
function M.debug_responses()
  if not os.getenv("LOAD_DEBUG") then return end
  local shown = 0
  response = function(status, headers, body)
    if (status < 200 or status > 399) and shown < 5 then
      shown = shown + 1
      io.write(string.format("LOAD_DEBUG %d %s\n", status, (body or ""):sub(1, 400)))
    end
  end
end

-- Makes the calling script a scenario over the ids in the file given as its argument:
-- `make_request(next_id)` returns each request, calling `next_id()` for the next id in turn.
function M.with_ids(make_request)
  local next_id
  setup = M.setup
  done = M.done
  init = function(args)
    next_id = M.rotation(M.lines(args[1]))
    M.debug_responses()
  end
  request = function()
    return make_request(next_id)
  end
end

return M
