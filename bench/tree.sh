#!/usr/bin/env bash
# Malware phylogeny at scale (docs/BENCHMARKS.md, "Malware phylogeny"):
# `hayate tree` plain NJ against --fast on a generated lineage whose true
# tree is known, timed (hyperfine if installed, else /usr/bin/time, median of
# RUNS), with the Robinson-Foulds distance of each to the truth and between
# the two.
#
#   bash bench/tree.sh [HAYATE]        e.g. bash bench/tree.sh build/hayate
#   N=2000 BYTES=8192 SEED=1 RUNS=3 THREADS=2 bash bench/tree.sh build/hayate
#   (NO_HYPERFINE=1: time with /usr/bin/time even when hyperfine is there)
#
# Size: 2,000 samples of an 8 KiB ancestor (tips drift around it), 16 MiB in
# all. Real samples are larger, but NCD's cost is one compression per pair
# of the pair's bytes, so the size only scales both variants alike; 8 KiB is
# in the middle of 4-16 KiB, big enough that zstd finds the shared words
# across a pair (NCD of unrelated 1 KiB blobs is noise-dominated), small
# enough that the plain run's 1,999,000 pair compressions take minutes, not
# hours, on 2 cores.
set -euo pipefail
HY=${1:-build/hayate}
N=${N:-2000}
BYTES=${BYTES:-8192}
SEED=${SEED:-1}
RUNS=${RUNS:-3}
THREADS=${THREADS:-$(nproc)}
W=$(mktemp -d /tmp/hytree.XXXXXX)
trap 'rm -rf "$W"' EXIT

"$HY" synth lineage --leaves "$N" --bytes "$BYTES" --seed "$SEED" --out "$W/s" \
    --truth "$W/truth.nwk"
echo "lineage: $N files, $(du -sh "$W/s" | cut -f1), seed $SEED, $(nproc) cores," \
     "load $(cut -d' ' -f1-3 /proc/loadavg)"

plain=("$HY" tree "$W/s" -t "$THREADS" --truth "$W/truth.nwk")
fast=("$HY" tree "$W/s" -t "$THREADS" --fast --truth "$W/truth.nwk")

median() { sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }

# time_runs NAME CMD...: "WALL USER": median wall seconds of RUNS runs and
# the mean user CPU seconds (on a shared machine the CPU time is the steadier
# measure); the last run's Newick and stderr are kept as $W/NAME.nwk and
# $W/NAME.err.
time_runs() {
    local name=$1; shift
    if [ -z "${NO_HYPERFINE:-}" ] && command -v hyperfine >/dev/null; then
        hyperfine -N --runs "$RUNS" --export-json "$W/$name.json" \
            "sh -c '$* >$W/$name.nwk 2>$W/$name.err'" >&2
        python3 -c 'import json,sys; r=json.load(open(sys.argv[1]))["results"][0]
print(r["median"], r["user"])' "$W/$name.json"
    else
        for _ in $(seq "$RUNS"); do
            /usr/bin/time -f "%e %U" -o "$W/t" "$@" >"$W/$name.nwk" 2>"$W/$name.err"
            cat "$W/t"
        done >"$W/$name.times"
        echo "$(cut -d' ' -f1 "$W/$name.times" | median)" \
            "$(awk '{ s += $2 } END { print s / NR }' "$W/$name.times")"
    fi
}

read -r tp up < <(time_runs plain "${plain[@]}")
read -r tf uf < <(time_runs fast "${fast[@]}")
"$HY" tree "$W/s" -t "$THREADS" --fast --truth "$W/plain.nwk" >/dev/null 2>"$W/between.err"

python3 - "$tp" "$up" "$tf" "$uf" "$W" <<'PY'
import sys
tp, up, tf, uf = map(float, sys.argv[1:5])
rf = lambda n: [l for l in open(f"{sys.argv[5]}/{n}.err") if l.startswith("rf=")][0].strip()
print(f"plain NJ: median {tp:.2f} s wall, {up:.2f} s user; vs truth: {rf('plain')}")
print(f"--fast:   median {tf:.2f} s wall, {uf:.2f} s user; vs truth: {rf('fast')}")
print(f"fast vs plain: {rf('between')}")
print(f"speed-up: {tp / tf:.1f}x wall, {up / uf:.1f}x CPU")
PY
