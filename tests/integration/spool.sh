#!/usr/bin/env bash
# Spool folders: hayate run --spool takes each file dropped into a folder
# once, the malware engine stores it by SHA-256 while the run goes on, and
# SIGTERM ends the run with everything stored; a second run over the same
# folder analyses nothing again.
source "$(dirname "$0")/lib.bash"

SP="$T/spool"
DB="$T/s.db"
mkdir -p "$SP"

q() { # q SQL: the first column of the first row, or nothing
    python3 -c 'import sqlite3,sys
try: print(sqlite3.connect(sys.argv[1]).execute(sys.argv[2]).fetchone()[0])
except Exception: pass' "$DB" "$1"
}
taken() { # taken ERRFILE: files taken, summed over the scan lines
    sed -n 's/^hayate: spool: .*: \([0-9]*\) files taken.*/\1/p' "$1" | awk '{s+=$1} END {print s+0}'
}
wait_for() { # wait_for CMD...: until CMD succeeds (up to 20 s)
    for _ in $(seq 200); do
        "$@" && return 0
        sleep 0.1
    done
    return 1
}
samples_at_least() { [ "$(q 'select count(*) from samples')" -ge "$1" ] 2>/dev/null; }
taken_at_least() { [ "$(taken "$1")" -ge "$2" ]; }
seen_after() { [ "$(q "select last_ns from samples where sha256='$1'")" -gt "$2" ] 2>/dev/null; }
dump() { python3 -c 'import sqlite3,sys
for r in sqlite3.connect(sys.argv[1]).execute("select sha256,name,report,first_ns from samples order by sha256"): print(r)' "$DB"; }
run_spool() { # run_spool ERRFILE THREADS: hayate run on the spool in the background ($pid)
    "$HY" run --spool "$SP" --db "$DB" -t "$2" --listen 127.0.0.1:0 -s input.spool_interval=1 \
        2>"$1" &
    pid=$!
}

run_spool "$T/run1.err" 2
cp /bin/ls "$SP/ls"
cp /bin/cat "$SP/cat"
printf 'just some text, not a program\n' >"$SP/note.txt"
check "three dropped files are stored while the run goes on" wait_for samples_at_least 3
head -c 5000 /dev/urandom >"$SP/blob.bin"
cp /bin/ls "$SP/ls-again"   # the same bytes under another name
check "and the next two are taken" wait_for taken_at_least "$T/run1.err" 5
check "the fourth is stored" wait_for samples_at_least 4
kill -TERM $pid
wait $pid
check "SIGTERM ends the run with exit 0" [ $? -eq 0 ]
check "one row per distinct content ($(q 'select count(*) from samples'))" \
    [ "$(q 'select count(*) from samples')" -eq 4 ]
check "each file was taken once ($(taken "$T/run1.err") in the scan lines)" \
    [ "$(taken "$T/run1.err")" -eq 5 ]
check "and the run says so at the end" grep -q "spool: 5 files taken in all" "$T/run1.err"
sha=$(sha256sum /bin/ls | cut -d' ' -f1)
check "the copy of ls was only seen again (first name kept, last seen later)" \
    [ "$(q "select name || ' ' || (last_ns > first_ns) from samples where sha256='$sha'")" = "ls 1" ]
check "the others were seen once" \
    [ "$(q "select count(*) from samples where sha256<>'$sha' and last_ns=first_ns")" -eq 3 ]

# A second run over the same folder: every file is fed again (the watcher
# starts afresh) but the store knows them all: nothing is analysed again.
python3 -c 'import sqlite3,sys
c=sqlite3.connect(sys.argv[1]); c.execute("update samples set report=? where sha256=?",("{\"mark\":1}",sys.argv[2])); c.commit()' "$DB" "$sha"
before=$(dump)
last=$(q "select last_ns from samples where sha256='$sha'")
run_spool "$T/run2.err" 1
check "the second run takes the five files" wait_for taken_at_least "$T/run2.err" 5
check "and stores the sightings" wait_for seen_after "$sha" "$last"
kill -TERM $pid
wait $pid
check "the second run exits 0" [ $? -eq 0 ]
check "no new rows, reports and first sightings unchanged" [ "$before" = "$(dump)" ]
check "the marked report was not replaced" \
    [ "$(q "select report from samples where sha256='$sha'")" = '{"mark":1}' ]

"$HY" run --spool "$T/nope" --db "" >/dev/null 2>"$T/nope.err"
check "a missing spool folder exits 2" [ $? -eq 2 ]
check "naming it" grep -q "$T/nope" "$T/nope.err"
"$HY" analyze --spool "$SP" >/dev/null 2>&1
check "analyze does not watch folders (exit 2)" [ $? -eq 2 ]

# The inputs that never end run together: a followed eve.json and a spool
# folder in one run (the spool used to wait for the follow, which never
# ends), and both during a live capture on lo where capturing is allowed.
"$HY" synth alerts --days 1 --per-day 200 --seed 3 -o "$T/alerts.json" 2>/dev/null
DB="$T/w.db" SP="$T/spool2" F="$T/follow.json" RP="$T/reports2"
mkdir -p "$SP" "$RP"
: >"$F"
model=()
[ -f "$SRC/data/attack/model.hyl" ] || model=(-s intel.model=none)
"$HY" run --follow-alerts "$F" --spool "$SP" --reports "$RP" --db "$DB" --listen 127.0.0.1:0 \
    -s input.spool_interval=1 -s input.spool_settle=0 "${model[@]}" 2>"$T/w.err" &
pid=$!
printf 'APT99 used 45.77.12.9 and evil-domain.com to deliver Emotet.\n' >"$RP/r.txt"
reports_at_least() { [ "$(q 'select count(*) from intel_reports')" -ge "$1" ] 2>/dev/null; }
check "a report dropped in the reports folder is stored as a report" wait_for reports_at_least 1
head -n 5 "$T/alerts.json" >>"$F"
cp /bin/ls "$SP/ls"
check "a followed file and a spool folder in one run: the sample is stored" \
    wait_for samples_at_least 1
sed -n 6,8p "$T/alerts.json" >>"$F"
cp /bin/cat "$SP/cat"
check "and the next one, while the file is still followed" wait_for samples_at_least 2
kill -TERM $pid
wait $pid
check "the run exits 0 on SIGTERM" [ $? -eq 0 ]
check "it followed the 8 alerts" grep -q "follow.json: 8 alerts" "$T/w.err"
check "and took the 3 files" grep -q "spool: 3 files taken in all" "$T/w.err"
check "the report is not a sample, the samples are not reports ($(q 'select count(*) from samples') $(q 'select count(*) from intel_reports'))" \
    [ "$(q 'select count(*) from samples') $(q 'select count(*) from intel_reports')" = "2 1" ]

DB="$T/live.db" SP="$T/spool3" F="$T/follow3.json"
mkdir -p "$SP"
head -n 4 "$T/alerts.json" >"$F"
"$HY" run -i lo -f "udp port 45997" --follow-alerts "$F" --spool "$SP" --db "$DB" \
    --eve "$T/live.eve" --flows --listen 127.0.0.1:0 -s input.spool_interval=1 \
    -s input.spool_settle=0 2>"$T/live.err" &
pid=$!
sleep 1
if ! kill -0 $pid 2>/dev/null && grep -qi "permission\|not permitted\|socket" "$T/live.err"; then
    echo "SKIP: cannot capture on lo here: $(head -1 "$T/live.err")"
else
    cp /bin/ls "$SP/ls"
    check "during a live capture, a spool file is stored" wait_for samples_at_least 1
    for i in 1 2 3; do echo "probe $i" >/dev/udp/127.0.0.1/45997 2>/dev/null; done
    sleep 0.5
    kill -INT $pid
    wait $pid
    check "the capture stops on SIGINT with exit 0" [ $? -eq 0 ]
    check "the followed file was read during the capture" grep -q "follow3.json: 4 alerts" "$T/live.err"
    check "and the capture's flow was written" grep -q '"dest_port":45997' "$T/live.eve"
fi
finish
