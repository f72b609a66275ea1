#!/usr/bin/env bash
# The CLI on generated fixtures: exit codes, messages, bad input, the store.
. "$(dirname "$0")/lib.bash"

"$HY" synth traffic --seed 3 --flows 300 --packets 6000 -o "$T/t.pcap" >/dev/null 2>&1
check "synth writes a capture" test -s "$T/t.pcap"

out=$("$HY" version); check "version" [ "${out#hayate }" != "$out" ]
"$HY" --help >/dev/null; check "--help exits 0" [ $? -eq 0 ]
"$HY" bogus >/dev/null 2>&1; check "unknown command exits 2" [ $? -eq 2 ]
for c in run analyze alerts synth; do
    "$HY" $c --help >"$T/h" 2>&1; rc=$?
    check "$c --help" [ $rc -eq 0 -a -s "$T/h" ]
done

# A file that is not a capture: exit 2, message names it, nothing written.
echo "hello, not a pcap" >"$T/notes.txt"
"$HY" analyze --db "$T/x.db" "$T/notes.txt" >"$T/o" 2>"$T/e"; rc=$?
check "non-capture exits 2" [ $rc -eq 2 ]
check "non-capture message names the file" grep -q "notes.txt" "$T/e"
check "non-capture writes no store" test ! -e "$T/x.db"
check "non-capture writes nothing to stdout" test ! -s "$T/o"

# A truncated capture: packets before the cut processed, a warning says where.
size=$(stat -c %s "$T/t.pcap")
head -c $((size - 7)) "$T/t.pcap" >"$T/cut.pcap"
"$HY" analyze --flows --format eve "$T/cut.pcap" >"$T/cut.eve" 2>"$T/cut.err"; rc=$?
check "truncated capture exits 0" [ $rc -eq 0 ]
check "truncated capture warns with the file" grep -q "cut.pcap: truncated" "$T/cut.err"
check "truncated capture reports 5999 packets" grep -q "^hayate: 5999 packets" "$T/cut.err"

# A missing interface: clear message naming it, exit 2.
"$HY" run -i hy-nope0 --db "" >"$T/o" 2>"$T/e"; rc=$?
check "missing interface exits 2" [ $rc -eq 2 ]
check "missing interface is named" grep -q "hy-nope0" "$T/e"

# Config errors name file and line.
printf '[flow]\nidle_timeout = 60\nbogus_key = 1\n' >"$T/bad.conf"
"$HY" run -c "$T/bad.conf" -r "$T/t.pcap" >"$T/o" 2>"$T/e"; rc=$?
check "bad config exits 2" [ $rc -eq 2 ]
check "bad config names file:line" grep -q "bad.conf:3" "$T/e"

# Same output for any thread count through the CLI.
"$HY" analyze --flows --format eve -t 1 "$T/t.pcap" >"$T/t1" 2>/dev/null
"$HY" analyze --flows --format eve -t 3 "$T/t.pcap" >"$T/t3" 2>/dev/null
check "flows written" [ "$(grep -c '"event_type":"flow"' "$T/t1")" -eq 300 ]
check "threads 1 and 3 identical" cmp -s "$T/t1" "$T/t3"

# run with the store, then query it.
printf '[input]\nfiles = %s\n[store]\npath = %s\n[output]\neve = %s\neve_flows = true\n' \
    "$T/t.pcap" "$T/h.db" "$T/eve.json" >"$T/ok.conf"
"$HY" run -c "$T/ok.conf" -t 2 --listen 127.0.0.1:0 >"$T/o" 2>"$T/e"; rc=$?
check "run exits 0" [ $rc -eq 0 ]
check "run writes EVE flows" [ "$(grep -c '"event_type":"flow"' "$T/eve.json")" -eq 300 ]
"$HY" alerts --db "$T/h.db" --summary >"$T/s"
check "store holds the flows" grep -Eq "flows +300" "$T/s"
check "store holds capture stats" grep -Eq "capture_stats +1" "$T/s"
"$HY" alerts --db "$T/h.db" --format eve >"$T/a"; rc=$?
check "alerts on a store without alerts is empty" [ $rc -eq 0 -a ! -s "$T/a" ]
"$HY" alerts --db "$T/nope.db" >/dev/null 2>&1
check "alerts on a missing store exits 2" [ $? -eq 2 ]
"$HY" alerts --db "$T/h.db" --severity 9 >/dev/null 2>&1
check "alerts with a bad severity exits 2" [ $? -eq 2 ]

# run with no input serves the store's API until SIGINT.
http_get() { # http_get PORT PATH: the whole reply
    exec 3<>"/dev/tcp/127.0.0.1/$1" || return 1
    printf 'GET %s HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n' "$2" >&3
    cat <&3; exec 3<&-
}
"$HY" run --db "$T/h.db" --listen 127.0.0.1:0 >"$T/o" 2>"$T/srv.err" &
pid=$!
port=$(wait_port "$T/srv.err")
check "run without input announces its API" [ -n "$port" ]
http_get "$port" /healthz >"$T/h1" 2>/dev/null
check "the API answers /healthz" grep -q "^ok" "$T/h1"
http_get "$port" "/api/alerts?limit=5" >"$T/h2" 2>/dev/null
check "the API lists the store's alerts" grep -q '"alerts":\[\]' "$T/h2"
kill -INT $pid; wait $pid; rc=$?
check "serving stops on SIGINT with exit 0" [ $rc -eq 0 ]
"$HY" run --db "$T/h.db" --listen 0.0.0.0:0 >"$T/o" 2>"$T/e"; rc=$?
check "a public address without a token exits 2" [ $rc -eq 2 ]
check "and says why" grep -q "without a token" "$T/e"

# XGBoost is opened on first use (lib/core/dynlib.h): a libxgboost.so.0 that
# cannot serve (here a stand-in without its symbols, found first through
# LD_LIBRARY_PATH) fails the command that needs it with a message naming the
# library and its Debian package, and leaves commands that do not need it alone.
mkdir -p "$T/fakexgb"
printf 'int hy_not_xgboost;\n' >"$T/fakexgb/f.c"
if cc -shared -fPIC -Wl,-soname,libxgboost.so.0 -o "$T/fakexgb/libxgboost.so.0" "$T/fakexgb/f.c" 2>/dev/null; then
    LD_LIBRARY_PATH="$T/fakexgb" "$HY" eval screen --days 2 --per-day 500 --budget 10 >/dev/null 2>"$T/e"; rc=$?
    check "no usable XGBoost: eval screen fails" [ $rc -eq 1 ]
    check "and names the library and package" grep -q "libxgboost.so.0 (Debian package libxgboost0)" "$T/e"
    LD_LIBRARY_PATH="$T/fakexgb" "$HY" analyze --flows --format eve "$T/t.pcap" >"$T/o" 2>"$T/e"; rc=$?
    check "no usable XGBoost: flow analysis still runs" [ $rc -eq 0 -a -s "$T/o" ]
else
    echo "SKIP: no C compiler for the XGBoost stand-in"
fi

# Live capture on loopback until SIGINT: flushes, reports capture stats.
"$HY" run -i lo -f "udp port 45999" --db "" --eve "$T/live.eve" --flows >"$T/o" 2>"$T/live.err" &
pid=$!
sleep 1.5
for i in 1 2 3 4 5; do echo "probe $i" >/dev/udp/127.0.0.1/45999 2>/dev/null; done
sleep 0.5
kill -INT $pid; wait $pid; rc=$?
if grep -q "lo:" "$T/live.err" && [ $rc -eq 0 ]; then
    ok "live capture stops on SIGINT and exits 0"
    check "live capture reports its statistics" grep -Eq "lo: [0-9]+ received, dropped: 0 by the kernel" "$T/live.err"
    check "live capture flushes its flow" grep -q '"dest_port":45999' "$T/live.eve"
elif grep -qi "permission\|not permitted\|socket" "$T/live.err"; then
    echo "SKIP: cannot capture on lo here: $(head -1 "$T/live.err")"
else
    bad "live capture (exit $rc)"; cat "$T/live.err"
fi

finish
