#!/usr/bin/env bash
# IOC extraction benchmark: hayate against the npm `ioc-extractor` CLI on
# the same large text in the same run. The corpus is the text of MITRE
# TRAM's 111 annotated reports (../shared/data/intel/tram/reports, the
# "text" of each .mjson) repeated to at least 32 MB, with the ioc-fanger
# defanged sample mixed in. Prints a Markdown table (also
# bench/out/intel.md) for docs/BENCHMARKS.md.
#
#   bench/intel.sh            (ioc-extractor is installed into bench/out/npm)
#   BENCH_DIR=...  where the corpus and tools go (default bench/out)
#   RUNS=3         repetitions (median reported)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
HY=${HY:-$root/build/hayate}
SPEED=${SPEED:-$root/build/bench_ioc_speed}
RUNS=${RUNS:-3}
dir=${BENCH_DIR:-$root/bench/out}
shared=$root/../shared/data/intel
mkdir -p "$dir"
[ -d "$shared/tram/reports" ] || { echo "bench: $shared/tram/reports missing"; exit 2; }
if [ ! -x "$dir/npm/node_modules/.bin/ioc-extractor" ]; then
    npm install --prefix "$dir/npm" --no-audit --no-fund --loglevel=error ioc-extractor@8.2.0
fi
IOCX=$dir/npm/node_modules/.bin/ioc-extractor
version=$(node -e 'console.log(require(process.argv[1]).version)' "$dir/npm/node_modules/ioc-extractor/package.json")

corpus=$dir/intel-corpus.txt
if [ ! -s "$corpus" ]; then
    python3 - "$shared" "$corpus" <<'PY'
import glob, json, os, sys
shared, out = sys.argv[1], sys.argv[2]
parts = []
for p in sorted(glob.glob(os.path.join(shared, "tram/reports/*.mjson"))):
    d = json.load(open(p, encoding="utf-8"))
    parts.append(d.get("text") or d.get("signal") or "")
parts.append(open(os.path.join(shared, "ioc/ioc-fanger/sample_text_defanged.txt"), encoding="utf-8").read())
one = "\n\n".join(parts).encode()
with open(out, "wb") as f:
    n = 0
    while n < 32 << 20:
        f.write(one); n += len(one)
PY
fi
mb=$(python3 -c 'import os,sys; print("%.1f" % (os.path.getsize(sys.argv[1]) / 1e6))' "$corpus")

median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
timeit() { # timeit CMD... -> median wall seconds over RUNS (output discarded)
    for _ in $(seq "$RUNS"); do
        /usr/bin/time -f %e -o "$dir/time.txt" "$@" >/dev/null 2>&1
        cat "$dir/time.txt"
    done | median
}

read -r bytes iocs ext_s ext_mbs < <("$SPEED" "$corpus" 5)
t_hy=$(timeit "$HY" intel extract "$corpus" --model none --format json)
t_iocx=$(timeit sh -c '"$0" <"$1"' "$IOCX" "$corpus")
ratio=$(python3 -c "print('%.1f' % ($t_iocx / $t_hy))")
ratio_ext=$(python3 -c "print('%.1f' % ($t_iocx / $ext_s))")
cat <<MD | tee "$dir/intel.md"
IOC extraction, $mb MB of report text (TRAM's reports repeated, with the ioc-fanger defanged sample), 1 core, median of $RUNS runs:

| tool | seconds | MB/s | ratio to ioc-extractor |
|---|---:|---:|---:|
| ioc-extractor $version (npm CLI, stdin to JSON) | $t_iocx | $(python3 -c "print('%.1f' % ($mb / $t_iocx))") | 1.0× |
| hayate intel extract --model none --format json (read, refang, extract, sentences, software names, summary and STIX) | $t_hy | $(python3 -c "print('%.1f' % ($mb / $t_hy))") | $ratio× |
| hayate hy_ioc_extract alone (bench_ioc_speed, median of 5; $iocs distinct indicators) | $ext_s | $ext_mbs | $ratio_ext× |
MD
