#!/usr/bin/env bash
# shellcheck disable=SC2317  # functions below run from traps
# scripts/test.sh — build the solution once and run every test project against a
# throw-away PostgreSQL and Redis. Extra arguments go to `dotnet test`
# (e.g. bash scripts/test.sh --filter "FullyQualifiedName~Auth").
#
# Without --filter it runs everything but the long cluster fault suite: the default filter is
# "Category!=Cluster|ClusterSubset=CI" (the suite's CI subset stays in). `--cluster-suite` runs the whole fault suite
# alone (tests/ChatBoost.EndToEndTests/Cluster; it prints its table of counts at the end).
#
# Environment: TEST_PG_PORT (default 55433), TEST_REDIS_PORT (default 56380),
#              TEST_HANG_TIMEOUT (a single test running longer fails the run; default 8m),
#              TEST_RESULTS_DIR (keep the .trx files there; default: temp dir, removed).
# Exports for the tests: CHATBOOST_TEST_PG (Npgsql connection string, superuser
# `postgres`, trust auth) and CHATBOOST_TEST_REDIS (host:port).
#
# The last line of output is always "N passed, N failed, N skipped".
# Exit status is non-zero if the build failed, any test failed, `dotnet test`
# failed, or no test ran at all.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
# shellcheck source=scripts/lib/services.sh
. "$ROOT/scripts/lib/services.sh"

T0=$SECONDS

# The test selection: the caller's --filter, the whole fault suite, or everything but the fault suite's long part.
TEST_ARGS=()
has_filter=0
for arg in "$@"; do
    case "$arg" in
        --cluster-suite) TEST_ARGS+=(--filter "Category=Cluster"); has_filter=1 ;;
        --filter|--filter=*) TEST_ARGS+=("$arg"); has_filter=1 ;;
        *) TEST_ARGS+=("$arg") ;;
    esac
done
if [ "$has_filter" -eq 0 ]; then TEST_ARGS+=(--filter "Category!=Cluster|ClusterSubset=CI"); fi
TEST_PG_PORT=${TEST_PG_PORT:-55433}
TEST_REDIS_PORT=${TEST_REDIS_PORT:-56380}
CONFIG=Release
cb_dotnet_env

TMP_DIR=""
PG_DATA=""
REDIS_DIR=""
STARTED_PG=0
STARTED_REDIS=0
CLEANED=0

cleanup() {
    [ "$CLEANED" -eq 0 ] || return 0
    CLEANED=1
    cb_kill_child_group
    if [ "$STARTED_PG" -eq 1 ]; then cb_pg_stop "$PG_DATA" || true; fi
    if [ "$STARTED_REDIS" -eq 1 ]; then cb_redis_stop "$REDIS_DIR" "$TEST_REDIS_PORT" || true; fi
    if [ -n "$TMP_DIR" ] && [ -d "$TMP_DIR" ]; then rm -rf "$TMP_DIR"; fi
}
SUMMARY_PRINTED=0
on_exit() {
    local rc=$?
    trap - EXIT INT TERM
    cleanup
    if [ "$SUMMARY_PRINTED" -eq 0 ]; then     # aborted early: still end with the summary line
        [ "$rc" -ne 0 ] || rc=1
        echo "FAILED: aborted (exit $rc) before the tests completed."
        echo "Wall time: $((SECONDS - T0))s"
        echo "0 passed, 0 failed, 0 skipped"
    fi
    exit "$rc"
}
trap on_exit EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

command -v dotnet >/dev/null 2>&1 || cb_die "dotnet not found; install the .NET 10 SDK"
command -v python3 >/dev/null 2>&1 || cb_die "python3 not found (needed to read the TRX results)"
cb_ensure_packages postgres redis
cb_require_free_port "$TEST_PG_PORT" "the test PostgreSQL" TEST_PG_PORT
cb_require_free_port "$TEST_REDIS_PORT" "the test Redis" TEST_REDIS_PORT

TMP_DIR=$(mktemp -d -t chatboost-test.XXXXXX)
chmod 755 "$TMP_DIR"                      # the postgres user must traverse it
PG_DATA="$TMP_DIR/pg"
REDIS_DIR="$TMP_DIR/redis"
RESULTS_DIR=${TEST_RESULTS_DIR:-$TMP_DIR/results}
case "$RESULTS_DIR" in /*) ;; *) RESULTS_DIR="$ROOT/$RESULTS_DIR" ;; esac
mkdir -p "$RESULTS_DIR"
find "$RESULTS_DIR" -name '*.trx' -type f -delete   # only this run's results are counted

# --------------------------------------------------------------- services ----
STARTED_PG=1      # set first: a half-started server is still stopped by cleanup
cb_pg_start "$PG_DATA" "$TEST_PG_PORT" test "$TMP_DIR/postgres.log"
STARTED_REDIS=1
cb_redis_start "$REDIS_DIR" "$TEST_REDIS_PORT" test
export CHATBOOST_TEST_PG="Host=127.0.0.1;Port=$TEST_PG_PORT;Username=postgres;Database=postgres"
export CHATBOOST_TEST_REDIS="127.0.0.1:$TEST_REDIS_PORT"
cb_log "CHATBOOST_TEST_PG=$CHATBOOST_TEST_PG"
cb_log "CHATBOOST_TEST_REDIS=$CHATBOOST_TEST_REDIS"

# ------------------------------------------------------------ build + test ----
# The machine's CPU ticks, busy and idle (idle + iowait), from /proc/stat: how loaded the test run was.
cpu_ticks() { awk '/^cpu /{print $2+$3+$4+$7+$8, $5+$6}' /proc/stat; }
cpu_busy_percent() {
    local b0 i0 b1 i1
    read -r b0 i0 <<<"$1"; read -r b1 i1 <<<"$2"
    awk -v b="$((b1 - b0))" -v i="$((i1 - i0))" 'BEGIN { printf "%.0f", ((b + i) > 0 ? 100 * b / (b + i) : 0) }'
}

build_rc=0
test_rc=0
cb_log "dotnet build ChatBoost.sln -c $CONFIG"
cb_run dotnet build ChatBoost.sln -c "$CONFIG" -nologo || build_rc=$?

if [ "$build_rc" -eq 0 ]; then
    cb_log "dotnet test ChatBoost.sln -c $CONFIG --no-build ${TEST_ARGS[*]}"
    # `--logger trx` without LogFileName: VSTest names each project's file uniquely.
    # (A fixed LogFileName makes every project overwrite the same file.)
    # A test that hangs is stopped after TEST_HANG_TIMEOUT and the run fails naming it, instead of
    # holding CI until its own limit.
    cpu_before=$(cpu_ticks)
    cb_run dotnet test ChatBoost.sln -c "$CONFIG" --no-build --results-directory "$RESULTS_DIR" \
        --logger trx --blame-hang-timeout "${TEST_HANG_TIMEOUT:-8m}" --blame-hang-dump-type none "${TEST_ARGS[@]}" || test_rc=$?
    cb_log "CPU busy while the tests ran: $(cpu_busy_percent "$cpu_before" "$(cpu_ticks)")% of $(nproc) cores"
else
    cb_warn "build failed (exit $build_rc); tests not run"
fi

# ---------------------------------------------------------------- results ----
counts=$(python3 - "$RESULTS_DIR" <<'PY'
import glob, os, sys, xml.etree.ElementTree as ET
p = f = s = e = n = 0
for path in glob.glob(os.path.join(sys.argv[1], "**", "*.trx"), recursive=True):
    try:
        c = next(el for el in ET.parse(path).iter() if el.tag.endswith("Counters"))
    except Exception as ex:
        print(f"cannot read {path}: {ex}", file=sys.stderr); continue
    g = lambda k: int(c.get(k, 0) or 0)
    n += 1
    p += g("passed")
    f += g("failed") + g("error") + g("timeout") + g("aborted")
    s += g("notExecuted") or max(g("total") - g("executed"), 0)
    e += g("executed")
print(p, f, s, e, n)
PY
) || { cb_warn "could not read the TRX results"; counts="0 0 0 0 0"; }
read -r passed failed skipped executed ntrx <<<"$counts"
cleanup

status=0
if [ "$build_rc" -ne 0 ]; then
    echo "FAILED: the build failed (exit $build_rc)."; status=1
elif [ "$executed" -eq 0 ] && [ "$failed" -eq 0 ]; then
    echo "FAILED: no test ran at all (${ntrx} result file(s); check the projects / --filter)."; status=1
elif [ "$failed" -gt 0 ]; then
    echo "FAILED: $failed test(s) failed."; status=1
elif [ "$test_rc" -ne 0 ]; then
    echo "FAILED: dotnet test exited with $test_rc although no failed test was recorded (crashed test host?)."; status=1
fi
echo "Wall time: $((SECONDS - T0))s"
echo "$passed passed, $failed failed, $skipped skipped"
SUMMARY_PRINTED=1
exit "$status"
