#!/usr/bin/env bash
# shellcheck disable=SC2317  # functions below run from traps / are hooks
# scripts/up.sh — run the whole ChatBoost system (PostgreSQL, Redis, Orleans
# silos, API processes) in the foreground on a Debian/Ubuntu machine with the .NET 10 SDK.
#
#   bash scripts/up.sh                       # one silo, one API; Ctrl-C (or SIGTERM) stops everything it started
#   bash scripts/up.sh --silos 3 --apis 2    # a cluster: silo i listens on SILO_PORT+i-1 / GATEWAY_PORT+i-1,
#                                            # API j on API_PORT+j-1 (logs silo.log, silo2.log, ..., api.log, api2.log, ...)
#
# When one silo or API exits the others keep running (the cluster decides what survives) and the script says so;
# it stops everything when no silo or no API is left, or on Ctrl-C.
#
# Environment (all optional):
#   DATABASE_URL / REDIS_URL  use these external servers instead of private ones
#   DATA_DIR     private data, secrets and logs            (default: <repo>/.data)
#   PG_PORT      private PostgreSQL port (127.0.0.1)         (default: 55432)
#   REDIS_PORT   private Redis port (127.0.0.1)              (default: 56379)
#   API_PORT     first API's port (0.0.0.0)                  (default: 8000)
#   SILO_PORT / GATEWAY_PORT / SILO_ADVERTISED_IP   first silo's (default: 11111 / 30000 / 127.0.0.1)
#   SECRET_KEY   JWT secret; if unset one is generated once into $DATA_DIR/secret_key
#   ENVIRONMENT  development | production | test             (default: development)
#   ORLEANS_SERVICE_ID / ORLEANS_CLUSTER_ID                  (default: chatboost / chatboost-dev)
#   READY_TIMEOUT seconds to wait for /health/ready          (default: 180)
#   WHATSAPP_ACCESS_TOKEN  unset = sandbox: starts the fake Graph API on 127.0.0.1:FAKE_GRAPH_PORT
#                (default 8089) and generates WHATSAPP_APP_SECRET / WHATSAPP_WEBHOOK_VERIFY_TOKEN
#                once into $DATA_DIR/whatsapp_app_secret / whatsapp_verify_token unless set
#
# Data survives restarts (the same DATA_DIR is reused); running it again is safe.
set -euo pipefail

ORIG_PWD=$PWD
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
# shellcheck source=scripts/lib/services.sh
. "$ROOT/scripts/lib/services.sh"

T0=$SECONDS

SILOS=1
APIS=1
while [ $# -gt 0 ]; do
    case "$1" in
        --silos) [ $# -ge 2 ] || cb_die "--silos needs a number"; SILOS=$2; shift 2 ;;
        --silos=*) SILOS=${1#*=}; shift ;;
        --apis) [ $# -ge 2 ] || cb_die "--apis needs a number"; APIS=$2; shift 2 ;;
        --apis=*) APIS=${1#*=}; shift ;;
        -h|--help) sed -n '2,33p' "${BASH_SOURCE[0]}"; exit 0 ;;
        *) cb_die "unknown argument '$1' (usage: scripts/up.sh [--silos N] [--apis M])" ;;
    esac
done
[[ "$SILOS" =~ ^[1-9][0-9]?$ ]] || cb_die "--silos must be 1..99 (got '$SILOS')"
[[ "$APIS" =~ ^[1-9][0-9]?$ ]] || cb_die "--apis must be 1..99 (got '$APIS')"

# ----------------------------------------------------------- configuration ----
DATA_DIR=${DATA_DIR:-$ROOT/.data}
case "$DATA_DIR" in /*) ;; *) DATA_DIR="$ORIG_PWD/$DATA_DIR" ;; esac
PG_PORT=${PG_PORT:-55432}
REDIS_PORT=${REDIS_PORT:-56379}
API_PORT=${API_PORT:-8000}
READY_TIMEOUT=${READY_TIMEOUT:-180}
CONFIG=Release
TFM=net10.0
SILO_DIR="$ROOT/ChatBoost.Silo/bin/$CONFIG/$TFM"
API_DIR="$ROOT/ChatBoost.Api/bin/$CONFIG/$TFM"
LOG_DIR="$DATA_DIR/logs"
PG_DATA="$DATA_DIR/postgres"
REDIS_DIR="$DATA_DIR/redis"

export ENVIRONMENT=${ENVIRONMENT:-development}
case "$ENVIRONMENT" in
    development) aspenv=Development ;;
    production)  aspenv=Production ;;
    test)        aspenv=Test ;;
    *) cb_die "ENVIRONMENT must be development, production or test (got '$ENVIRONMENT')" ;;
esac
export ASPNETCORE_ENVIRONMENT=${ASPNETCORE_ENVIRONMENT:-$aspenv}
export DOTNET_ENVIRONMENT=${DOTNET_ENVIRONMENT:-$aspenv}
export ORLEANS_SERVICE_ID=${ORLEANS_SERVICE_ID:-chatboost}
export ORLEANS_CLUSTER_ID=${ORLEANS_CLUSTER_ID:-chatboost-dev}
export SILO_PORT=${SILO_PORT:-11111}
export GATEWAY_PORT=${GATEWAY_PORT:-30000}
export SILO_ADVERTISED_IP=${SILO_ADVERTISED_IP:-127.0.0.1}
cb_dotnet_env

command -v dotnet >/dev/null 2>&1 || cb_die "dotnet not found; install the .NET 10 SDK"

# ----------------------------------------------------- state & cleanup ----
STARTED_PG=0
STARTED_REDIS=0
SILO_PIDS=()
API_PIDS=()
OWN_PIDFILE=0

# >>> HOOK: extra services ----------------------------------------------------
# A later issue starts a fake WhatsApp Graph API (sandbox mode) here and exports
# whatever the silo/API need to reach it. Called after PostgreSQL/Redis are up
# and before migrations/silo/API start. Anything started here must be stopped
# in stop_extra_services (called first on exit).
FAKE_GRAPH_PID=""
SANDBOX_LINE=""
# Sandbox: without a real WHATSAPP_ACCESS_TOKEN, run the fake Graph API
# (tools/ChatBoost.FakeGraphApi) on 127.0.0.1:$FAKE_GRAPH_PORT and point the silo/API at it.
start_extra_services() {
    [ -z "${WHATSAPP_ACCESS_TOKEN:-}" ] || return 0
    FAKE_GRAPH_PORT=${FAKE_GRAPH_PORT:-8089}
    cb_require_free_port "$FAKE_GRAPH_PORT" "the fake Graph API (sandbox)" FAKE_GRAPH_PORT
    local f var
    for f in whatsapp_app_secret:WHATSAPP_APP_SECRET whatsapp_verify_token:WHATSAPP_WEBHOOK_VERIFY_TOKEN; do
        var=${f#*:}; f="$DATA_DIR/${f%%:*}"
        [ -z "${!var:-}" ] || continue
        if [ ! -s "$f" ]; then
            cb_log "generating $var into $f"
            (umask 077; cb_random_hex 32 >"$f")
        fi
        chmod 600 "$f"
        printf -v "$var" '%s' "$(cat "$f")"
    done
    export WHATSAPP_APP_SECRET WHATSAPP_WEBHOOK_VERIFY_TOKEN
    export WHATSAPP_API_BASE_URL="http://127.0.0.1:$FAKE_GRAPH_PORT"
    export WHATSAPP_ACCESS_TOKEN=sandbox-token

    local fake_dir="$ROOT/tools/ChatBoost.FakeGraphApi/bin/$CONFIG/$TFM"
    cb_log "dotnet build tools/ChatBoost.FakeGraphApi -c $CONFIG (sandbox)"
    cb_run dotnet build "$ROOT/tools/ChatBoost.FakeGraphApi/ChatBoost.FakeGraphApi.csproj" -c "$CONFIG" -nologo -v:q -clp:NoSummary \
        >"$LOG_DIR/build-fake-graph.log" 2>&1 \
        || { tail -n 40 "$LOG_DIR/build-fake-graph.log" >&2; cb_die "building the fake Graph API failed (log: $LOG_DIR/build-fake-graph.log)"; }
    [ -f "$fake_dir/ChatBoost.FakeGraphApi.dll" ] || cb_die "missing $fake_dir/ChatBoost.FakeGraphApi.dll after build"
    if [ -f "$LOG_DIR/fake-graph.log" ]; then mv -f "$LOG_DIR/fake-graph.log" "$LOG_DIR/fake-graph.log.1"; fi
    cb_log "starting the fake Graph API on 127.0.0.1:$FAKE_GRAPH_PORT (sandbox: WHATSAPP_ACCESS_TOKEN is not set)"
    # Any phone number id is "reached" by sandbox-token, so a bot saved with a number passes the ownership check.
    (cd "$fake_dir" && FAKE_GRAPH_TOKENS=sandbox-token FAKE_GRAPH_ANY_PHONE_NUMBER=true \
        FAKE_GRAPH_WEBHOOK_URL="http://127.0.0.1:$API_PORT/whatsapp/webhook" FAKE_GRAPH_APP_SECRET="$WHATSAPP_APP_SECRET" \
        exec setsid dotnet ChatBoost.FakeGraphApi.dll --urls "http://127.0.0.1:$FAKE_GRAPH_PORT") \
        >"$LOG_DIR/fake-graph.log" 2>&1 </dev/null &
    FAKE_GRAPH_PID=$!
    local deadline=$((SECONDS + 60))
    until [ "$(cb_http_status "$WHATSAPP_API_BASE_URL/_fake/health")" = 200 ]; do
        kill -0 "$FAKE_GRAPH_PID" 2>/dev/null || { show_logs "$LOG_DIR/fake-graph.log"; cb_die "the fake Graph API exited during startup (log: $LOG_DIR/fake-graph.log)"; }
        [ "$SECONDS" -lt "$deadline" ] || { show_logs "$LOG_DIR/fake-graph.log"; cb_die "the fake Graph API did not answer within 60s (log: $LOG_DIR/fake-graph.log)"; }
        sleep 0.5
    done
    SANDBOX_LINE="Sandbox: WhatsApp calls go to the fake Graph API at $WHATSAPP_API_BASE_URL (log $LOG_DIR/fake-graph.log); simulate a customer: bash scripts/simulate-customer.sh --help"
}
stop_extra_services() {
    cb_stop_pid "$FAKE_GRAPH_PID" "fake Graph API" 10 group
}
# <<< HOOK: extra services ----------------------------------------------------

cleanup() {
    local rc=$?
    trap - EXIT INT TERM
    trap '' INT TERM          # a second Ctrl-C must not abort the cleanup half-way
    echo >&2
    cb_log "shutting down..."
    cb_kill_child_group || true          # an interrupted build / migration
    stop_extra_services || true
    local i
    # The APIs first (20 s budget each), then the silos one after the other (30 s each): the last ones take over what
    # the first ones hand off.
    for i in "${!API_PIDS[@]}"; do cb_stop_pid "${API_PIDS[$i]}" "$(api_name "$i")" 25 group || true; done
    for i in "${!SILO_PIDS[@]}"; do cb_stop_pid "${SILO_PIDS[$i]}" "$(silo_name "$i")" 40 group || true; done
    if [ "$STARTED_REDIS" -eq 1 ]; then cb_redis_stop "$REDIS_DIR" "$REDIS_PORT" || true; fi
    if [ "$STARTED_PG" -eq 1 ]; then cb_pg_stop "$PG_DATA" || true; fi
    if [ "$OWN_PIDFILE" -eq 1 ]; then rm -f "$DATA_DIR/up.pid"; fi
    cb_log "stopped (exit $rc)"
    exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# Names and logs: the first silo and API keep the single-process names (silo.log, api.log).
silo_name() { if [ "$SILOS" -eq 1 ]; then echo silo; else echo "silo $(($1 + 1))"; fi; }
api_name()  { if [ "$APIS" -eq 1 ]; then echo API; else echo "API $(($1 + 1))"; fi; }
silo_log()  { if [ "$1" -eq 0 ]; then echo "$LOG_DIR/silo.log"; else echo "$LOG_DIR/silo$(($1 + 1)).log"; fi; }
api_log()   { if [ "$1" -eq 0 ]; then echo "$LOG_DIR/api.log"; else echo "$LOG_DIR/api$(($1 + 1)).log"; fi; }

show_logs() {
    local f
    for f in "$@"; do
        [ -s "$f" ] || continue
        echo "----- last 40 lines of $f -----" >&2
        tail -n 40 "$f" >&2
    done
}

# -------------------------------------------------------------- data dir ----
mkdir -p "$DATA_DIR" "$LOG_DIR"
DATA_DIR=$(readlink -f "$DATA_DIR"); LOG_DIR="$DATA_DIR/logs"; PG_DATA="$DATA_DIR/postgres"; REDIS_DIR="$DATA_DIR/redis"

# One up.sh per data dir.
if [ -f "$DATA_DIR/up.pid" ]; then
    other=$(cat "$DATA_DIR/up.pid" 2>/dev/null || true)
    if [[ "$other" =~ ^[0-9]+$ ]] && [ "$other" != "$$" ] && kill -0 "$other" 2>/dev/null \
        && grep -q 'up\.sh' "/proc/$other/cmdline" 2>/dev/null; then
        cb_die "scripts/up.sh is already running with DATA_DIR=$DATA_DIR (pid $other)"
    fi
fi
echo $$ >"$DATA_DIR/up.pid"
OWN_PIDFILE=1

# The ports we will bind must be free (checked before anything slow happens).
for ((i = 0; i < APIS; i++)); do cb_require_free_port "$((API_PORT + i))" "$(api_name "$i")" API_PORT; done
for ((i = 0; i < SILOS; i++)); do
    cb_require_free_port "$((SILO_PORT + i))" "$(silo_name "$i")" SILO_PORT
    cb_require_free_port "$((GATEWAY_PORT + i))" "the gateway of $(silo_name "$i")" GATEWAY_PORT
done

# -------------------------------------------------------- infrastructure ----
need=()
[ -n "${DATABASE_URL:-}" ] || need+=(postgres)
[ -n "${REDIS_URL:-}" ] || need+=(redis)
if [ "${#need[@]}" -gt 0 ]; then cb_ensure_packages "${need[@]}"; fi

if [ -z "${SECRET_KEY:-}" ]; then
    if [ ! -s "$DATA_DIR/secret_key" ]; then
        cb_log "generating SECRET_KEY into $DATA_DIR/secret_key"
        (umask 077; head -c 64 /dev/urandom | base64 -w0 >"$DATA_DIR/secret_key")
    fi
    chmod 600 "$DATA_DIR/secret_key"
    SECRET_KEY=$(cat "$DATA_DIR/secret_key")
fi
export SECRET_KEY

if [ -z "${DATABASE_URL:-}" ]; then
    if [ ! -s "$DATA_DIR/pg.password" ]; then
        (umask 077; cb_random_hex 24 >"$DATA_DIR/pg.password")
    fi
    chmod 600 "$DATA_DIR/pg.password"
    pg_password=$(cat "$DATA_DIR/pg.password")
    cb_pg_start "$PG_DATA" "$PG_PORT" app "$LOG_DIR/postgres.log"
    STARTED_PG=1      # started now or left over from a crashed run: ours to stop
    cb_pg_ensure_app_db "$PG_DATA" "$PG_PORT" chatboost chatboost "$pg_password"
    export DATABASE_URL="postgresql://chatboost:${pg_password}@127.0.0.1:${PG_PORT}/chatboost"
    DB_DESC="private PostgreSQL 127.0.0.1:$PG_PORT (data $PG_DATA, password in $DATA_DIR/pg.password)"
else
    export DATABASE_URL
    DB_DESC="external DATABASE_URL"
fi

if [ -z "${REDIS_URL:-}" ]; then
    cb_redis_start "$REDIS_DIR" "$REDIS_PORT" app
    STARTED_REDIS=1
    export REDIS_URL="redis://127.0.0.1:${REDIS_PORT}/0"
    REDIS_DESC="private Redis 127.0.0.1:$REDIS_PORT (AOF in $REDIS_DIR)"
else
    export REDIS_URL
    REDIS_DESC="external REDIS_URL"
fi

start_extra_services

# ------------------------------------------------------------------ build ----
T_BUILD=$SECONDS
cb_log "dotnet build ChatBoost.sln -c $CONFIG"
cb_run dotnet build "$ROOT/ChatBoost.sln" -c "$CONFIG" -nologo -v:q -clp:NoSummary >"$LOG_DIR/build.log" 2>&1 \
    || { grep -E ': (error|warning) ' "$LOG_DIR/build.log" | sort -u | head -n 40 >&2 || tail -n 40 "$LOG_DIR/build.log" >&2
         cb_die "build failed (full output: $LOG_DIR/build.log)"; }
BUILD_SECS=$((SECONDS - T_BUILD))
[ -f "$SILO_DIR/ChatBoost.Silo.dll" ] || cb_die "missing $SILO_DIR/ChatBoost.Silo.dll after build"
[ -f "$API_DIR/ChatBoost.Api.dll" ] || cb_die "missing $API_DIR/ChatBoost.Api.dll after build"

# ------------------------------------------------------------- migrations ----
cb_log "applying database migrations"
cb_run_in "$SILO_DIR" dotnet ChatBoost.Silo.dll migrate >"$LOG_DIR/migrate.log" 2>&1 \
    || { show_logs "$LOG_DIR/migrate.log"; cb_die "migrations failed (log: $LOG_DIR/migrate.log)"; }

# -------------------------------------------------------------- processes ----
for ((i = 0; i < SILOS; i++)); do f=$(silo_log "$i"); if [ -f "$f" ]; then mv -f "$f" "$f.1"; fi; done
for ((i = 0; i < APIS; i++)); do f=$(api_log "$i"); if [ -f "$f" ]; then mv -f "$f" "$f.1"; fi; done

# setsid: Ctrl-C reaches only this script, which then stops the APIs -> silos -> Redis -> PostgreSQL in order.
# cwd = the output dir so each process finds its appsettings*.json (content root).
for ((i = 0; i < SILOS; i++)); do
    cb_log "starting $(silo_name "$i") (silo port $((SILO_PORT + i)), gateway $((GATEWAY_PORT + i)))"
    (cd "$SILO_DIR" && SILO_PORT=$((SILO_PORT + i)) GATEWAY_PORT=$((GATEWAY_PORT + i)) exec setsid dotnet ChatBoost.Silo.dll) \
        >"$(silo_log "$i")" 2>&1 </dev/null &
    SILO_PIDS+=($!)
done

for ((i = 0; i < APIS; i++)); do
    cb_log "starting $(api_name "$i") on port $((API_PORT + i))"
    (cd "$API_DIR" && ASPNETCORE_URLS="http://0.0.0.0:$((API_PORT + i))" exec setsid dotnet ChatBoost.Api.dll) \
        >"$(api_log "$i")" 2>&1 </dev/null &
    API_PIDS+=($!)
done

# Ready when every API answers /health/ready; any process exiting during the start is fatal.
cb_log "waiting for /health/ready on $APIS API process(es) (timeout ${READY_TIMEOUT}s)"
deadline=$((SECONDS + READY_TIMEOUT))
for ((i = 0; i < APIS; i++)); do
    url="http://127.0.0.1:$((API_PORT + i))/health/ready"
    while :; do
        status=$(cb_http_status "$url")
        [ "$status" = 200 ] && break
        for j in "${!SILO_PIDS[@]}"; do
            kill -0 "${SILO_PIDS[$j]}" 2>/dev/null || { show_logs "$(silo_log "$j")"; cb_die "$(silo_name "$j") exited during startup (log: $(silo_log "$j"))"; }
        done
        for j in "${!API_PIDS[@]}"; do
            kill -0 "${API_PIDS[$j]}" 2>/dev/null || { show_logs "$(api_log "$j")"; cb_die "$(api_name "$j") exited during startup (log: $(api_log "$j"))"; }
        done
        if [ "$SECONDS" -ge "$deadline" ]; then
            show_logs "$(silo_log 0)" "$(api_log "$i")"
            cb_die "not ready after ${READY_TIMEOUT}s: $url answered HTTP $status"
        fi
        sleep 1
    done
done
READY_SECS=$((SECONDS - T0))

process_lines=""
for ((i = 0; i < APIS; i++)); do
    process_lines+="$(printf '    %-13s http://127.0.0.1:%s/   (log %s, pid %s)' "$(api_name "$i")" "$((API_PORT + i))" "$(api_log "$i")" "${API_PIDS[$i]}")"$'\n'
done
for ((i = 0; i < SILOS; i++)); do
    process_lines+="$(printf '    %-13s gateway 127.0.0.1:%s   (log %s, pid %s)' "$(silo_name "$i")" "$((GATEWAY_PORT + i))" "$(silo_log "$i")" "${SILO_PIDS[$i]}")"$'\n'
done

cat <<BANNER

  ChatBoost is up (ready in ${READY_SECS}s, of which build ${BUILD_SECS}s)   ENVIRONMENT=$ENVIRONMENT
${process_lines}    Swagger UI    http://127.0.0.1:$API_PORT/docs
    ReDoc         http://127.0.0.1:$API_PORT/redoc
    Readiness     http://127.0.0.1:$API_PORT/health/ready
    Database      $DB_DESC
    Redis         $REDIS_DESC
    Press Ctrl-C to stop everything.
${SANDBOX_LINE:+
  $SANDBOX_LINE
}
BANNER

# Foreground: report every process that exits; the others keep running (the cluster, not this script, decides what
# survives). Stop everything when no silo or no API is left.
declare -A NAME_OF LOG_OF
for i in "${!SILO_PIDS[@]}"; do NAME_OF[${SILO_PIDS[$i]}]=$(silo_name "$i"); LOG_OF[${SILO_PIDS[$i]}]=$(silo_log "$i"); done
for i in "${!API_PIDS[@]}"; do NAME_OF[${API_PIDS[$i]}]=$(api_name "$i"); LOG_OF[${API_PIDS[$i]}]=$(api_log "$i"); done
alive() { local n=0 p; for p in "$@"; do if kill -0 "$p" 2>/dev/null; then n=$((n + 1)); fi; done; echo "$n"; }
running=("${SILO_PIDS[@]}" "${API_PIDS[@]}")
while [ "${#running[@]}" -gt 0 ]; do
    done_pid=""
    set +e
    wait -n -p done_pid "${running[@]}"
    rc=$?
    set -e
    [ -n "$done_pid" ] || continue
    next=()
    for p in "${running[@]}"; do if [ "$p" != "$done_pid" ]; then next+=("$p"); fi; done
    running=("${next[@]}")
    silos_left=$(alive "${SILO_PIDS[@]}")
    apis_left=$(alive "${API_PIDS[@]}")
    show_logs "${LOG_OF[$done_pid]}"
    if [ "$silos_left" -eq 0 ] || [ "$apis_left" -eq 0 ]; then
        cb_log "${NAME_OF[$done_pid]} (pid $done_pid) exited (exit $rc); $silos_left silo(s) and $apis_left API(s) left: stopping"
        exit 1
    fi
    cb_log "${NAME_OF[$done_pid]} (pid $done_pid) exited (exit $rc); still running: $silos_left of $SILOS silo(s), $apis_left of $APIS API(s) - the cluster carries on without it"
done
exit 1
