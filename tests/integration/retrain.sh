#!/usr/bin/env bash
# The feedback loop end to end, over real HTTP: an analyst's verdict ->
# hayate dataset build -> hayate train -> a running hayate run loads the
# new version (POST /api/models/reload, then SIGHUP) without dropping a
# packet -> the learned threshold changes what the engine reports.
source "$(dirname "$0")/lib.bash"

opts=(--darknet 198.18.0.0/15 --set darknet.recent_bins=10 --set darknet.scanner_packets=1200
      --set darknet.glasso_hosts=200 --set flow.enabled=false --set store.flows=false)
M="$T/models"
"$HY" synth darknet --scenario demo -o "$T/dn.pcap" >/dev/null 2>&1
"$HY" run -r "$T/dn.pcap" "${opts[@]}" --db "$T/s.db" --set serve.enabled=false \
    --eve "$T/base.eve" >/dev/null 2>"$T/base.err"
check "the first run stores outbreak alerts" grep -q '"darknet.outbreak"' "$T/base.eve"
total=$(sed -n 's/^hayate: \([0-9]*\) packets.*/\1/p' "$T/base.err")

api() { # api METHOD PORT PATH [BODY]: the status code, the body in $T/body
    curl -s -o "$T/body" -w '%{http_code}' -X "$1" -H 'Content-Type: application/json' \
        ${4:+--data "$4"} "http://127.0.0.1:$2$3"
}
model_loaded() { # model_loaded PORT: the darknet model the pipeline runs
    api GET "$1" /api/stats >/dev/null
    python3 -c 'import json,sys
e=[x for x in json.load(open(sys.argv[1]))["engines"] if x["name"]=="darknet"][0]
print(e["model"]["loaded"])' "$T/body"
}

# 1. Verdicts over the API: the tcp/2323 outbreaks are false positives.
"$HY" run --db "$T/s.db" --listen 127.0.0.1:0 --set models.dir="$M" >/dev/null 2>"$T/srv.err" &
pid=$!
port=$(wait_port "$T/srv.err")
check "the API comes up" [ -n "$port" ]
ids=$("$HY" alerts --db "$T/s.db" --kind darknet.outbreak --format eve |
      python3 -c 'import json,sys
for l in sys.stdin:
    a=json.loads(l)
    if a["hayate"]["subject"]=="tcp/2323": print(a["hayate"]["id"])')
n=0
for id in $ids; do
    code=$(api POST "$port" "/api/alerts/$id/feedback" '{"verdict":"false_positive","analyst":"kai"}')
    [ "$code" = 200 ] || [ "$code" = 201 ] && n=$((n + 1))
done
check "verdicts stored over HTTP ($n)" [ "$n" -ge 1 -a -n "$ids" ]
check "hayate alerts --verdict finds them in the store" \
    [ "$("$HY" alerts --db "$T/s.db" --verdict false_positive --format eve | wc -l)" -eq "$n" ]
check "and the rest as not judged" \
    [ "$("$HY" alerts --db "$T/s.db" --verdict none --format eve | grep -c tcp/2323)" -eq 0 ]
code=$(api POST "$port" /api/models/reload)
check "reload with no pipeline running is 409" [ "$code" = 409 ]
code=$(api GET "$port" /api/models)
check "GET /api/models lists darknet with no version yet" \
    python3 -c 'import json,sys; d=json.load(open(sys.argv[1]))
e=[x for x in d["engines"] if x["name"]=="darknet"][0]
assert e["current"] is None and e["versions"]==[]' "$T/body"
kill -INT $pid; wait $pid

# 2. The training set and two model versions.
"$HY" dataset build darknet --db "$T/s.db" -o "$T/ds.csv" >"$T/ds.out"
check "dataset build writes one row per judged outbreak" \
    [ "$(($(wc -l <"$T/ds.csv") - 1))" -eq "$n" ]
check "its header names the features" grep -q '^label,verdict,alert_id,proto,port,' "$T/ds.csv"
check "its rows carry the verdict" grep -q '^0,false_positive,.*,tcp,2323,' "$T/ds.csv"
"$HY" train darknet --data "$T/ds.csv" --models "$M" >"$T/t1.out" 2>&1
check "train publishes version 1" grep -q "model version 1 " "$T/t1.out"
check "the manifest holds the data hash" \
    grep -q "\"data_hash\":\"$(sha256sum "$T/ds.csv" | cut -d' ' -f1)\"" "$M/darknet/1.json"
check "and the metrics" grep -q '"metrics":{"rows":'"$n"',' "$M/darknet/1.json"
check "the model raises tcp/2323" grep -q '"port":"tcp/2323","factor"' "$M/darknet/1.model"
"$HY" train darknet --db "$T/s.db" --models "$M" >"$T/t2.out" 2>&1
check "train from the store publishes version 2" grep -q "model version 2 " "$T/t2.out"
"$HY" model rollback darknet --models "$M" >/dev/null
"$HY" model list darknet --models "$M" --format table >"$T/list"
check "model list marks version 1 current after rollback" grep -q '^\* 1 ' "$T/list"
"$HY" train darknet --data /dev/null --models "$M" >/dev/null 2>&1
check "training on no rows exits 2" [ $? -eq 2 ]

# 3. A running pipeline loads new versions between packets.
mkfifo "$T/in.pcap"
"$HY" run -r "$T/in.pcap" "${opts[@]}" --db "$T/live.db" --listen 127.0.0.1:0 \
    --set models.dir="$M" --eve "$T/live.eve" >/dev/null 2>"$T/live.err" &
pid=$!
exec 3>"$T/in.pcap"
size=$(stat -c %s "$T/dn.pcap")
third=$((size / 3))
head -c "$third" "$T/dn.pcap" >&3
port=$(wait_port "$T/live.err")
check "the live run serves its API" [ -n "$port" ]
check "it starts on the current version (1)" [ "$(model_loaded "$port")" = 1 ]
"$HY" model use darknet 2 --models "$M" >/dev/null
code=$(api POST "$port" /api/models/reload)
check "POST /api/models/reload is accepted (202)" [ "$code" = 202 ]
tail -c +$((third + 1)) "$T/dn.pcap" | head -c "$third" >&3
v=""
for _ in $(seq 50); do v=$(model_loaded "$port"); [ "$v" = 2 ] && break; sleep 0.1; done
check "the pipeline loaded version 2 at its next tick" [ "$v" = 2 ]
"$HY" model rollback darknet --models "$M" >/dev/null
kill -HUP $pid
sleep 0.3 # the SIGHUP watcher looks every 100 ms
tail -c +$((2 * third + 1)) "$T/dn.pcap" >&3
v=""
for _ in $(seq 50); do v=$(model_loaded "$port"); [ "$v" = 1 ] && break; sleep 0.1; done
check "SIGHUP loads the rolled-back version 1" [ "$v" = 1 ]
api GET "$port" /metrics >/dev/null
check "/metrics shows the loaded version" \
    grep -q 'hayate_model_version{engine="darknet",state="loaded"} 1' "$T/body"
exec 3>&-
wait $pid
check "no packet was dropped across the reloads" \
    grep -q "^hayate: $total packets" "$T/live.err"
check "the reloads are logged" grep -q "model version 2 loaded" "$T/live.err"

# 4. The learned threshold delays or silences the judged port's outbreak.
"$HY" analyze "${opts[@]}" --set models.dir="$M" --format eve "$T/dn.pcap" >"$T/m.eve" 2>/dev/null
first() { grep '"darknet.outbreak"' "$1" | grep -m1 '"tcp/2323"' |
          python3 -c 'import json,sys; l=sys.stdin.readline(); print(json.loads(l)["timestamp"] if l else "9999")'; }
check "with the model, tcp/2323 alerts later ($(first "$T/m.eve") > $(first "$T/base.eve"))" \
    [ "$(first "$T/m.eve")" \> "$(first "$T/base.eve")" ]
finish
