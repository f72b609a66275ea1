#!/usr/bin/env bash
# Darknet benchmark: the per-packet path, Dark-NMF and the graphical lasso
# on a generated three-day telescope capture, against tcpdump's read floor on
# the same file in the same run; one graphical-lasso window at 1,000 hosts;
# peak memory with 10 million distinct sources in a day
# (bench/darknet_sources.py). Prints Markdown (also bench/out/darknet.md).
#
#   bench/darknet.sh [SCENARIO_INDEX]     default 1 (standard/1)
#   BENCH_DIR=...  where the capture goes (default bench/out; ~1.5 GB)
#   RUNS=3         repetitions per row (the median is reported)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
HY=${HY:-$root/build/hayate}
IDX=${1:-1}
RUNS=${RUNS:-3}
dir=${BENCH_DIR:-$root/bench/out}
mkdir -p "$dir"
command -v tcpdump >/dev/null || { echo "bench: tcpdump missing (scripts/deps.sh --bench)"; exit 2; }
f="$dir/darknet-standard-$IDX.pcap"
[ -s "$f" ] || "$HY" synth darknet --scenario standard --index "$IDX" -o "$f" >/dev/null
pkts=$(python3 -c "import json,sys; print(json.load(open(sys.argv[1]))['stats']['packets'])" \
       "${f%.pcap}.truth.json" 2>/dev/null || echo 0)

median() { # median wall seconds of RUNS runs after a warm-up
    local -a t=()
    bash -c "$1" >/dev/null 2>&1
    for _ in $(seq "$RUNS"); do
        local a b
        a=$(date +%s.%N); bash -c "$1" >/dev/null 2>&1; b=$(date +%s.%N)
        t+=("$(python3 -c "print($b-$a)")")
    done
    printf '%s\n' "${t[@]}" | sort -g | sed -n "$(( (RUNS + 1) / 2 ))p"
}
peak_mb() { /usr/bin/time -f %M bash -c "$1" 2>&1 >/dev/null | tail -1 | awk '{print int($1/1024)}'; }

base="$HY analyze --darknet all --set flow.enabled=false --format eve -t 1"
off="--set darknet.glasso_hosts=0 --set darknet.nmf_hosts=0"
names=("tcpdump -r F -w /dev/null (read floor)"
       "hayate: decode + per-packet path + change, persist, new-port (glasso, NMF off)"
       "hayate: the same + Dark-NMF, 1,000 hosts per window"
       "hayate: the same + graphical lasso, 200 hosts per window")
cmds=("tcpdump -r $f -w /dev/null"
      "$base $off $f"
      "$base --set darknet.glasso_hosts=0 $f"
      "$base --set darknet.glasso_hosts=200 $f")
# One graphical-lasso window at 1,000 hosts: six hours (36 windows) with and
# without the detector; the difference over 36 is the cost of a window.
g="$dir/darknet-6h.pcap"
[ -s "$g" ] || "$HY" synth darknet --seed 1 --duration 6h --rate 50 -o "$g" >/dev/null
{
    echo "## Darknet benchmark $(date -u +%Y-%m-%d) — $(nproc) cores; $(basename "$f"), $pkts packets, $(du -hL "$f" | cut -f1)"
    echo
    echo "| run | median s | packets/s | ratio to tcpdump | peak RSS MB |"
    echo "|---|---:|---:|---:|---:|"
    t0=""
    for i in "${!cmds[@]}"; do
        s=$(median "${cmds[$i]}")
        [ -z "$t0" ] && t0=$s
        mb=$(peak_mb "${cmds[$i]}")
        python3 -c "s=$s;print(f'| ${names[$i]} | {s:.2f} | {$pkts/s/1e6:.2f} M | {s/$t0:.2f}x | $mb |')"
    done
    # The per-packet path alone: with 2 workers, their CPU seconds (the
    # collector merges the shards' bins and runs the detectors apart).
    cpu=$(bash -c "${base% -t 1} -t 2 $off $f" 2>&1 >/dev/null | grep 'CPU s' | sed 's/^hayate: *//')
    wk=$(echo "$cpu" | sed -n 's/.*workers \([0-9.]*\).*/\1/p')
    echo
    python3 -c "print(f'Per-packet path, 2 workers (glasso, NMF off): {$pkts/$wk/1e6:.2f} M packets/s per CPU-second of the workers ($cpu).')"
    t_off=$(median "$base $off $g")
    on=$(median "$base --set darknet.nmf_hosts=0 --set darknet.glasso_hosts=1000 $g")
    echo
    python3 -c "print(f'Graphical lasso at 1,000 hosts (6 h, 36 windows): {$on:.2f} s with, {$t_off:.2f} s without: {($on-$t_off)/36:.3f} s per window (6 rho values).')"
    m="$dir/darknet-sources-10m.pcap"
    [ -s "$m" ] || python3 "$root/bench/darknet_sources.py" 10000000 "$m"
    a=$(date +%s.%N)
    mb=$(peak_mb "$base --set darknet.glasso_hosts=200 $m")
    b=$(date +%s.%N)
    python3 -c "print(f'10 million distinct sources in a day (20 M packets, every detector, glasso at 200 hosts): peak RSS $mb MB, {$b-$a:.1f} s (one run).')"
} | tee "$dir/darknet.md"
