#!/usr/bin/env bash
# shellcheck disable=SC2317  # cleanup runs from a trap
# bench/conversation/run.sh — the full conversation path (new customer's webhook -> default flow -> reply at the
# fake Graph API -> three status webhooks) at fixed rates, next to bench/webhook's single-INSERT floor.
# See bench/README.md ("conversation").
#
#   bash bench/conversation/run.sh
#
# Starts everything it needs (throw-away durable PostgreSQL and Redis, one silo, the API and the floor server, all
# built in Release), runs ConversationBench (which hosts the fake Graph API), prints its summary and stops everything
# it started (also on Ctrl-C). Environment (all optional):
#   RATES (100,300,1000) messages/s, one phase each; PHASE_SECONDS (10) per phase; FLOOR_MAX_SECONDS (10, 0 = skip)
#   WARMUP_RATE (50) WARMUP_SECONDS (3); DRAIN_SECONDS (30); SETTLE_SECONDS (11); WHATSAPP_RATE (1000) pacing
#   BENCH_PG_PORT (55470) BENCH_REDIS_PORT (56420) BENCH_API_PORT (8120) BENCH_FLOOR_PORT (8121) BENCH_FAKE_PORT (8122)
#   BENCH_SILO_PORT (11150) BENCH_GATEWAY_PORT (30050); BENCH_ENVIRONMENT (production); KEEP=1 keeps the work dir
#   SILOS (1): silos in the cluster, silo i on BENCH_SILO_PORT+i-1 / BENCH_GATEWAY_PORT+i-1 (the run starts once all are Active)
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
# shellcheck source=scripts/lib/services.sh
. "$ROOT/scripts/lib/services.sh"
cb_dotnet_env

RATES=${RATES:-100,300,1000}
PHASE_SECONDS=${PHASE_SECONDS:-10}
FLOOR_MAX_SECONDS=${FLOOR_MAX_SECONDS:-10}
WARMUP_RATE=${WARMUP_RATE:-50}
WARMUP_SECONDS=${WARMUP_SECONDS:-3}
DRAIN_SECONDS=${DRAIN_SECONDS:-30}
SETTLE_SECONDS=${SETTLE_SECONDS:-11}
KEYWORD_TRIGGERS=${KEYWORD_TRIGGERS:-0}
PG_STATEMENTS=${PG_STATEMENTS:-0}
WHATSAPP_RATE=${WHATSAPP_RATE:-1000}
SILOS=${SILOS:-1}
[[ "$SILOS" =~ ^[1-9]$ ]] || { echo "SILOS must be 1..9 (got '$SILOS')" >&2; exit 2; }
PG_PORT=${BENCH_PG_PORT:-55470}
REDIS_PORT=${BENCH_REDIS_PORT:-56420}
API_PORT=${BENCH_API_PORT:-8120}
FLOOR_PORT=${BENCH_FLOOR_PORT:-8121}
FAKE_PORT=${BENCH_FAKE_PORT:-8122}
export SILO_PORT=${BENCH_SILO_PORT:-11150}
export GATEWAY_PORT=${BENCH_GATEWAY_PORT:-30050}
export ENVIRONMENT=${BENCH_ENVIRONMENT:-production}
# A throw-away database: its Data Protection key ring need not be encrypted with a certificate (production requires it).
export DATA_PROTECTION_ALLOW_UNENCRYPTED_KEYS=${DATA_PROTECTION_ALLOW_UNENCRYPTED_KEYS:-true}
case "$ENVIRONMENT" in
    development) aspenv=Development ;; production) aspenv=Production ;; test) aspenv=Test ;;
    *) cb_die "BENCH_ENVIRONMENT must be development, production or test" ;;
esac
export ASPNETCORE_ENVIRONMENT=$aspenv DOTNET_ENVIRONMENT=$aspenv
export ORLEANS_SERVICE_ID=chatboost-conversation-bench ORLEANS_CLUSTER_ID=chatboost-conversation-bench SILO_ADVERTISED_IP=127.0.0.1
CONFIG=Release
TFM=net10.0

WORK=$(mktemp -d /tmp/chatboost-conversation-bench.XXXXXX)
LOG_DIR="$WORK/logs"
mkdir -p "$LOG_DIR"
PG_DATA="$WORK/postgres"
REDIS_DIR="$WORK/redis"
STARTED_PG=0 STARTED_REDIS=0 API_PID="" FLOOR_PID=""
SILO_PIDS=()

cleanup() {
    local rc=$?
    trap - EXIT INT TERM
    trap '' INT TERM
    cb_kill_child_group || true
    cb_stop_pid "$FLOOR_PID" "floor" 10 group || true
    cb_stop_pid "$API_PID" "API" 20 group || true
    local pid
    for pid in "${SILO_PIDS[@]}"; do cb_stop_pid "$pid" "silo" 40 group || true; done
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
cb_ensure_packages postgres redis
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
if [ "$PG_STATEMENTS" = 1 ]; then
    export CB_PG_EXTRA_CONF="shared_preload_libraries = 'pg_stat_statements'
pg_stat_statements.track = 'all'
pg_stat_statements.track_planning = on"
fi
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
# Sends go to the fake Graph API that ConversationBench hosts on FAKE_PORT, paced like Meta's top tier.
export WHATSAPP_API_BASE_URL="http://127.0.0.1:$FAKE_PORT"
export WHATSAPP_RATE_PER_SECOND=$WHATSAPP_RATE
DB_CONNECTION="Host=127.0.0.1;Port=$PG_PORT;Username=chatboost;Password=$pg_password;Database=chatboost"

# Only what the benchmark runs (not the tests): silo, API, the floor and the benchmark (with the fake Graph API).
for proj in ChatBoost.Silo/ChatBoost.Silo.csproj ChatBoost.Api/ChatBoost.Api.csproj bench/webhook/Floor/Floor.csproj \
            bench/conversation/ConversationBench.csproj; do
    cb_log "dotnet build $proj -c $CONFIG"
    cb_run dotnet build "$ROOT/$proj" -c "$CONFIG" -nologo -v:q -clp:NoSummary >>"$LOG_DIR/build.log" 2>&1 \
        || { grep -E ': (error|warning) ' "$LOG_DIR/build.log" | sort -u | head -n 40 >&2 || true; cb_die "build failed (log: $LOG_DIR/build.log)"; }
done
SILO_DIR="$ROOT/ChatBoost.Silo/bin/$CONFIG/$TFM"
API_DIR="$ROOT/ChatBoost.Api/bin/$CONFIG/$TFM"
FLOOR_DIR="$ROOT/bench/webhook/Floor/bin/$CONFIG/$TFM"
BENCH_DIR="$ROOT/bench/conversation/bin/$CONFIG/$TFM"

cb_log "applying migrations"
cb_run_in "$SILO_DIR" dotnet ChatBoost.Silo.dll migrate >"$LOG_DIR/migrate.log" 2>&1 \
    || { show_log "$LOG_DIR/migrate.log"; cb_die "migrations failed"; }

cb_log "starting $SILOS silo(s), API (port $API_PORT, ENVIRONMENT=$ENVIRONMENT, WHATSAPP_RATE_PER_SECOND=$WHATSAPP_RATE) and floor (port $FLOOR_PORT)"
cb_start_silos "$SILOS" "$SILO_DIR" "$LOG_DIR"
(cd "$API_DIR" && ASPNETCORE_URLS="http://127.0.0.1:$API_PORT" exec setsid dotnet ChatBoost.Api.dll) >"$LOG_DIR/api.log" 2>&1 </dev/null &
API_PID=$!
(cd "$FLOOR_DIR" && FLOOR_CONNECTION_STRING="$DB_CONNECTION;Maximum Pool Size=64" \
    exec setsid dotnet Floor.dll --urls "http://127.0.0.1:$FLOOR_PORT") >"$LOG_DIR/floor.log" 2>&1 </dev/null &
FLOOR_PID=$!

active_silos() { cb_active_silos "$REDIS_PORT" "$ORLEANS_SERVICE_ID" "$ORLEANS_CLUSTER_ID"; }
deadline=$((SECONDS + 180))
until [ "$(cb_http_status "http://127.0.0.1:$API_PORT/health/ready")" = 200 ] \
      && [ "$(cb_http_status "http://127.0.0.1:$FLOOR_PORT/floor/health")" = 200 ] && [ "$(active_silos)" -ge "$SILOS" ]; do
    for ((i = 0; i < SILOS; i++)); do
        kill -0 "${SILO_PIDS[$i]}" 2>/dev/null || { show_log "$(cb_silo_log "$LOG_DIR" "$i")"; cb_die "silo $((i + 1)) exited during startup"; }
    done
    for p in "$API_PID:api" "$FLOOR_PID:floor"; do
        kill -0 "${p%%:*}" 2>/dev/null || { show_log "$LOG_DIR/${p#*:}.log"; cb_die "the ${p#*:} exited during startup"; }
    done
    [ "$SECONDS" -lt "$deadline" ] || { show_log "$LOG_DIR/silo.log"; show_log "$LOG_DIR/api.log"; cb_die "not ready after 180s ($(active_silos) of $SILOS silos active)"; }
    sleep 1
done
cb_log "$(active_silos) silo(s) active"

# ------------------------------------------------------------------ run ----
cb_log "running ConversationBench (rates $RATES/s, $PHASE_SECONDS s each; output also in $LOG_DIR/bench.out)"
rc=0
cb_run_in "$BENCH_DIR" dotnet ConversationBench.dll --api "http://127.0.0.1:$API_PORT" --floor "http://127.0.0.1:$FLOOR_PORT" \
    --database "$DB_CONNECTION" --app-secret "$APP_SECRET" --fake-port "$FAKE_PORT" --fake-rate "$WHATSAPP_RATE" \
    --rates "$RATES" --seconds "$PHASE_SECONDS" --floor-max-seconds "$FLOOR_MAX_SECONDS" \
    --warmup-rate "$WARMUP_RATE" --warmup-seconds "$WARMUP_SECONDS" --drain-seconds "$DRAIN_SECONDS" --settle-seconds "$SETTLE_SECONDS" \
    --keyword-triggers "$KEYWORD_TRIGGERS" \
    --cpu-pids "api=$API_PID silo=$(IFS=,; echo "${SILO_PIDS[*]}") floor=$FLOOR_PID postgres=$(head -n 1 "$PG_DATA/postmaster.pid") redis=$(cb_redis_pid "$REDIS_DIR" || true)" \
    > >(tee "$LOG_DIR/bench.out") 2>&1 || rc=$?
[ "$rc" -eq 0 ] || { show_log "$LOG_DIR/silo.log"; show_log "$LOG_DIR/api.log"; cb_die "ConversationBench failed (exit $rc)"; }
if [ "$PG_STATEMENTS" = 1 ]; then
    # What PostgreSQL spent its time on over the whole run (warm-up, floor and idle included), heaviest first.
    cb_pg_psql "$PG_DATA" "$PG_PORT" -d chatboost -q -c "CREATE EXTENSION IF NOT EXISTS pg_stat_statements" \
        -c "SELECT round(total_exec_time)::bigint AS total_ms, round(total_plan_time)::bigint AS plan_ms, calls, round(mean_exec_time::numeric, 3) AS mean_ms, rows,
                   left(regexp_replace(query, '\s+', ' ', 'g'), 160) AS query
            FROM pg_stat_statements ORDER BY total_exec_time DESC LIMIT 25" | tee -a "$LOG_DIR/bench.out"
fi
