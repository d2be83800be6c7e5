-- wrk script for bench/webhook: POSTs pre-generated bodies (Generator output, one per line
-- "<X-Hub-Signature-256 value>\t<body>") to BENCH_PATH, cycling through them. Each wrk thread takes
-- its own share of the lines (line i goes to thread i mod BENCH_THREADS), so as long as a run sends
-- fewer requests than the file has lines, every request carries a different wamid.
--   BENCH_BODIES=bodies.tsv BENCH_PATH=/whatsapp/webhook BENCH_THREADS=1 wrk -t1 -c64 -d10s -s webhook.lua URL
local counter = 0
local threads = {}

function setup(thread)
  thread:set("id", counter)
  counter = counter + 1
  table.insert(threads, thread)
end

local bodies, signatures, n, i = {}, {}, 0, 0
local path = os.getenv("BENCH_PATH") or "/whatsapp/webhook"

function init(args)
  local nthreads = tonumber(os.getenv("BENCH_THREADS") or "1")
  local file = assert(io.open(assert(os.getenv("BENCH_BODIES"), "set BENCH_BODIES"), "r"))
  local line_no = 0
  for line in file:lines() do
    if line_no % nthreads == id then
      local tab = string.find(line, "\t", 1, true)
      n = n + 1
      signatures[n] = string.sub(line, 1, tab - 1)
      bodies[n] = string.sub(line, tab + 1)
    end
    line_no = line_no + 1
  end
  file:close()
  assert(n > 0, "no bodies for this thread")
end

function request()
  i = i + 1
  if i > n then i = 1 end
  return wrk.format("POST", path,
    { ["Content-Type"] = "application/json", ["X-Hub-Signature-256"] = signatures[i] }, bodies[i])
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    "RESULT requests=%d duration_s=%.3f non2xx=%d connect_err=%d read_err=%d write_err=%d timeouts=%d p50_ms=%.1f p99_ms=%.1f max_ms=%.1f\n",
    summary.requests, summary.duration / 1e6, e.status, e.connect, e.read, e.write, e.timeout,
    latency:percentile(50) / 1000, latency:percentile(99) / 1000, latency.max / 1000))
end
