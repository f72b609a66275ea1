#!/usr/bin/env bash
# The malware engine's nearest-sample search by ssdeep against ssdeep's own
# all-pairs matching, on the digests of a real corpus, in one run:
#   bench/nearest.sh [FOLDER]      default /usr/lib/x86_64-linux-gnu
#   RUNS=3                         repetitions (median), tools alternated
# hayate: every digest's nearest among all the others (bench_nearest_speed,
# the index the engine keeps); ssdeep -x FILE: every digest against every
# other, printing the matches. Both make n(n-1) comparisons.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
B=${B:-$root/build/bench_nearest_speed}
RUNS=${RUNS:-3}
corpus=${1:-/usr/lib/x86_64-linux-gnu}
command -v ssdeep >/dev/null || { echo "bench: ssdeep missing (scripts/deps.sh --bench)"; exit 2; }
[ -x "$B" ] || { echo "bench: $B missing (make build)"; exit 2; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
ssdeep -r -s "$corpus" >"$work/known.ssd" || true
n=$(($(wc -l <"$work/known.ssd") - 1))
secs() { local a b; a=$(date +%s.%N); "$@" >"$work/out" 2>/dev/null; b=$(date +%s.%N); python3 -c "print(f'{$b-$a:.3f}')"; }
hy=() sd=()
for _ in $(seq "$RUNS"); do
    hy+=("$(secs "$B" "$work/known.ssd")")
    matched=$(awk '{print $5}' "$work/out")
    sd+=("$(secs ssdeep -x "$work/known.ssd")")
done
med() { printf '%s\n' "$@" | sort -g | sed -n "$(( ($# + 1) / 2 ))p"; }
h=$(med "${hy[@]}") s=$(med "${sd[@]}")
pairs=$((n * (n - 1)))
echo "## Nearest sample by ssdeep, $(date +%F): $n digests of $corpus, $pairs ordered pairs"
echo
echo "| tool | median s | ns per pair | ratio |"
echo "|---|---:|---:|---:|"
python3 - "$h" "$s" "$pairs" <<'PY'
import sys
h, s, p = float(sys.argv[1]), float(sys.argv[2]), int(sys.argv[3])
print(f"| hayate nearest-sample search (bench_nearest_speed) | {h:.3f} | {h / p * 1e9:.1f} | 1.00x |")
print(f"| ssdeep -x (every pair, matches printed) | {s:.3f} | {s / p * 1e9:.1f} | {s / h:.2f}x slower |")
PY
echo
echo "$matched of $n digests have a nearest sample scoring above 0."
