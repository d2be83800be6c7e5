#!/usr/bin/env bash
# shellcheck disable=SC2317  # cleanup runs from a trap
# bench/broadcast/run.sh — one broadcast run to N contacts on one silo and one API, the number paced at RATE/s and the
# fake Graph API allowing META_RATE (default RATE) in any second: achieved rate vs configured, 130429s, time to first, memory.
# See bench/README.md ("broadcast").
#
#   RECIPIENTS=10000 RATE=80 bash bench/broadcast/run.sh
#   RATE=72 META_RATE=80 bash bench/broadcast/run.sh   # paced 10% under Meta's limit, as the README advises
#
# Starts throw-away PostgreSQL and Redis, one silo and the API (Release), runs BroadcastBench, stops everything.
# Environment (optional): RECIPIENTS (10000) RATE (80) META_RATE (the fake's limit per second; RATE) BENCH_PG_PORT (55490) BENCH_REDIS_PORT (56490) BENCH_API_PORT (8140)
#   BENCH_FAKE_PORT (8142) BENCH_SILO_PORT (11170) BENCH_GATEWAY_PORT (30070); KEEP=1 keeps the work dir
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
# shellcheck source=scripts/lib/services.sh
. "$ROOT/scripts/lib/services.sh"
cb_dotnet_env

RECIPIENTS=${RECIPIENTS:-10000}
RATE=${RATE:-80}
META_RATE=${META_RATE:-$RATE}
PG_PORT=${BENCH_PG_PORT:-55490}
REDIS_PORT=${BENCH_REDIS_PORT:-56490}
API_PORT=${BENCH_API_PORT:-8140}
FAKE_PORT=${BENCH_FAKE_PORT:-8142}
export SILO_PORT=${BENCH_SILO_PORT:-11170}
export GATEWAY_PORT=${BENCH_GATEWAY_PORT:-30070}
export ENVIRONMENT=production ASPNETCORE_ENVIRONMENT=Production DOTNET_ENVIRONMENT=Production
export DATA_PROTECTION_ALLOW_UNENCRYPTED_KEYS=true
export ORLEANS_SERVICE_ID=chatboost-broadcast-bench ORLEANS_CLUSTER_ID=chatboost-broadcast-bench SILO_ADVERTISED_IP=127.0.0.1
export WHATSAPP_API_BASE_URL="http://127.0.0.1:$FAKE_PORT" WHATSAPP_RATE_PER_SECOND="$RATE"
CONFIG=Release
TFM=net10.0

WORK=$(mktemp -d /tmp/chatboost-broadcast-bench.XXXXXX)
LOG_DIR="$WORK/logs"
mkdir -p "$LOG_DIR"
PG_DATA="$WORK/postgres"
REDIS_DIR="$WORK/redis"
STARTED_PG=0 STARTED_REDIS=0 SILO_PID="" API_PID=""

cleanup() {
    local rc=$?
    trap - EXIT INT TERM
    trap '' INT TERM
    cb_kill_child_group || true
    cb_stop_pid "$API_PID" "API" 20 group || true
    cb_stop_pid "$SILO_PID" "silo" 40 group || true
    if [ "$STARTED_REDIS" -eq 1 ]; then cb_redis_stop "$REDIS_DIR" "$REDIS_PORT" || true; fi
    if [ "$STARTED_PG" -eq 1 ]; then cb_pg_stop "$PG_DATA" || true; fi
    if [ "${KEEP:-0}" = 1 ] || [ "$rc" -ne 0 ]; then cb_log "work dir kept: $WORK (logs in $LOG_DIR)"; else rm -rf "$WORK"; fi
    exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

show_log() { [ -s "$1" ] && { echo "----- last 30 lines of $1 -----" >&2; tail -n 30 "$1" >&2; }; return 0; }

cb_ensure_packages postgres redis
for p in "$PG_PORT" "$REDIS_PORT" "$API_PORT" "$FAKE_PORT" "$SILO_PORT" "$GATEWAY_PORT"; do cb_require_free_port "$p" "the benchmark" "port"; done

pg_password=$(cb_random_hex 16)
cb_pg_start "$PG_DATA" "$PG_PORT" app "$LOG_DIR/postgres.log"
STARTED_PG=1
cb_pg_ensure_app_db "$PG_DATA" "$PG_PORT" chatboost chatboost "$pg_password"
cb_redis_start "$REDIS_DIR" "$REDIS_PORT" test
STARTED_REDIS=1
export DATABASE_URL="postgresql://chatboost:${pg_password}@127.0.0.1:${PG_PORT}/chatboost"
export REDIS_URL="redis://127.0.0.1:${REDIS_PORT}/0"
SECRET_KEY=$(head -c 48 /dev/urandom | base64 -w0); export SECRET_KEY
WHATSAPP_APP_SECRET=$(cb_random_hex 32); export WHATSAPP_APP_SECRET
DB_CONNECTION="Host=127.0.0.1;Port=$PG_PORT;Username=chatboost;Password=$pg_password;Database=chatboost"

for proj in ChatBoost.Silo/ChatBoost.Silo.csproj ChatBoost.Api/ChatBoost.Api.csproj bench/broadcast/BroadcastBench.csproj; do
    cb_log "dotnet build $proj -c $CONFIG"
    cb_run dotnet build "$ROOT/$proj" -c "$CONFIG" -nologo -v:q -clp:NoSummary >>"$LOG_DIR/build.log" 2>&1 \
        || { grep -E ': (error|warning) ' "$LOG_DIR/build.log" | sort -u | head -n 40 >&2 || true; cb_die "build failed (log: $LOG_DIR/build.log)"; }
done
SILO_DIR="$ROOT/ChatBoost.Silo/bin/$CONFIG/$TFM"
API_DIR="$ROOT/ChatBoost.Api/bin/$CONFIG/$TFM"
BENCH_DIR="$ROOT/bench/broadcast/bin/$CONFIG/$TFM"

cb_run_in "$SILO_DIR" dotnet ChatBoost.Silo.dll migrate >"$LOG_DIR/migrate.log" 2>&1 || { show_log "$LOG_DIR/migrate.log"; cb_die "migrations failed"; }
(cd "$SILO_DIR" && exec setsid dotnet ChatBoost.Silo.dll) >"$LOG_DIR/silo.log" 2>&1 </dev/null &
SILO_PID=$!
(cd "$API_DIR" && ASPNETCORE_URLS="http://127.0.0.1:$API_PORT" exec setsid dotnet ChatBoost.Api.dll) >"$LOG_DIR/api.log" 2>&1 </dev/null &
API_PID=$!
deadline=$((SECONDS + 180))
until [ "$(cb_http_status "http://127.0.0.1:$API_PORT/health/ready")" = 200 ]; do
    for p in "$SILO_PID:silo" "$API_PID:api"; do
        kill -0 "${p%%:*}" 2>/dev/null || { show_log "$LOG_DIR/${p#*:}.log"; cb_die "the ${p#*:} exited during startup"; }
    done
    [ "$SECONDS" -lt "$deadline" ] || { show_log "$LOG_DIR/silo.log"; show_log "$LOG_DIR/api.log"; cb_die "not ready after 180s"; }
    sleep 1
done

# The silo runs under setsid: its pid is the dotnet process (exec), whose memory the benchmark samples.
cb_log "running BroadcastBench ($RECIPIENTS recipients at $RATE/s, the fake allowing $META_RATE/s)"
cb_run_in "$BENCH_DIR" dotnet BroadcastBench.dll --api "http://127.0.0.1:$API_PORT" --database "$DB_CONNECTION" \
    --rate "$RATE" --meta-rate "$META_RATE" --recipients "$RECIPIENTS" --fake-port "$FAKE_PORT" --silo-pid "$SILO_PID" \
    > >(tee "$LOG_DIR/bench.out") 2>&1 || { cb_log "BroadcastBench: the run missed a target (its report above; log: $LOG_DIR/bench.out)"; exit 1; }
