#!/usr/bin/env bash
# bench/run.sh: the benchmark of issue 3, end to end.
#
#   bench/run.sh [-d DIR] [-s SECS] [-c CONNS] [-f PERCENT | -r RATE] [-p PORT]
#                [-n ASSIGNMENTS] [-u USERS] [-k PACKAGES] [-g postgres://127.0.0.1/db] [-W]
#
# 1. builds accessd and accessd-bench in release mode;
# 2. unless DIR/bench.db exists, loads a tenant into it through the API (accessd-bench load:
#    ASSIGNMENTS assignments over PACKAGES access packages and USERS users; defaults 1,000,000 /
#    1,000 / 100,000; about 15 minutes for the full size, once: later runs reuse the file);
# 3. reads the file once (so that the OS's page cache is warm) and starts `accessd serve` on
#    127.0.0.1:PORT on that database; with -g, on a PostgreSQL database of this machine instead,
#    into which the file's tenant is copied once (`accessd export --format tenant`, then
#    `accessd import`; docs/postgres.md);
# 4. drives it with wrk at CONNS connections (default 16) for SECS seconds (default 10) per query:
#      A  assignments?$filter=target/objectId eq '{id}'           (random user ids)
#      B  assignments?$filter=accessPackage/id eq '{id}'&$top=100  (random package ids)
#    twice each: closed loop (every connection sends its next request as soon as the answer
#    arrives: the server saturated, latency = connections / throughput), then paced (each
#    connection pauses between requests, for a random time drawn from an exponential
#    distribution, so that the connections act as independent clients and together offer
#    PERCENT % of the closed loop's throughput, default 50, or RATE requests/s with -r: the
#    latency of a loaded server that keeps up);
# 5. walks all assignments with nextLink ($top=999) and reports the time per page at the start,
#    the middle and the end of the walk (skip with -W);
# 6. prints p50/p99 per run and the server's largest resident set size, and stops the server.
#
# Load goes to 127.0.0.1 only. Everything is bounded: four wrk runs of SECS seconds plus two of
# 2 seconds of warm-up, the walk (a minute or two for 1M), the load when it has to happen.
# wrk: `apt-get install -y wrk`.
set -euo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/.." && pwd)
DIR=/tmp/accessd-bench/1m SECS=10 CONNS=16 RATE="" PERCENT=50 PORT=5688
ASSIGNMENTS=1000000 USERS=100000 PACKAGES=1000 WALK=1 PG=""
while getopts "d:s:c:f:r:p:n:u:k:g:Wh" opt; do
    case $opt in
    g) PG=$OPTARG ;;
    d) DIR=$OPTARG ;; s) SECS=$OPTARG ;; c) CONNS=$OPTARG ;; r) RATE=$OPTARG ;; f) PERCENT=$OPTARG ;;
    p) PORT=$OPTARG ;; n) ASSIGNMENTS=$OPTARG ;; u) USERS=$OPTARG ;; k) PACKAGES=$OPTARG ;;
    W) WALK=0 ;;
    h) sed -n '2,/^set -euo pipefail/{/^set -euo/d;p}' "$0"; exit 0 ;;
    *) exit 2 ;;
    esac
done
[ "$SECS" -le 60 ] || { echo "at most 60 s per run" >&2; exit 2; }
command -v wrk >/dev/null || { echo "wrk is missing: apt-get install -y wrk" >&2; exit 2; }

TARGET=${CARGO_TARGET_DIR:-$ROOT/target}
(cd "$ROOT" && cargo build --release -q -p accessd -p accessd-bench)
BIN=$TARGET/release
mkdir -p "$DIR"
DB=$DIR/bench.db
if [ ! -f "$DB" ]; then
    echo "loading $ASSIGNMENTS assignments, $PACKAGES packages, $USERS users into $DB"
    start=$(date +%s)
    "$BIN/accessd-bench" load --db "$DB" --assignments "$ASSIGNMENTS" --users "$USERS" \
        --packages "$PACKAGES"
    echo "LOAD secs=$(( $(date +%s) - start ))"
fi

# Read the file once so that the measurements see the OS's page cache warm, not the disk (a
# cold 3.7 GB file makes the first minutes of random reads disk-bound: several times slower).
start=$(date +%s)
cat "$DB" >/dev/null
echo "# database file read into the OS page cache in $(( $(date +%s) - start )) s"

# -g postgres://...: the same tenant on PostgreSQL, copied once from the SQLite file (export,
# then import into the database when it holds no tenant yet), and served from there.
DATABASE="sqlite://$DB"
if [ -n "$PG" ]; then
    case "$PG" in postgres://127.0.0.1*|postgres://localhost*|postgresql://127.0.0.1*|postgresql://localhost*) ;;
        *) echo "-g: a PostgreSQL on this machine only (127.0.0.1 or localhost)" >&2; exit 2 ;;
    esac
    if [ ! -f "$DIR/tenant.jsonl" ]; then
        "$BIN/accessd" export --format tenant --database "sqlite://$DB" --output "$DIR/tenant.jsonl"
    fi
    start=$(date +%s)
    if "$BIN/accessd" import --database "$PG" "$DIR/tenant.jsonl" 2>"$DIR/import.err"; then
        echo "IMPORT secs=$(( $(date +%s) - start ))"
    elif grep -q "already holds a tenant" "$DIR/import.err"; then
        echo "# $PG holds the tenant already"
    else
        cat "$DIR/import.err" >&2; exit 1
    fi
    DATABASE=$PG
fi

OUT=$DIR/server.out
SERVER=""
RSS_PID=""
cleanup() {
    [ -n "$RSS_PID" ] && kill "$RSS_PID" 2>/dev/null || true
    [ -n "$SERVER" ] && kill "$SERVER" 2>/dev/null || true
    [ -n "$SERVER" ] && wait "$SERVER" 2>/dev/null || true
}
trap cleanup EXIT
setsid "$BIN/accessd" serve --database "$DATABASE" --listen "127.0.0.1:$PORT" \
    >"$OUT" 2>"$DIR/server.err" &
SERVER=$!
for _ in $(seq 1 100); do
    [ "$(wc -l <"$OUT")" -ge 4 ] && break
    sleep 0.1
done
TOKEN=$(sed -n 4p "$OUT")
[ -n "$TOKEN" ] || { echo "the server did not start:" >&2; cat "$DIR/server.err" >&2; exit 1; }
export TOKEN
BASE=http://127.0.0.1:$PORT
EM=/v1.0/identityGovernance/entitlementManagement

# The server's resident set size, sampled every 100 ms; the largest is kept.
RSS_FILE=$DIR/rss.max
echo 0 >"$RSS_FILE"
(
    max=0
    while kill -0 "$SERVER" 2>/dev/null; do
        r=$(awk '/^VmRSS/ {print $2}' "/proc/$SERVER/status" 2>/dev/null || echo 0)
        if [ "${r:-0}" -gt "$max" ]; then max=$r; echo "$max" >"$RSS_FILE"; fi
        sleep 0.1
    done
) &
RSS_PID=$!

# wrk on the second CPU when there is one; the server keeps the other (and shares this one).
PIN=""
[ "$(nproc)" -ge 2 ] && command -v taskset >/dev/null && PIN="taskset -c 1"

run() { # name path ids delay-ms secs
    LOAD_PATH=$2 LOAD_ID_FILE=$3 LOAD_DELAY_MS=$4 $PIN wrk -t1 -c"$CONNS" -d"$5"s \
        -s "$HERE/graph.lua" "$BASE" | sed -n "s/^RESULT /$1 /p"
}
QA="$EM/assignments?\$filter=target/objectId%20eq%20'{id}'"
QB="$EM/assignments?\$filter=accessPackage/id%20eq%20'{id}'&\$top=100"
# The pause per connection that makes CONNS connections offer RATE requests/s, or PERCENT % of
# the closed loop's throughput.
pause_for() { # closed-loop rps
    local rate=${RATE:-$(awk -v r="$1" -v p="$PERCENT" 'BEGIN { printf "%d", r * p / 100 }')}
    [ "$rate" -gt 0 ] || rate=1
    echo $(( CONNS * 1000 / rate ))
}
echo "# $CONNS connections, $SECS s per run"
run warmup "$QA" "$DIR/users.txt" 0 2 >/dev/null
run warmup "$QB" "$DIR/packages.txt" 0 2 >/dev/null
for q in A B; do
    if [ $q = A ]; then path=$QA ids=$DIR/users.txt; else path=$QB ids=$DIR/packages.txt; fi
    closed=$(run "${q}_closed" "$path" "$ids" 0 "$SECS")
    echo "$closed"
    rps=$(echo "$closed" | sed -n 's/.* rps=\([0-9]*\).*/\1/p')
    pause=$(pause_for "${rps:-1}")
    run "${q}_paced pause_ms=$pause" "$path" "$ids" "$pause" "$SECS"
done
if [ "$WALK" = 1 ]; then
    "$BIN/accessd-bench" walk --url "$BASE$EM/assignments?\$top=999" --expect "$ASSIGNMENTS"
fi
echo "RSS max_kb=$(cat "$RSS_FILE")"
