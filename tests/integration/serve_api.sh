#!/usr/bin/env bash
# The API routes that reach beyond the store, over real HTTP: POST
# /api/analyze (a capture in, its findings out; bad and oversized uploads
# refused while the server keeps serving), CORS (off unless configured),
# and /api/stats' engine and pipeline figures.
source "$(dirname "$0")/lib.bash"

opts=(--darknet 198.18.0.0/15 --set darknet.recent_bins=10 --set darknet.scanner_packets=1200
      --set darknet.glasso_hosts=200 --set flow.enabled=false)
"$HY" synth darknet --scenario demo -o "$T/dn.pcap" >/dev/null 2>&1

json() { # json EXPR: evaluates EXPR over the JSON body in d
    python3 -c "import json,sys; d=json.load(open(sys.argv[1])); sys.exit(0 if ($1) else 1)" \
        "$T/body"
}

"$HY" run --db "$T/s.db" --listen 127.0.0.1:0 "${opts[@]}" --set serve.max_upload=20000000 \
    >/dev/null 2>"$T/srv.err" &
pid=$!
port=$(wait_port "$T/srv.err")
check "the server comes up" [ -n "$port" ]
url="http://127.0.0.1:$port"

code=$(curl -s -o "$T/body" -w '%{http_code}' --data-binary @"$T/dn.pcap" \
       -H 'Content-Type: application/vnd.tcpdump.pcap' "$url/api/analyze")
check "POST /api/analyze answers 200" [ "$code" = 200 ]
check "with the capture's outbreaks" \
    json 'any(a["hayate"]["kind"]=="darknet.outbreak" for a in d["alerts"])'
check "and every packet counted" json 'd["packets"]==241574 and d["decode_anomalies"]==0'
"$HY" alerts --db "$T/s.db" --summary >"$T/sum"
check "an analysis stores nothing" grep -Eq "alerts +0" "$T/sum"

printf 'this is not a capture at all' >"$T/junk"
code=$(curl -s -o "$T/body" -w '%{http_code}' --data-binary @"$T/junk" "$url/api/analyze")
check "a body that is not a capture is 400" [ "$code" = 400 ]
check "and says so" json '"upload" in d["error"]'
head -c 30000000 /dev/zero >"$T/big"
code=$(curl -s -o "$T/body" -w '%{http_code}' --data-binary @"$T/big" "$url/api/analyze")
check "an upload over serve.max_upload is 413" [ "$code" = 413 ]
code=$(curl -s -o "$T/body" -w '%{http_code}' -X POST "$url/api/analyze")
check "an empty upload is 400" [ "$code" = 400 ]
code=$(curl -s -o "$T/body" -w '%{http_code}' "$url/healthz")
check "the server still serves" [ "$code" = 200 ]

curl -s -o "$T/body" "$url/api/stats"
check "stats list the darknet engine as enabled and learning" \
    json '[e for e in d["engines"] if e["name"]=="darknet" and e["enabled"] and e["learns"]]'
check "with no pipeline running, pipeline is null" json 'd["pipeline"] is None'
curl -s -D "$T/hdr" -o /dev/null "$url/api/alerts"
check "no CORS header unless configured" bash -c "! grep -qi '^access-control' '$T/hdr'"
kill -INT $pid; wait $pid

"$HY" run --db "$T/s.db" --listen 127.0.0.1:0 --set serve.cors_origin=https://soc.example \
    >/dev/null 2>"$T/srv2.err" &
pid=$!
port=$(wait_port "$T/srv2.err")
url="http://127.0.0.1:$port"
code=$(curl -s -D "$T/hdr" -o /dev/null -w '%{http_code}' -X OPTIONS \
       -H 'Origin: https://soc.example' -H 'Access-Control-Request-Method: POST' "$url/api/alerts")
check "a configured origin gets its preflight (204)" [ "$code" = 204 ]
check "allowing that origin" grep -qi '^access-control-allow-origin: https://soc.example' "$T/hdr"
check "and the Authorization header" grep -qi '^access-control-allow-headers:.*authorization' "$T/hdr"
curl -s -D "$T/hdr" -o /dev/null "$url/api/alerts"
check "responses name the origin" grep -qi '^access-control-allow-origin: https://soc.example' "$T/hdr"
kill -INT $pid; wait $pid
finish
