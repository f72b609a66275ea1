#!/usr/bin/env bash
# Store write benchmark: alerts per second into a fresh SQLite store (WAL,
# one transaction per batch), for the collector's batch size and others.
#   bench/store.sh [N]     default 200000 alerts per run
#   BENCH_DIR=...          where the store goes (default bench/out)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
B=${BENCH:-$root/build/bench_store_alerts}
N=${1:-200000}
dir=${BENCH_DIR:-$root/bench/out}
mkdir -p "$dir"
{
    echo "## Store write benchmark $(date -u +%Y-%m-%d) — $(nproc) cores"
    echo
    for batch in 1 64 512 4096; do
        rm -f "$dir/store-bench.db" "$dir/store-bench.db-wal" "$dir/store-bench.db-shm"
        echo "- $("$B" "$dir/store-bench.db" "$N" "$batch")"
    done
} | tee "$dir/store.md"
