#!/usr/bin/env bash
# Alert screening benchmark (docs/BENCHMARKS.md, "Screen"):
#  1. throughput: hayate screen (ingest + scoring + grouping, one core) on
#     a generated eve.json of about a million alerts, against jq reading
#     the same file (parse and keep the alerts: the least a peer must do),
#     in the same run; median of RUNS;
#  2. quality: hayate eval screen on the default synthetic week for verdict
#     budgets 10..200 a day, with and without the supervised model, and at
#     50 a day over seeds 1..SEEDS (10) of the generator;
#  3. real alerts: the three CPTC 2017 teams' eve files (../shared): alerts,
#     groups an analyst reads, and what is escalated with no verdict yet.
# Prints Markdown (also bench/out/screen.md).
#
#   bench/screen.sh        RUNS=3 (median)   BENCH_DIR=... (default bench/out)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
HY=${HY:-$root/build/hayate}
RUNS=${RUNS:-3}
dir=${BENCH_DIR:-$root/bench/out}
cptc=$root/../shared/data/alerts/cptc2017
mkdir -p "$dir"
command -v jq >/dev/null || { echo "bench: jq missing (scripts/deps.sh --bench)"; exit 2; }
eve=$dir/screen-1m.json
[ -s "$eve" ] || "$HY" synth alerts --seed 1 --days 7 --per-day 150000 -o "$eve"
n=$(wc -l <"$eve")
mb=$(( $(stat -c %s "$eve") / 1000000 ))

# The three tools run in turn, RUNS rounds, so that a noisy neighbour on
# the VM slows them alike; per tool the median wall seconds and the median
# CPU seconds (user + system) of the rounds.
declare -A wall cpu
tools=(hy hyj jq)
tf=$dir/time.txt
for _ in $(seq "$RUNS"); do
    for t in "${tools[@]}"; do
        case $t in
        hy) cmd=("$HY" screen "$eve") ;;
        hyj) cmd=("$HY" screen --format json "$eve") ;;
        jq) cmd=(jq -c 'select(.event_type == "alert") | {sid: .alert.signature_id, src: .src_ip}' "$eve") ;;
        esac
        /usr/bin/time -o "$tf" -f '%e %U %S' "${cmd[@]}" >/dev/null 2>&1
        wall[$t]+="$(awk '{print $1}' "$tf") "
        cpu[$t]+="$(awk '{print $2 + $3}' "$tf") "
    done
done
med() { printf '%s\n' $1 | sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
hy_s=$(med "${wall[hy]}"); hyj_s=$(med "${wall[hyj]}"); jq_s=$(med "${wall[jq]}")
hy_c=$(med "${cpu[hy]}"); hyj_c=$(med "${cpu[hyj]}"); jq_c=$(med "${cpu[jq]}")
rate() { echo "$n / $1" | bc -l | awk '{printf "%.0f", $1}'; }

out=$dir/screen.md
{
    echo "### Throughput ($n alerts, $mb MB of eve.json, one core, median of $RUNS)"
    echo
    echo "| tool | what | wall s | alerts/s (wall) | CPU s | alerts/s (CPU) | vs jq (wall) |"
    echo "|---|---|---:|---:|---:|---:|---:|"
    printf "| hayate screen | parse, screen, group (table) | %.2f | %s | %.2f | %s | %.1fx |\n" "$hy_s" "$(rate "$hy_s")" "$hy_c" "$(rate "$hy_c")" "$(echo "$jq_s / $hy_s" | bc -l)"
    printf "| hayate screen --format json | parse, screen, write every alert | %.2f | %s | %.2f | %s | %.1fx |\n" "$hyj_s" "$(rate "$hyj_s")" "$hyj_c" "$(rate "$hyj_c")" "$(echo "$jq_s / $hyj_s" | bc -l)"
    printf "| jq %s | parse, select alerts, two fields | %.2f | %s | %.2f | %s | 1.0x |\n" "$(jq --version)" "$jq_s" "$(rate "$jq_s")" "$jq_c" "$(rate "$jq_c")"
    echo
    echo "Every round, wall seconds: hayate screen ${wall[hy]}; --format json ${wall[hyj]}; jq ${wall[jq]}"
    echo
    echo "### Day-forward evaluation (hayate eval screen, default synthetic week)"
    echo
    echo "| verdicts/day | model | workload reduction | attack alerts missed | caught (escalated or in review) | escalation precision | campaigns missed | alerts/s |"
    echo "|---:|---|---:|---:|---:|---:|---:|---:|"
    for m in model no-model; do
        flag=$([ $m = no-model ] && echo --no-model || true)
        "$HY" eval screen --budget 10,25,50,100,200 $flag --format json | python3 -c '
import json, sys
m = sys.argv[1]
for line in sys.stdin:
    d = json.loads(line); t = d["total"]
    att = t["attacks"] or 1
    caught = t["attacks_escalated"] + t["attacks_review"]
    print("| %d | %s | %.1f%% | %d (%.1f%%) | %.1f%% | %.1f%% | %d of %d | %d |" % (
        d["budget"], m, 100 * t["workload_reduction"], t["attacks_missed"],
        100 * t["attacks_missed"] / att, 100 * caught / att,
        100 * t["escalation_precision"], d["campaigns_missed"], d["campaigns"], d["alerts_per_s"]))
' "$m"
    done
    echo
    echo "### Over seeds (50 verdicts a day, with the model; days 2-7)"
    echo
    echo "| seed | alerts | attack alerts | workload reduction | attack alerts missed | caught | escalation precision |"
    echo "|---:|---:|---:|---:|---:|---:|---:|"
    for seed in $(seq "${SEEDS:-10}"); do
        "$HY" eval screen --budget 50 --seed "$seed" --format json | python3 -c '
import json, sys
d = json.load(sys.stdin); t = d["total"]; att = t["attacks"] or 1
print("| %s | %d | %d | %.1f%% | %d (%.1f%%) | %.1f%% | %.1f%% |" % (sys.argv[1], t["alerts"],
      t["attacks"], 100 * t["workload_reduction"], t["attacks_missed"],
      100 * t["attacks_missed"] / att,
      100 * (t["attacks_escalated"] + t["attacks_review"]) / att, 100 * t["escalation_precision"]))
' "$seed"
    done
    if [ -d "$cptc" ]; then
        echo
        echo "### CPTC 2017 (real ET alerts, no labels, no verdicts)"
        echo
        echo "| team | alerts | groups to read | alerts per group | escalated | distinct signatures escalated |"
        echo "|---|---:|---:|---:|---:|---:|"
        for f in "$cptc"/*.json; do
            "$HY" screen --format json "$f" 2>/dev/null | python3 -c '
import json, sys
n = 0; groups = set(); esc = set(); nesc = 0
for line in sys.stdin:
    d = json.loads(line); s = d["screen"]; n += 1
    src = ".".join(d.get("src_ip", "").split(".")[:3])
    groups.add((s["decision"], d["alert"]["signature_id"], s["cluster"], src))
    if s["decision"] == "escalate":
        nesc += 1; esc.add(d["alert"]["signature"])
name = sys.argv[1].split("_")[1]
print("| %s | %d | %d | %.1f | %d | %d |" % (name, n, len(groups), n / len(groups), nesc, len(esc)))
' "$(basename "$f")"
        done
    fi
} | tee "$out"
