#!/usr/bin/env bash
# HTTP API benchmark: wrk against hayate run's API on loopback, over a store
# holding N generated alerts, then alert-to-client latency over SSE with 100
# connected clients (bench/sse_latency.py). Prints Markdown (also
# bench/out/serve.md).
#
#   bench/serve.sh [N]     default 10000 alerts
#   BENCH_DIR=...          where the store goes (default bench/out)
#   DURATION=10s CONNS=64  wrk run length and connections
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
HY=${HY:-$root/build/hayate}
N=${1:-10000}
DURATION=${DURATION:-10s}
CONNS=${CONNS:-64}
dir=${BENCH_DIR:-$root/bench/out}
mkdir -p "$dir"
command -v wrk >/dev/null || { echo "bench: wrk missing (scripts/deps.sh --bench)"; exit 2; }
db="$dir/serve.db"
rm -f "$db" "$db-wal" "$db-shm"

"$HY" run --db "$db" --listen 127.0.0.1:0 -s serve.threads=2 2>"$dir/serve.err" &
pid=$!
trap 'kill -INT $pid 2>/dev/null; wait $pid 2>/dev/null' EXIT
port=""
for _ in $(seq 100); do
    port=$(sed -n 's/.*(port \([0-9]*\)).*/\1/p' "$dir/serve.err")
    [ -n "$port" ] && break
    sleep 0.1
done
[ -n "$port" ] || { echo "bench: the API did not start"; cat "$dir/serve.err"; exit 1; }

# N alerts, as the darknet engine writes them (evidence of ~600 bytes)
python3 - "$db" "$N" "$root/bench" <<'PY'
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
PY

run() { # run PATH: "req/s p99"
    wrk -t2 -c"$CONNS" -d"$DURATION" --latency "http://127.0.0.1:$port$1" >"$dir/wrk.out"
    rps=$(awk '/Requests\/sec/ {print $2}' "$dir/wrk.out")
    p99=$(awk '$1 == "99%" {print $2}' "$dir/wrk.out")
    errs=$(awk '/Non-2xx|Socket errors/ {print}' "$dir/wrk.out" | tr '\n' ' ')
    echo "$rps $p99 ${errs:-none}"
}
{
    echo "## HTTP API benchmark $(date -u +%Y-%m-%d) — $(nproc) cores; $N alerts in the store; wrk -t2 -c$CONNS -d$DURATION"
    echo
    echo "| request | requests/s | p99 latency | errors |"
    echo "|---|---:|---:|---|"
    for path in /healthz "/api/alerts?limit=10" "/api/alerts?limit=100" \
                "/api/alerts?engine=darknet&severity=2&limit=100"; do
        read -r rps p99 errs < <(run "$path")
        echo "| GET $path | $rps | $p99 | $errs |"
    done
    echo
    echo "SSE: $(python3 "$root/bench/sse_latency.py" "$port" "$db" 100 5)"
} | tee "$dir/serve.md"
