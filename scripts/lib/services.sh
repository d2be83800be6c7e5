# shellcheck shell=bash
# shellcheck disable=SC2034  # CB_STARTED is read by callers
# scripts/lib/services.sh — shared helpers for scripts/up.sh and scripts/test.sh.
#
# Source it (". scripts/lib/services.sh"); it defines functions only and is safe
# under `set -euo pipefail`. Every function that fails calls cb_die (exit 1) or
# returns non-zero with a message on stderr.
#
# Private PostgreSQL / Redis instances:
#   cb_pg_start  <data_dir> <port> <mode> [log_file]   mode: test | app
#   cb_pg_stop   <data_dir>
#   cb_pg_ensure_app_db <data_dir> <port> <role> <db> <password>
#   cb_redis_start <dir> <port> <mode>                 mode: test (no persistence) | app (AOF)
#   cb_redis_stop  <dir> <port>
# Both *_start functions set CB_STARTED=1 if they started the server and
# CB_STARTED=0 if a server left over from an earlier run on the same data dir
# was already running (it is then reused; the caller owns it either way).

# ---------------------------------------------------------------- logging ----
cb_log()  { printf '[%s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
cb_warn() { printf '[%s] WARNING: %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
cb_die()  { printf '[%s] ERROR: %s\n' "$(date +%H:%M:%S)" "$*" >&2; exit 1; }

cb_is_root() { [ "$(id -u)" -eq 0 ]; }

# ------------------------------------------------------------- packages ----
CB_APT_UPDATED=0

# cb_apt_install pkg... — apt-get install, running `apt-get update` once per
# process. Services are prevented from auto-starting (Debian's postinst would
# otherwise start a system-wide PostgreSQL cluster / redis on the default port).
cb_apt_install() {
    command -v apt-get >/dev/null 2>&1 || cb_die "apt-get not found; install manually: $*"
    local sudo=""
    if ! cb_is_root; then
        command -v sudo >/dev/null 2>&1 || cb_die "need root (or sudo) to install: $*"
        sudo="sudo"
    fi
    local policy=/usr/sbin/policy-rc.d created_policy=0 rc=0
    if [ ! -e "$policy" ]; then
        printf '#!/bin/sh\nexit 101\n' | $sudo tee "$policy" >/dev/null
        $sudo chmod 755 "$policy"
        created_policy=1
    fi
    if [ "$CB_APT_UPDATED" -eq 0 ]; then
        cb_log "apt-get update"
        $sudo env DEBIAN_FRONTEND=noninteractive apt-get update -qq || rc=$?
        CB_APT_UPDATED=1
    fi
    if [ "$rc" -eq 0 ]; then
        cb_log "apt-get install -y $*"
        $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@" >/dev/null || rc=$?
    fi
    if [ "$created_policy" -eq 1 ]; then $sudo rm -f "$policy"; fi
    [ "$rc" -eq 0 ] || cb_die "apt-get failed (exit $rc) installing: $*"
}

# cb_pg_bindir — newest /usr/lib/postgresql/*/bin that has pg_ctl (prints it).
cb_pg_bindir() {
    local d best=""
    for d in $(printf '%s\n' /usr/lib/postgresql/*/bin | sort -V); do
        [ -x "$d/pg_ctl" ] && [ -x "$d/initdb" ] && best="$d"
    done
    [ -n "$best" ] || return 1
    printf '%s\n' "$best"
}

# cb_ensure_packages [postgres] [redis] — installs only what is missing.
cb_ensure_packages() {
    local want pkgs=()
    for want in "$@"; do
        case "$want" in
            postgres) cb_pg_bindir >/dev/null || pkgs+=(postgresql) ;;
            redis)
                if ! command -v redis-server >/dev/null 2>&1 || ! command -v redis-cli >/dev/null 2>&1; then
                    pkgs+=(redis-server redis-tools)
                fi ;;
            *) cb_die "cb_ensure_packages: unknown component '$want'" ;;
        esac
    done
    if [ "${#pkgs[@]}" -gt 0 ]; then cb_apt_install "${pkgs[@]}"; fi
    for want in "$@"; do
        case "$want" in
            postgres) cb_pg_bindir >/dev/null || cb_die "PostgreSQL binaries not found under /usr/lib/postgresql/*/bin" ;;
            redis) command -v redis-server >/dev/null 2>&1 || cb_die "redis-server not found after install" ;;
        esac
    done
}

# ---------------------------------------------------------------- ports ----
# cb_port_in_use <port> — true if something accepts TCP connections on 127.0.0.1:port
cb_port_in_use() {
    local port="$1"
    if command -v ss >/dev/null 2>&1; then
        ss -Hltn "sport = :$port" 2>/dev/null | grep -q . && return 0
    fi
    (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null
}

# cb_require_free_port <port> <what> <VAR_NAME>
cb_require_free_port() {
    local port="$1" what="$2" var="$3"
    if ! [[ "$port" =~ ^[0-9]+$ ]] || [ "$port" -lt 1 ] || [ "$port" -gt 65535 ]; then
        cb_die "$var='$port' is not a valid TCP port"
    fi
    if cb_port_in_use "$port"; then
        local who=""
        if command -v ss >/dev/null 2>&1; then
            who=$(ss -Hltnp "sport = :$port" 2>/dev/null | grep -o 'users:(([^)]*))' | head -1 || true)
        fi
        cb_die "port $port (for $what) is already in use${who:+ by $who}. Stop that process or choose another port: $var=<port>"
    fi
}

# --------------------------------------------------------------- waiting ----
# cb_wait_for <timeout_s> <description> <command...> — polls every 0.5 s.
cb_wait_for() {
    local timeout="$1" what="$2"; shift 2
    local deadline=$((SECONDS + timeout))
    until "$@" >/dev/null 2>&1; do
        [ "$SECONDS" -lt "$deadline" ] || { cb_warn "timed out after ${timeout}s waiting for $what"; return 1; }
        sleep 0.5
    done
}

# ------------------------------------------------------------ PostgreSQL ----
# Run a command as the `postgres` OS user when we are root (PostgreSQL refuses
# to run as root); as ourselves otherwise.
cb_as_pg() {
    if cb_is_root; then
        runuser -u postgres -- "$@"
    else
        "$@"
    fi
}

# Make every ancestor of <dir> traversable (o+x) for the postgres user.
cb_make_traversable() {
    cb_is_root || return 0
    local d dirs=()
    d=$(dirname "$(readlink -f "$1")")
    while [ "$d" != "/" ]; do dirs=("$d" "${dirs[@]}"); d=$(dirname "$d"); done
    for d in "${dirs[@]}"; do          # top-down: a parent may be what blocks a child
        if ! runuser -u postgres -- test -x "$d" 2>/dev/null; then
            cb_log "chmod o+x $d (so the postgres user can reach its data dir)"
            chmod o+x "$d"
        fi
    done
}

# Unix socket dir: the data dir if the socket path fits sun_path (107 bytes), else /tmp.
cb_pg_socket_dir() {
    local data_dir="$1" port="$2"
    if [ $(( ${#data_dir} + ${#port} + 12 )) -lt 100 ]; then
        printf '%s\n' "$data_dir"
    else
        printf '/tmp\n'
    fi
}

cb_pg_running() {   # cb_pg_running <data_dir>
    local bin; bin=$(cb_pg_bindir) || return 1
    [ -f "$1/postmaster.pid" ] || return 1
    cb_as_pg "$bin/pg_ctl" -D "$1" status >/dev/null 2>&1
}

# cb_pg_start <data_dir> <port> <test|app> [log_file]
#   test: trust auth everywhere, fsync off — throw-away instances only.
#   app : peer auth on the unix socket, scram-sha-256 on TCP (127.0.0.1 only).
cb_pg_start() {
    local data_dir="$1" port="$2" mode="$3" log_file="${4:-$1/postgres.log}"
    local bin; bin=$(cb_pg_bindir) || cb_die "PostgreSQL binaries not found (run cb_ensure_packages postgres)"
    case "$mode" in test|app) ;; *) cb_die "cb_pg_start: mode must be test or app" ;; esac
    CB_STARTED=0

    mkdir -p "$data_dir"
    data_dir=$(readlink -f "$data_dir")
    cb_make_traversable "$data_dir"
    if cb_is_root; then chown postgres:postgres "$data_dir"; fi
    chmod 700 "$data_dir"

    if [ ! -f "$data_dir/PG_VERSION" ]; then
        [ -z "$(ls -A "$data_dir")" ] || cb_die "$data_dir is not empty and is not a PostgreSQL data dir"
        cb_log "initdb $data_dir ($mode)"
        cb_as_pg "$bin/initdb" -D "$data_dir" -U postgres -E UTF8 --no-locale \
            --auth-local=trust --auth-host=trust >"$data_dir.initdb.log" 2>&1 \
            || { cat "$data_dir.initdb.log" >&2; cb_die "initdb failed"; }
        rm -f "$data_dir.initdb.log"
        # Our settings live in an included file rewritten at every start.
        echo "include_if_exists = 'chatboost.conf'" | cb_as_pg tee -a "$data_dir/postgresql.conf" >/dev/null
    fi

    if cb_pg_running "$data_dir"; then
        local running_port
        running_port=$(sed -n '4p' "$data_dir/postmaster.pid" 2>/dev/null || true)
        [ "$running_port" = "$port" ] || cb_die "PostgreSQL is already running on $data_dir but on port $running_port (wanted $port); stop it: runuser -u postgres -- $bin/pg_ctl -D $data_dir stop"
        cb_log "PostgreSQL already running on $data_dir (port $port), left over from an earlier run; reusing it"
    else
        cb_require_free_port "$port" "PostgreSQL" "$( [ "$mode" = test ] && echo TEST_PG_PORT || echo PG_PORT )"
        local sock; sock=$(cb_pg_socket_dir "$data_dir" "$port")
        {
            echo "# Written by scripts/lib/services.sh at every start — do not edit."
            echo "listen_addresses = '127.0.0.1'"
            echo "port = $port"
            echo "unix_socket_directories = '$sock'"
            # Test instances serve a grain-test cluster and several end-to-end silos at once (two bounded pools each).
            if [ "$mode" = test ]; then echo "max_connections = 400"; else echo "max_connections = 200"; fi
            if [ "$mode" = test ]; then
                echo "fsync = off"
                echo "synchronous_commit = off"
                echo "full_page_writes = off"
            fi
            # Extra settings from the caller (benchmarks: pg_stat_statements), one per line.
            if [ -n "${CB_PG_EXTRA_CONF:-}" ]; then printf '%s\n' "$CB_PG_EXTRA_CONF"; fi
        } | cb_as_pg tee "$data_dir/chatboost.conf" >/dev/null
        if [ "$mode" = test ]; then
            printf '%s\n' "local all all trust" "host all all 127.0.0.1/32 trust" \
                | cb_as_pg tee "$data_dir/pg_hba.conf" >/dev/null
        else
            printf '%s\n' "local all all peer" "host all all 127.0.0.1/32 scram-sha-256" \
                | cb_as_pg tee "$data_dir/pg_hba.conf" >/dev/null
        fi
        mkdir -p "$(dirname "$log_file")"
        touch "$log_file"
        if cb_is_root; then chown postgres:postgres "$log_file"; fi
        cb_log "starting PostgreSQL on 127.0.0.1:$port (data $data_dir)"
        cb_as_pg "$bin/pg_ctl" -D "$data_dir" -l "$log_file" -w -t 60 start >/dev/null \
            || { tail -n 20 "$log_file" >&2 || true; cb_die "PostgreSQL failed to start (log: $log_file)"; }
        CB_STARTED=1
    fi
    cb_wait_for 30 "PostgreSQL on port $port" "$bin/pg_isready" -q -h 127.0.0.1 -p "$port" \
        || cb_die "PostgreSQL does not answer on 127.0.0.1:$port (log: $log_file)"
}

# cb_pg_psql <data_dir> <port> [psql args...] — superuser psql over the unix socket.
cb_pg_psql() {
    local data_dir="$1" port="$2"; shift 2
    local bin; bin=$(cb_pg_bindir)
    cb_as_pg "$bin/psql" -X -q -v ON_ERROR_STOP=1 -h "$(cb_pg_socket_dir "$data_dir" "$port")" \
        -p "$port" -U postgres -d postgres "$@"
}

# cb_pg_ensure_app_db <data_dir> <port> <role> <db> <password> — idempotent.
cb_pg_ensure_app_db() {
    local data_dir="$1" port="$2" role="$3" db="$4" pw="$5"
    cb_pg_psql "$data_dir" "$port" -v role="$role" -v db="$db" -v pw="$pw" <<'SQL' >/dev/null
SELECT format('CREATE ROLE %I LOGIN', :'role')
 WHERE NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = :'role') \gexec
ALTER ROLE :"role" WITH LOGIN PASSWORD :'pw';
SELECT format('CREATE DATABASE %I OWNER %I', :'db', :'role')
 WHERE NOT EXISTS (SELECT 1 FROM pg_database WHERE datname = :'db') \gexec
SQL
}

# cb_pg_stop <data_dir> — fast shutdown; no-op if not running.
cb_pg_stop() {
    local data_dir="$1"
    local bin; bin=$(cb_pg_bindir) || return 0
    [ -d "$data_dir" ] || return 0
    if cb_pg_running "$data_dir"; then
        cb_log "stopping PostgreSQL ($data_dir)"
        cb_as_pg "$bin/pg_ctl" -D "$data_dir" -m fast -w -t 60 stop >/dev/null 2>&1 \
            || cb_as_pg "$bin/pg_ctl" -D "$data_dir" -m immediate -w -t 30 stop >/dev/null 2>&1 \
            || cb_warn "could not stop PostgreSQL on $data_dir"
    fi
}

# ----------------------------------------------------------------- Redis ----
cb_redis_pid() {   # prints the pid from <dir>/redis.pid if that process is alive
    local pidfile="$1/redis.pid" pid
    [ -f "$pidfile" ] || return 1
    pid=$(cat "$pidfile" 2>/dev/null) || return 1
    [[ "$pid" =~ ^[0-9]+$ ]] && kill -0 "$pid" 2>/dev/null || return 1
    grep -q redis "/proc/$pid/comm" 2>/dev/null || return 1
    printf '%s\n' "$pid"
}

cb_redis_ping() { [ "$(redis-cli -h 127.0.0.1 -p "$1" ping 2>/dev/null)" = PONG ]; }

# cb_redis_start <dir> <port> <test|app>
#   test: no persistence; app: AOF (appendfsync everysec) so data survives restarts.
cb_redis_start() {
    local dir="$1" port="$2" mode="$3"
    case "$mode" in test|app) ;; *) cb_die "cb_redis_start: mode must be test or app" ;; esac
    CB_STARTED=0
    mkdir -p "$dir"
    dir=$(readlink -f "$dir")
    if cb_redis_pid "$dir" >/dev/null; then
        cb_redis_ping "$port" || cb_die "a Redis from $dir is running (pid $(cb_redis_pid "$dir")) but not on port $port"
        cb_log "Redis already running on port $port ($dir), left over from an earlier run; reusing it"
        return 0
    fi
    cb_require_free_port "$port" "Redis" "$( [ "$mode" = test ] && echo TEST_REDIS_PORT || echo REDIS_PORT )"
    local persist=(--save "" --appendonly no)
    [ "$mode" = app ] && persist=(--save "" --appendonly yes --appendfsync everysec)
    cb_log "starting Redis on 127.0.0.1:$port (dir $dir)"
    redis-server --port "$port" --bind 127.0.0.1 --dir "$dir" --daemonize yes \
        --pidfile "$dir/redis.pid" --logfile "$dir/redis.log" "${persist[@]}" >/dev/null \
        || cb_die "redis-server failed to start (log: $dir/redis.log)"
    CB_STARTED=1
    cb_wait_for 30 "Redis on port $port" cb_redis_ping "$port" \
        || { tail -n 20 "$dir/redis.log" >&2 || true; cb_die "Redis does not answer on 127.0.0.1:$port"; }
}

# cb_redis_stop <dir> <port> — SHUTDOWN (AOF is flushed), then SIGTERM/SIGKILL fallback.
cb_redis_stop() {
    local dir="$1" port="$2" pid
    pid=$(cb_redis_pid "$dir") || return 0
    cb_log "stopping Redis (port $port)"
    redis-cli -h 127.0.0.1 -p "$port" shutdown nosave >/dev/null 2>&1 || kill -TERM "$pid" 2>/dev/null || true
    local i
    for i in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done
    if kill -0 "$pid" 2>/dev/null; then
        cb_warn "Redis pid $pid did not exit; killing it"
        kill -KILL "$pid" 2>/dev/null || true
    fi
    rm -f "$dir/redis.pid"
}

# cb_silo_log <log dir> <i> — where silo i (from 0) of cb_start_silos logs: silo.log, silo2.log, …
cb_silo_log() { if [ "$2" -eq 0 ]; then echo "$1/silo.log"; else echo "$1/silo$(($2 + 1)).log"; fi; }

# cb_start_silos <count> <silo output dir> <log dir> — starts <count> silos in the background (setsid, from the output dir
# so each finds its appsettings), silo i on SILO_PORT+i / GATEWAY_PORT+i, logging to cb_silo_log; appends their pids to
# the caller's array SILO_PIDS.
cb_start_silos() {
    local count="$1" dir="$2" logs="$3" i
    for ((i = 0; i < count; i++)); do
        (cd "$dir" && SILO_PORT=$((SILO_PORT + i)) GATEWAY_PORT=$((GATEWAY_PORT + i)) exec setsid dotnet ChatBoost.Silo.dll) \
            >"$(cb_silo_log "$logs" "$i")" 2>&1 </dev/null &
        SILO_PIDS+=($!)
    done
}

# cb_active_silos <redis port> <service id> <cluster id> — how many silos the Orleans membership table (the Redis hash
# "{service}/members/{cluster}", one field per silo incarnation) holds as Active; 0 when it cannot be read.
cb_active_silos() {
    redis-cli -h 127.0.0.1 -p "$1" --raw HVALS "$2/members/$3" 2>/dev/null | grep -cE '"Status": ?(3|"Active")' || true
}

# ------------------------------------------------------- child processes ----
# cb_stop_pid <pid> <name> [timeout_s] [group] — SIGTERM, wait, then SIGKILL.
# Only for processes this shell started ("group": it was started with setsid).
cb_stop_pid() {
    local pid="$1" name="$2" timeout="${3:-20}"
    [ -n "$pid" ] || return 0
    kill -0 "$pid" 2>/dev/null || { wait "$pid" 2>/dev/null || true; return 0; }
    cb_log "stopping $name (pid $pid)"
    kill -TERM "$pid" 2>/dev/null || true
    local deadline=$((SECONDS + timeout))
    while kill -0 "$pid" 2>/dev/null && [ "$SECONDS" -lt "$deadline" ]; do sleep 0.2; done
    if kill -0 "$pid" 2>/dev/null; then
        cb_warn "$name (pid $pid) did not stop within ${timeout}s; sending SIGKILL"
        kill -KILL "$pid" 2>/dev/null || true
    fi
    wait "$pid" 2>/dev/null || true
    # Started with setsid, it led its own process group: take stragglers down too.
    if [ "${4:-}" = group ]; then kill -KILL -- "-$pid" 2>/dev/null || true; fi
}

# cb_dotnet_env — no build servers / node reuse, so nothing lingers after a
# build (a lingering MSBuild node or VBCSCompiler would also hold CI's stdout).
cb_dotnet_env() {
    export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1
    export MSBUILDDISABLENODEREUSE="${MSBUILDDISABLENODEREUSE:-1}"
    export DOTNET_CLI_USE_MSBUILD_SERVER="${DOTNET_CLI_USE_MSBUILD_SERVER:-0}"
    export UseSharedCompilation="${UseSharedCompilation:-false}"
}

# cb_run <command...> — run a command in its own process group (setsid), wait
# for it. While it runs, CB_CHILD_PGID holds its group id so a signal trap can
# call cb_kill_child_group; when it returns, whatever it left behind in its
# group (e.g. a test that leaked a process) is killed too.
CB_CHILD_PGID=""
cb_run() { cb_run_in "$PWD" "$@"; }
cb_run_in() {   # cb_run_in <dir> <command...> — same, with <dir> as working directory
    local dir="$1" rc=0; shift
    (cd "$dir" && exec setsid "$@") &
    CB_CHILD_PGID=$!
    wait "$CB_CHILD_PGID" || rc=$?
    cb_kill_child_group quiet
    return "$rc"
}
# cb_group_pids <pgid> — live (non-zombie) members of a process group, from /proc.
cb_group_pids() {
    local f line fields
    for f in /proc/[0-9]*/stat; do
        read -r line <"$f" 2>/dev/null || continue
        read -r -a fields <<<"${line##*) }"      # state ppid pgrp ...
        if [ "${fields[2]}" = "$1" ] && [ "${fields[0]}" != Z ]; then
            f=${f#/proc/}; printf '%s\n' "${f%/stat}"
        fi
    done
}
cb_kill_child_group() {
    local pgid="$CB_CHILD_PGID" i left
    [ -n "$pgid" ] || return 0
    CB_CHILD_PGID=""
    left=$(cb_group_pids "$pgid")
    [ -n "$left" ] || { wait "$pgid" 2>/dev/null || true; return 0; }
    if [ "${1:-}" = quiet ]; then
        local what="" cmd
        for i in $left; do
            cmd=$(tr '\0\n' '  ' <"/proc/$i/cmdline" 2>/dev/null || true)
            what+="[$i] ${cmd:0:80}; "
        done
        cb_warn "processes left behind in process group $pgid, terminating them: $what"
    else
        cb_log "terminating process group $pgid"
    fi
    kill -TERM -- "-$pgid" 2>/dev/null || true
    for i in $(seq 1 50); do [ -n "$(cb_group_pids "$pgid")" ] || break; sleep 0.2; done
    kill -KILL -- "-$pgid" 2>/dev/null || true
    wait "$pgid" 2>/dev/null || true
}

# cb_http_status <url> — prints the HTTP status code (000 if unreachable).
cb_http_status() {
    if command -v curl >/dev/null 2>&1; then
        curl -s -o /dev/null -m 5 -w '%{http_code}' "$1" 2>/dev/null || true
    else
        python3 - "$1" <<'PY' 2>/dev/null || echo 000
import sys, urllib.request, urllib.error
try:
    print(urllib.request.urlopen(sys.argv[1], timeout=5).status)
except urllib.error.HTTPError as e:
    print(e.code)
except Exception:
    print("000")
PY
    fi
}

# cb_random_hex <bytes>
cb_random_hex() { od -An -tx1 -N"$1" /dev/urandom | tr -d ' \n'; }
