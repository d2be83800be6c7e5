#!/usr/bin/env bash
# shellcheck disable=SC2317  # cleanup runs from a trap
# bench/webhook/run.sh — signed WhatsApp webhooks against the running system vs. the same machine's
# floor (one HTTP POST = one plain Npgsql INSERT). See bench/webhook/README.md.
#
#   bash bench/webhook/run.sh
#
# Starts everything it needs (throw-away PostgreSQL and Redis, one silo, the API, the floor server, all
# built in Release), measures, prints a table and stops everything it started (also on Ctrl-C).
# Environment (all optional):
#   DURATION (10) seconds per max-throughput run; CONNECTIONS (64); WRK_THREADS (1); WARMUP (3) seconds
#   RATE (1000) messages/s for the fixed-rate runs, RATE_SECONDS (15)
#   BODIES (100000) signed bodies for the max-throughput webhook run (each wamid used once if enough)
#   BENCH_PG_PORT (55460) BENCH_REDIS_PORT (56410) BENCH_API_PORT (8110) BENCH_FLOOR_PORT (8111) BENCH_FAKE_PORT (8112)
#   BENCH_SILO_PORT (11140) BENCH_GATEWAY_PORT (30040)
#   BENCH_ENVIRONMENT (production) ENVIRONMENT of the silo and API; KEEP=1 keeps the work dir (logs, data)
#   ANALYTICS_AB=1: after the runs, restart the silo with ANALYTICS_ENABLED=false and run the webhook again
#     (max throughput and fixed rate): ingest with analytics on vs off, ratio in the same run (with SILOS=1 only)
#   SILOS (1): silos in the cluster, silo i on BENCH_SILO_PORT+i-1 / BENCH_GATEWAY_PORT+i-1 (the runs start once all are Active)
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
HERE="$ROOT/bench/webhook"
# shellcheck source=scripts/lib/services.sh
. "$ROOT/scripts/lib/services.sh"
cb_dotnet_env

DURATION=${DURATION:-10}
CONNECTIONS=${CONNECTIONS:-64}
WRK_THREADS=${WRK_THREADS:-1}
WARMUP=${WARMUP:-3}
RATE=${RATE:-1000}
RATE_SECONDS=${RATE_SECONDS:-15}
BODIES=${BODIES:-100000}
PG_PORT=${BENCH_PG_PORT:-55460}
REDIS_PORT=${BENCH_REDIS_PORT:-56410}
API_PORT=${BENCH_API_PORT:-8110}
FLOOR_PORT=${BENCH_FLOOR_PORT:-8111}
# The fake Graph API: a bot proves at Meta that its token reaches its number before it may take it.
FAKE_PORT=${BENCH_FAKE_PORT:-8112}
SILOS=${SILOS:-1}
[[ "$SILOS" =~ ^[1-9]$ ]] || { echo "SILOS must be 1..9 (got '$SILOS')" >&2; exit 2; }
[ "$SILOS" = 1 ] || [ "${ANALYTICS_AB:-0}" != 1 ] || { echo "ANALYTICS_AB=1 restarts one silo: run it with SILOS=1" >&2; exit 2; }
export SILO_PORT=${BENCH_SILO_PORT:-11140}
export GATEWAY_PORT=${BENCH_GATEWAY_PORT:-30040}
export ENVIRONMENT=${BENCH_ENVIRONMENT:-production}
# A throw-away database: its Data Protection key ring need not be encrypted with a certificate (production requires it).
export DATA_PROTECTION_ALLOW_UNENCRYPTED_KEYS=${DATA_PROTECTION_ALLOW_UNENCRYPTED_KEYS:-true}
case "$ENVIRONMENT" in
    development) aspenv=Development ;; production) aspenv=Production ;; test) aspenv=Test ;;
    *) cb_die "BENCH_ENVIRONMENT must be development, production or test" ;;
esac
export ASPNETCORE_ENVIRONMENT=$aspenv DOTNET_ENVIRONMENT=$aspenv
export ORLEANS_SERVICE_ID=chatboost-bench ORLEANS_CLUSTER_ID=chatboost-bench SILO_ADVERTISED_IP=127.0.0.1
CONFIG=Release
TFM=net10.0
PHONE_NUMBER_ID=100000000000001

WORK=$(mktemp -d /tmp/chatboost-webhook-bench.XXXXXX)
LOG_DIR="$WORK/logs"
mkdir -p "$LOG_DIR"
PG_DATA="$WORK/postgres"
REDIS_DIR="$WORK/redis"
STARTED_PG=0 STARTED_REDIS=0 SILO_PID="" API_PID="" FLOOR_PID="" FAKE_PID=""
SILO_PIDS=()   # SILO_PID is the first (the one ANALYTICS_AB restarts)

cleanup() {
    local rc=$?
    trap - EXIT INT TERM
    trap '' INT TERM
    cb_kill_child_group || true
    cb_stop_pid "$FLOOR_PID" "floor" 10 group || true
    cb_stop_pid "$FAKE_PID" "fake Graph API" 10 group || true
    cb_stop_pid "$API_PID" "API" 20 group || true
    local pid
    for pid in "$SILO_PID" "${SILO_PIDS[@]:1}"; do cb_stop_pid "$pid" "silo" 40 group || true; done
    if [ "$STARTED_REDIS" -eq 1 ]; then cb_redis_stop "$REDIS_DIR" "$REDIS_PORT" || true; fi
    if [ "$STARTED_PG" -eq 1 ]; then cb_pg_stop "$PG_DATA" || true; fi
    if [ "${KEEP:-0}" = 1 ] || [ "$rc" -ne 0 ]; then
        cb_log "work dir kept: $WORK (logs in $LOG_DIR)"
    else
        rm -rf "$WORK"
    fi
    exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

show_log() { [ -s "$1" ] && { echo "----- last 30 lines of $1 -----" >&2; tail -n 30 "$1" >&2; }; return 0; }

# ------------------------------------------------------------ prerequisites ----
command -v dotnet >/dev/null 2>&1 || cb_die "dotnet not found; install the .NET 10 SDK"
command -v curl >/dev/null 2>&1 || cb_die "curl not found"
command -v python3 >/dev/null 2>&1 || cb_die "python3 not found"
cb_ensure_packages postgres redis
command -v wrk >/dev/null 2>&1 || cb_apt_install wrk
for p in "$PG_PORT:BENCH_PG_PORT" "$REDIS_PORT:BENCH_REDIS_PORT" "$API_PORT:BENCH_API_PORT" "$FLOOR_PORT:BENCH_FLOOR_PORT" \
         "$FAKE_PORT:BENCH_FAKE_PORT"; do
    cb_require_free_port "${p%%:*}" "the benchmark" "${p#*:}"
done
for ((i = 0; i < SILOS; i++)); do
    cb_require_free_port "$((SILO_PORT + i))" "the benchmark" BENCH_SILO_PORT
    cb_require_free_port "$((GATEWAY_PORT + i))" "the benchmark" BENCH_GATEWAY_PORT
done

# ------------------------------------------------------------------ servers ----
pg_password=$(cb_random_hex 16)
cb_pg_start "$PG_DATA" "$PG_PORT" app "$LOG_DIR/postgres.log"     # durable: fsync and synchronous_commit on
STARTED_PG=1
cb_pg_ensure_app_db "$PG_DATA" "$PG_PORT" chatboost chatboost "$pg_password"
cb_redis_start "$REDIS_DIR" "$REDIS_PORT" test
STARTED_REDIS=1
export DATABASE_URL="postgresql://chatboost:${pg_password}@127.0.0.1:${PG_PORT}/chatboost"
export REDIS_URL="redis://127.0.0.1:${REDIS_PORT}/0"
SECRET_KEY=$(head -c 48 /dev/urandom | base64 -w0); export SECRET_KEY
APP_SECRET=$(cb_random_hex 32)
export WHATSAPP_APP_SECRET=$APP_SECRET
WHATSAPP_WEBHOOK_VERIFY_TOKEN=$(cb_random_hex 16); export WHATSAPP_WEBHOOK_VERIFY_TOKEN
export WHATSAPP_API_BASE_URL="http://127.0.0.1:$FAKE_PORT"
ACCESS_TOKEN="EAAB-webhook-bench-$(cb_random_hex 8)"

# Only what the benchmark runs (not the tests): silo, API and the three bench tools.
for proj in ChatBoost.Silo/ChatBoost.Silo.csproj ChatBoost.Api/ChatBoost.Api.csproj bench/webhook/Floor/Floor.csproj \
            bench/webhook/Generator/Generator.csproj bench/webhook/RateDriver/RateDriver.csproj tools/ChatBoost.FakeGraphApi/ChatBoost.FakeGraphApi.csproj; do
    cb_log "dotnet build $proj -c $CONFIG"
    cb_run dotnet build "$ROOT/$proj" -c "$CONFIG" -nologo -v:q -clp:NoSummary >>"$LOG_DIR/build.log" 2>&1 \
        || { grep -E ': (error|warning) ' "$LOG_DIR/build.log" | sort -u | head -n 40 >&2 || true; cb_die "build failed (log: $LOG_DIR/build.log)"; }
done
SILO_DIR="$ROOT/ChatBoost.Silo/bin/$CONFIG/$TFM"
API_DIR="$ROOT/ChatBoost.Api/bin/$CONFIG/$TFM"
FLOOR_DIR="$HERE/Floor/bin/$CONFIG/$TFM"
GEN_DLL="$HERE/Generator/bin/$CONFIG/$TFM/Generator.dll"
DRIVER_DLL="$HERE/RateDriver/bin/$CONFIG/$TFM/RateDriver.dll"
FAKE_DIR="$ROOT/tools/ChatBoost.FakeGraphApi/bin/$CONFIG/$TFM"

cb_log "applying migrations"
cb_run_in "$SILO_DIR" dotnet ChatBoost.Silo.dll migrate >"$LOG_DIR/migrate.log" 2>&1 \
    || { show_log "$LOG_DIR/migrate.log"; cb_die "migrations failed"; }

cb_log "starting $SILOS silo(s), API (port $API_PORT, ENVIRONMENT=$ENVIRONMENT), floor (port $FLOOR_PORT) and the fake Graph API (port $FAKE_PORT)"
cb_start_silos "$SILOS" "$SILO_DIR" "$LOG_DIR"
SILO_PID=${SILO_PIDS[0]}
(cd "$API_DIR" && ASPNETCORE_URLS="http://127.0.0.1:$API_PORT" exec setsid dotnet ChatBoost.Api.dll) >"$LOG_DIR/api.log" 2>&1 </dev/null &
API_PID=$!
(cd "$FLOOR_DIR" && FLOOR_CONNECTION_STRING="Host=127.0.0.1;Port=$PG_PORT;Username=chatboost;Password=$pg_password;Database=chatboost;Maximum Pool Size=64" \
    exec setsid dotnet Floor.dll --urls "http://127.0.0.1:$FLOOR_PORT") >"$LOG_DIR/floor.log" 2>&1 </dev/null &
FLOOR_PID=$!
(cd "$FAKE_DIR" && FAKE_GRAPH_ANY_PHONE_NUMBER=true exec setsid dotnet ChatBoost.FakeGraphApi.dll --urls "http://127.0.0.1:$FAKE_PORT") \
    >"$LOG_DIR/fake.log" 2>&1 </dev/null &
FAKE_PID=$!

deadline=$((SECONDS + 180))
until [ "$(cb_http_status "http://127.0.0.1:$FAKE_PORT/_fake/health")" = 200 ] \
      && [ "$(cb_http_status "http://127.0.0.1:$API_PORT/health/ready")" = 200 ] \
      && [ "$(cb_http_status "http://127.0.0.1:$FLOOR_PORT/floor/health")" = 200 ] \
      && [ "$(cb_active_silos "$REDIS_PORT" "$ORLEANS_SERVICE_ID" "$ORLEANS_CLUSTER_ID")" -ge "$SILOS" ]; do
    for ((i = 0; i < SILOS; i++)); do
        kill -0 "${SILO_PIDS[$i]}" 2>/dev/null || { show_log "$(cb_silo_log "$LOG_DIR" "$i")"; cb_die "silo $((i + 1)) exited during startup"; }
    done
    for p in "$API_PID:api" "$FLOOR_PID:floor" "$FAKE_PID:fake"; do
        kill -0 "${p%%:*}" 2>/dev/null || { show_log "$LOG_DIR/${p#*:}.log"; cb_die "the ${p#*:} exited during startup"; }
    done
    [ "$SECONDS" -lt "$deadline" ] || { show_log "$LOG_DIR/silo.log"; show_log "$LOG_DIR/api.log"; cb_die "not ready after 180s"; }
    sleep 1
done

# ------------------------------------------------------------ bot and bodies ----
API="http://127.0.0.1:$API_PORT"
json() { python3 -c 'import json,sys; print(json.load(sys.stdin)[sys.argv[1]])' "$1"; }
curl -sf -X POST "$API/auth/register" -H 'Content-Type: application/json' \
    -d '{"email":"bench@example.com","password":"correct horse battery staple","full_name":"Bench"}' >/dev/null \
    || cb_die "POST /auth/register failed"
TOKEN=$(curl -sf -X POST "$API/auth/token" -H 'Content-Type: application/json' \
    -d '{"username":"bench@example.com","password":"correct horse battery staple"}' | json access_token) \
    || cb_die "POST /auth/token failed"
BOT_ID=$(curl -sf -X POST "$API/bots/" -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/json' \
    -d "{\"name\":\"bench\",\"is_whatsapp_enabled\":true,\"whatsapp_phone_number_id\":\"$PHONE_NUMBER_ID\",\"whatsapp_access_token\":\"$ACCESS_TOKEN\",\"whatsapp_app_secret\":\"$APP_SECRET\",\"whatsapp_webhook_verify_token\":\"$WHATSAPP_WEBHOOK_VERIFY_TOKEN\"}" \
    | json id) || cb_die "POST /bots/ failed"
cb_log "bot $BOT_ID, phone number id $PHONE_NUMBER_ID"

gen() {   # gen <file> <count> <prefix>
    cb_run dotnet "$GEN_DLL" --out "$1" --count "$2" --secret "$APP_SECRET" --phone-number-id "$PHONE_NUMBER_ID" --prefix "$3" >/dev/null \
        || cb_die "generator failed"
}
warm_n=$((CONNECTIONS * 200 > 20000 ? CONNECTIONS * 200 : 20000))
rate_n=$((RATE * (RATE_SECONDS + 2)))
cb_log "generating signed bodies ($warm_n warm-up, $BODIES max-throughput, $rate_n x2 fixed-rate)"
gen "$WORK/warm.tsv" "$warm_n" "w$$"
gen "$WORK/max.tsv" "$BODIES" "m$$"
gen "$WORK/rate.tsv" "$rate_n" "r$$"
gen "$WORK/rate-floor.tsv" "$rate_n" "f$$"
if [ "${ANALYTICS_AB:-0}" = 1 ]; then
    gen "$WORK/max-off.tsv" "$BODIES" "n$$"
    gen "$WORK/rate-off.tsv" "$rate_n" "o$$"
fi

probe=$(head -n 1 "$WORK/warm.tsv")
WEBHOOK_PROBE=$(curl -s -o "$LOG_DIR/probe.out" -w '%{http_code}' -X POST "$API/whatsapp/webhook" -H 'Content-Type: application/json' \
    -H "X-Hub-Signature-256: ${probe%%$'\t'*}" --data-binary "${probe#*$'\t'}" || true)
cb_log "probe: POST /whatsapp/webhook answered HTTP $WEBHOOK_PROBE"

# ------------------------------------------------------------------ runs ----
# Everything shares this machine: say so when something else is already keeping it busy.
LOAD_BEFORE=$(cut -d' ' -f1 /proc/loadavg 2>/dev/null || echo "?")
CORES=$(nproc 2>/dev/null || echo "?")
cb_log "load average before the runs: $LOAD_BEFORE on $CORES cores"
run_wrk() {   # run_wrk <name> <path> <bodies> <port> <seconds> -> RESULT line in $WORK/<name>.out
    BENCH_BODIES="$3" BENCH_PATH="$2" BENCH_THREADS="$WRK_THREADS" \
        cb_run wrk -t"$WRK_THREADS" -c"$CONNECTIONS" -d"${5}s" --timeout 10s -s "$HERE/webhook.lua" "http://127.0.0.1:$4" \
        >"$WORK/$1.out" 2>&1 || { cat "$WORK/$1.out" >&2; cb_die "wrk failed ($1)"; }
}
run_rate() {  # run_rate <name> <url> <bodies>
    cb_run dotnet "$DRIVER_DLL" --url "$2" --file "$3" --rate "$RATE" --seconds "$RATE_SECONDS" --warmup-seconds 2 \
        >"$WORK/$1.out" 2>&1 || { cat "$WORK/$1.out" >&2; cb_die "rate driver failed ($1)"; }
}
field() { grep '^RESULT' "$WORK/$1.out" | tr ' ' '\n' | sed -n "s/^$2=//p"; }
# cpu_snap <name> [--settle] — CPU ticks so far of each process tree (and of the machine) into $WORK/<name>.cpu; a run's
# CPU is the difference of the snapshots before it and after it, the latter once the system fell quiet, so what the run
# left to do (the outlet's subscribers catching up) is counted in it; the report divides it by the run's requests.
cpu_snap() {
    python3 "$HERE/cpu_snapshot.py" ${2:-} api="$API_PID" silo="$(IFS=,; echo "${SILO_PIDS[*]}")" floor="$FLOOR_PID" fake="$FAKE_PID" \
        postgres="$(head -n 1 "$PG_DATA/postmaster.pid")" redis="$(cb_redis_pid "$REDIS_DIR" || true)" driver="-$$" >"$WORK/$1.cpu"
}
measured() {  # measured <name> <run_wrk|run_rate> <args...> — the run, between two CPU snapshots
    local name="$1" run="$2"; shift 2
    cpu_snap "$name-before"; "$run" "$name" "$@"; cpu_snap "$name-after" --settle
}

cb_log "floor: warm-up ${WARMUP}s, then ${DURATION}s at $CONNECTIONS connections"
run_wrk floor-warm /floor "$WORK/warm.tsv" "$FLOOR_PORT" "$WARMUP"
measured floor-max run_wrk /floor "$WORK/max.tsv" "$FLOOR_PORT" "$DURATION"
sleep 2
cb_log "webhook: warm-up ${WARMUP}s, then ${DURATION}s at $CONNECTIONS connections"
run_wrk webhook-warm /whatsapp/webhook "$WORK/warm.tsv" "$API_PORT" "$WARMUP"
sleep 2
measured webhook-max run_wrk /whatsapp/webhook "$WORK/max.tsv" "$API_PORT" "$DURATION"
sleep 3
cb_log "floor: fixed rate $RATE/s for ${RATE_SECONDS}s"
measured floor-rate run_rate "http://127.0.0.1:$FLOOR_PORT/floor" "$WORK/rate-floor.tsv"
sleep 2
cb_log "webhook: fixed rate $RATE/s for ${RATE_SECONDS}s"
measured webhook-rate run_rate "$API/whatsapp/webhook" "$WORK/rate.tsv"

if [ "${ANALYTICS_AB:-0}" = 1 ]; then
    # The same silo build with its analytics switched off (no aggregation reminders; AnalyticsOptions.Enabled).
    cb_log "restarting the silo with ANALYTICS_ENABLED=false"
    cb_stop_pid "$SILO_PID" "silo" 40 group || true
    (cd "$SILO_DIR" && ANALYTICS_ENABLED=false exec setsid dotnet ChatBoost.Silo.dll) >"$LOG_DIR/silo-off.log" 2>&1 </dev/null &
    SILO_PID=$!
    deadline=$((SECONDS + 180))
    until [ "$(curl -s -o /dev/null -w '%{http_code}' -X POST "$API/whatsapp/webhook" -H 'Content-Type: application/json' \
                 -H "X-Hub-Signature-256: ${probe%%$'\t'*}" --data-binary "${probe#*$'\t'}" || true)" = 200 ]; do
        kill -0 "$SILO_PID" 2>/dev/null || { show_log "$LOG_DIR/silo-off.log"; cb_die "the silo exited during startup (analytics off)"; }
        [ "$SECONDS" -lt "$deadline" ] || { show_log "$LOG_DIR/silo-off.log"; cb_die "no webhook answer 180s after the restart"; }
        sleep 1
    done
    grep -q "Analytics aggregation is off" "$LOG_DIR/silo-off.log" || cb_log "WARNING: the silo did not log that analytics is off"
    cb_log "webhook, analytics off: warm-up ${WARMUP}s, then ${DURATION}s at $CONNECTIONS connections, then $RATE/s for ${RATE_SECONDS}s"
    run_wrk webhook-off-warm /whatsapp/webhook "$WORK/warm.tsv" "$API_PORT" "$WARMUP"
    sleep 2
    run_wrk webhook-off-max /whatsapp/webhook "$WORK/max-off.tsv" "$API_PORT" "$DURATION"
    sleep 3
    run_rate webhook-off-rate "$API/whatsapp/webhook" "$WORK/rate-off.tsv"
fi

LOAD_AFTER=$(cut -d' ' -f1 /proc/loadavg 2>/dev/null || echo "?")
stored=$(cb_pg_psql "$PG_DATA" "$PG_PORT" -d chatboost -At -c "SELECT count(*) FROM messages" 2>/dev/null || echo "?")

# ------------------------------------------------------------------ report ----
python3 - "$WORK" "$CONNECTIONS" "$DURATION" "$RATE" "$RATE_SECONDS" "$BODIES" "$WEBHOOK_PROBE" "$stored" \
    "$LOAD_BEFORE" "$LOAD_AFTER" "$CORES" "$rate_n" <<'PY'
import json, sys
work, conns, dur, rate, rate_s, bodies, probe, stored, load_before, load_after, cores, rate_n = sys.argv[1:13]
def res(name):
    for line in open(f"{work}/{name}.out"):
        if line.startswith("RESULT"):
            return {k: float(v) for k, v in (kv.split("=") for kv in line.split()[1:])}
    raise SystemExit(f"no RESULT in {name}.out")
f, w, fr, wr = res("floor-max"), res("webhook-max"), res("floor-rate"), res("webhook-rate")
def ok_rps(r): return (r["requests"] - r["non2xx"]) / r["duration_s"]
def errs(r): return int(r["non2xx"] + r["connect_err"] + r["read_err"] + r["write_err"] + r["timeouts"])
def ratio(a, b): return f"{a / b:.2f}x" if b else "n/a"
rows = [
    ("max throughput: accepted req/s", f"{ok_rps(f):,.0f}", f"{ok_rps(w):,.0f}", ratio(ok_rps(w), ok_rps(f))),
    ("  latency p50 / p99 (ms)", f"{f['p50_ms']:.1f} / {f['p99_ms']:.1f}", f"{w['p50_ms']:.1f} / {w['p99_ms']:.1f}", ratio(w['p99_ms'], f['p99_ms']) + " (p99)"),
    ("  errors (non-2xx, socket)", f"{errs(f)}", f"{errs(w)}", ""),
    (f"fixed {rate}/s for {rate_s}s: ack p50 / p99 (ms)", f"{fr['p50_ms']:.1f} / {fr['p99_ms']:.1f}", f"{wr['p50_ms']:.1f} / {wr['p99_ms']:.1f}", ratio(wr['p99_ms'], fr['p99_ms']) + " (p99)"),
    ("  ack max (ms) / achieved req/s", f"{fr['max_ms']:.1f} / {fr['achieved_rps']:.0f}", f"{wr['max_ms']:.1f} / {wr['achieved_rps']:.0f}", ""),
    ("  errors", f"{int(fr['errors'])}", f"{int(wr['errors'])}", ""),
]
print()
print(f"bench/webhook — wrk {conns} connections x {dur}s; floor = POST /floor, one Npgsql INSERT per request (same PostgreSQL)")
print(f"{'':44} {'floor':>18} {'webhook':>18} {'webhook/floor':>16}")
for r in rows:
    print(f"{r[0]:44} {r[1]:>18} {r[2]:>18} {r[3]:>16}")
print()
for name in ("floor-rate", "webhook-rate"):
    detail = [l.strip() for l in open(f"{work}/{name}.out") if l.startswith("  ok ")]
    if detail:
        print(f"{name}: {detail[0]}")
def cpu(name):
    """CPU ms per process tree between the run's two snapshots, and how long after the run the system fell quiet."""
    b, a = (json.load(open(f"{work}/{name}-{when}.cpu")) for when in ("before", "after"))
    ms = 1000.0 / a["hz"]
    d = {k: (a[k] - b[k]) * ms for k in a if k not in ("hz", "settle_s")}
    d["total"] = sum(v for k, v in d.items() if k != "machine_busy")
    return d, a["settle_s"]
print()
print("CPU per request, microseconds (driver = wrk or the rate driver; the machine's own count, sampled, for information)")
runs = [("floor-max", ok_rps(f) * f["duration_s"]), ("webhook-max", ok_rps(w) * w["duration_s"]),
        ("floor-rate", int(rate_n)), ("webhook-rate", int(rate_n))]
costs = [(name, n) + cpu(name) for name, n in runs]
print(f"{'':14}" + "".join(f"{name:>14}" for name, *_ in costs))
for part in ("api", "silo", "floor", "postgres", "redis", "fake", "driver", "total", "machine_busy"):
    print(f"{part:14}" + "".join(f"{d[part] * 1000 / n:>14.0f}" for _, n, d, _ in costs))
print(f"{'quiet after s':14}" + "".join(f"{settle:>14}" for _, _, _, settle in costs))
import os
if os.path.exists(f"{work}/webhook-off-rate.out"):
    wo, wro = res("webhook-off-max"), res("webhook-off-rate")
    print()
    print("analytics on (the runs above) vs off (silo restarted with ANALYTICS_ENABLED=false, run after them)")
    print(f"{'':44} {'on':>18} {'off':>18} {'on/off':>16}")
    print(f"{'max throughput: accepted req/s':44} {ok_rps(w):>18,.0f} {ok_rps(wo):>18,.0f} {ratio(ok_rps(w), ok_rps(wo)):>16}")
    print(f"{'  latency p50 / p99 (ms)':44} {w['p50_ms']:.1f} / {w['p99_ms']:.1f}".ljust(63) + f"{wo['p50_ms']:.1f} / {wo['p99_ms']:.1f}".rjust(18) + f"{ratio(w['p99_ms'], wo['p99_ms']) + ' (p99)':>17}")
    print(f"{'  errors (non-2xx, socket)':44} {errs(w):>18} {errs(wo):>18}")
    print(f"{'fixed rate: ack p50 / p99 (ms)':44} {wr['p50_ms']:.1f} / {wr['p99_ms']:.1f}".ljust(63) + f"{wro['p50_ms']:.1f} / {wro['p99_ms']:.1f}".rjust(18) + f"{ratio(wr['p99_ms'], wro['p99_ms']) + ' (p99)':>17}")
    print(f"{'  achieved req/s / errors':44} {wr['achieved_rps']:.0f} / {int(wr['errors'])}".ljust(63) + f"{wro['achieved_rps']:.0f} / {int(wro['errors'])}".rjust(18))
print(f"webhook probe answered HTTP {probe}; rows in messages after the runs: {stored}")
print(f"load average (1 min) before the runs {load_before}, after {load_after}, on {cores} cores")
try:
    if float(load_before) >= 0.5 * float(cores):
        print("NOTE: the machine was already busy before the runs (other processes): the numbers are unreliable.")
except ValueError:
    pass
if probe == "404":
    print("NOTE: POST /whatsapp/webhook answered 404 — the endpoint does not exist in this build; its numbers are meaningless.")
if w["requests"] > int(bodies):
    print(f"NOTE: the webhook run sent {int(w['requests'])} requests with {bodies} bodies: wamids were reused (duplicates). Raise BODIES.")
PY
