#!/usr/bin/env bash
# HTTP API benchmark: wrk against hayate run's API on loopback, over a store
# holding N generated alerts, then alert-to-client latency over SSE with 100
# connected clients (bench/sse_latency.py). Prints Markdown (also
# bench/out/serve.md): per request, the median of RUNS wrk runs of
# requests/s and of p99 latency.
#
#   bench/serve.sh [N]     default 10000 alerts
#   BENCH_DIR=...          where the store goes (default bench/out)
#   DURATION=10s CONNS=64  wrk run length and connections
#   THREADS=1 RUNS=3       wrk threads (fewer than the cores, so the client
#                          does not starve the server), runs per request
#   HY=build/hayate        the binary
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
HY=${HY:-$root/build/hayate}
N=${1:-10000}
DURATION=${DURATION:-10s}
CONNS=${CONNS:-64}
THREADS=${THREADS:-1}
RUNS=${RUNS:-3}
dir=${BENCH_DIR:-$root/bench/out}
mkdir -p "$dir"
command -v wrk >/dev/null || { echo "bench: wrk missing (scripts/deps.sh --bench)"; exit 2; }
db="$dir/serve.db"
rm -f "$db" "$db-wal" "$db-shm"

pid=""
trap '[ -n "$pid" ] && kill -INT $pid 2>/dev/null; wait 2>/dev/null' EXIT
start() { # starts the API on the store; sets pid and port
    "$HY" run --db "$db" --listen 127.0.0.1:0 -s serve.threads=2 2>"$dir/serve.err" &
    pid=$!
    port=""
    for _ in $(seq 100); do
        port=$(sed -n 's/.*(port \([0-9]*\)).*/\1/p' "$dir/serve.err")
        [ -n "$port" ] && break
        sleep 0.1
    done
    [ -n "$port" ] || { echo "bench: the API did not start"; cat "$dir/serve.err"; exit 1; }
}
start

# N alerts, as the darknet engine writes them (evidence of ~600 bytes), and
# the ids of those that start a full page (for bench/pages.lua)
python3 - "$db" "$N" "$root/bench" "$dir/ids.txt" <<'PY'
import sqlite3, sys
db, n = sys.argv[1], int(sys.argv[2])
sys.path.insert(0, sys.argv[3])
from alert_ids import ulid
ev = '{"proto":"tcp","port":23,"detectors":["change","persist"],"sources":412,' \
     '"baseline":3.1,"growth":132.9,"z":41.7,"packets":9120,' + \
     '"sample_sources":[' + ",".join('{"ip":"192.0.2.%d","tool":"mirai"}' % k for k in range(8)) + ']}'
c = sqlite3.connect(db, timeout=10)
c.executemany(
    "INSERT INTO alerts (id, time_ns, engine, kind, severity, score, title, subject, evidence)"
    " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
    ((ulid("01HK00000Z", i), 1704067200000000000 + i * 60000000000, "darknet", "darknet.outbreak",
      1 + i % 4, 0.5, "New outbreak on tcp/%d" % (i % 1000), "tcp/%d" % (i % 1000), ev)
     for i in range(n)))
c.commit()
with open(sys.argv[4], "w") as f:
    f.writelines(ulid("01HK00000Z", i) + "\n" for i in range(max(n - 100, 1)))
PY
# These rows were written by another tool, without their EVE text: a
# writer's open renders it, as it would for a store of an older hayate.
kill -INT $pid
wait $pid || true
start

run() { # run PATH [SCRIPT ARGS...]: "req/s p99 errors" of one wrk run
    local path=$1 script=()
    shift
    [ $# -gt 0 ] && script=(-s "$1") && shift
    wrk -t"$THREADS" -c"$CONNS" -d"$DURATION" --latency "${script[@]}" \
        "http://127.0.0.1:$port$path" ${1+-- "$@"} >"$dir/wrk.out"
    rps=$(awk '/Requests\/sec/ {print $2}' "$dir/wrk.out")
    p99=$(awk '$1 == "99%" {print $2}' "$dir/wrk.out")
    errs=$(awk '/Non-2xx|Socket errors/ {print}' "$dir/wrk.out" | tr '\n' ' ')
    echo "$rps $p99 ${errs:-none}"
}
ms() { # wrk's latency ("850.00us", "7.33ms", "1.02s") in ms
    awk -v v="$1" 'BEGIN { x = v + 0; if (v ~ /us$/) x /= 1000; else if (v ~ /[0-9]s$/) x *= 1000;
                           printf "%.2f", x }'
}
median() { sort -g | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
row() { # row LABEL PATH [SCRIPT ARGS...]: a table row of medians over RUNS runs
    local label=$1 rs="" ps="" errs=none
    shift
    for _ in $(seq "$RUNS"); do
        read -r rps p99 e < <(run "$@")
        rs+="$rps"$'\n'
        ps+="$(ms "$p99")"$'\n'
        [ "$e" = none ] || errs=$e
    done
    printf '| %s | %.0f | %s ms | %s |\n' "$label" "$(printf '%s' "$rs" | median)" \
        "$(printf '%s' "$ps" | median)" "$errs"
}
{
    echo "## HTTP API benchmark $(date -u +%Y-%m-%d) — $(nproc) cores; $N alerts in the store;" \
         "wrk -t$THREADS -c$CONNS -d$DURATION, median of $RUNS runs"
    echo
    echo "| request | requests/s | p99 latency | errors |"
    echo "|---|---:|---:|---|"
    for path in /healthz "/api/alerts?limit=10" "/api/alerts?limit=100" \
                "/api/alerts?engine=darknet&severity=2&limit=100" "/api/label-queue?limit=50"; do
        row "GET $path" "$path"
    done
    row "GET /api/alerts?limit=100&after=(random id; bench/pages.lua)" / \
        "$root/bench/pages.lua" "$dir/ids.txt" "limit=100"
    echo
    echo "SSE: $(python3 "$root/bench/sse_latency.py" "$port" "$db" 100 5)"
} | tee "$dir/serve.md"
