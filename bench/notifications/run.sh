#!/usr/bin/env bash
# shellcheck disable=SC2317  # cleanup runs from a trap
# bench/notifications/run.sh — S open /ws sockets on one API process and one silo, R notifications per second to them:
# delivery latency (POST → frame) p50/p99, memory per idle socket, the API's CPU. See bench/README.md ("notifications").
#
#   SOCKETS=10000 RATE=1000 SECONDS_RUN=30 bash bench/notifications/run.sh   (the issue's size; defaults 2000, 200, 30)
#
# Starts throw-away PostgreSQL and Redis, one silo and the API (Release), runs NotificationBench, stops everything.
# Environment (optional): SOCKETS (2000) RATE (200) SECONDS_RUN (30) BENCH_PG_PORT (55480) BENCH_REDIS_PORT (56480)
#   BENCH_API_PORT (8130) BENCH_SILO_PORT (11160) BENCH_GATEWAY_PORT (30060); KEEP=1 keeps the work dir
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
# shellcheck source=scripts/lib/services.sh
. "$ROOT/scripts/lib/services.sh"
cb_dotnet_env

SOCKETS=${SOCKETS:-2000}
RATE=${RATE:-200}
SECONDS_RUN=${SECONDS_RUN:-30}
PG_PORT=${BENCH_PG_PORT:-55480}
REDIS_PORT=${BENCH_REDIS_PORT:-56480}
API_PORT=${BENCH_API_PORT:-8130}
export SILO_PORT=${BENCH_SILO_PORT:-11160}
export GATEWAY_PORT=${BENCH_GATEWAY_PORT:-30060}
export ENVIRONMENT=production ASPNETCORE_ENVIRONMENT=Production DOTNET_ENVIRONMENT=Production
export DATA_PROTECTION_ALLOW_UNENCRYPTED_KEYS=true
export ORLEANS_SERVICE_ID=chatboost-notification-bench ORLEANS_CLUSTER_ID=chatboost-notification-bench SILO_ADVERTISED_IP=127.0.0.1
export NOTIFICATION_MAX_SOCKETS_PER_USER=10
CONFIG=Release
TFM=net10.0

WORK=$(mktemp -d /tmp/chatboost-notification-bench.XXXXXX)
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
for p in "$PG_PORT" "$REDIS_PORT" "$API_PORT" "$SILO_PORT" "$GATEWAY_PORT"; do cb_require_free_port "$p" "the benchmark" "port"; done
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true

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

for proj in ChatBoost.Silo/ChatBoost.Silo.csproj ChatBoost.Api/ChatBoost.Api.csproj bench/notifications/NotificationBench.csproj; do
    cb_log "dotnet build $proj -c $CONFIG"
    cb_run dotnet build "$ROOT/$proj" -c "$CONFIG" -nologo -v:q -clp:NoSummary >>"$LOG_DIR/build.log" 2>&1 \
        || { grep -E ': (error|warning) ' "$LOG_DIR/build.log" | sort -u | head -n 40 >&2 || true; cb_die "build failed (log: $LOG_DIR/build.log)"; }
done
SILO_DIR="$ROOT/ChatBoost.Silo/bin/$CONFIG/$TFM"
API_DIR="$ROOT/ChatBoost.Api/bin/$CONFIG/$TFM"
BENCH_DIR="$ROOT/bench/notifications/bin/$CONFIG/$TFM"

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

cb_log "running NotificationBench ($SOCKETS sockets, $RATE notifications/s for $SECONDS_RUN s)"
cb_run_in "$BENCH_DIR" dotnet NotificationBench.dll --api "http://127.0.0.1:$API_PORT" --database "$DB_CONNECTION" --secret "$SECRET_KEY" \
    --api-pid "$API_PID" --silo-pid "$SILO_PID" --sockets "$SOCKETS" --rate "$RATE" --seconds "$SECONDS_RUN" \
    || { show_log "$LOG_DIR/api.log"; cb_die "NotificationBench failed"; }
