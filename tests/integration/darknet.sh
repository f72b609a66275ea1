#!/usr/bin/env bash
# The darknet engine end to end on the generated demo scenario: exactly the
# injected outbreak (tcp/2323, Mirai) and the ZMap sweep are alerted, the
# same for any thread count; bad prefixes exit 2; the series reach the store.
. "$(dirname "$0")/lib.bash"

"$HY" synth darknet --scenario demo -o "$T/dn.pcap" >/dev/null 2>&1
check "synth darknet writes a capture and its truth" test -s "$T/dn.pcap" -a -s "$T/dn.truth.json"

opts=(--darknet 198.18.0.0/15 --set darknet.recent_bins=10 --set darknet.scanner_packets=1200
      --set darknet.glasso_hosts=200
      --format eve)
for t in 1 2 3; do
    "$HY" analyze "${opts[@]}" -t "$t" "$T/dn.pcap" >"$T/a$t.eve" 2>"$T/a$t.err"
    check "analyze --darknet -t $t exits 0" [ $? -eq 0 ]
done
check "same alerts for 1 and 2 threads" cmp -s "$T/a1.eve" "$T/a2.eve"
check "same alerts for 1 and 3 threads" cmp -s "$T/a1.eve" "$T/a3.eve"
"$HY" analyze "${opts[@]}" --flows --set flow.enabled=false -t 2 "$T/dn.pcap" >"$T/nf.eve" 2>/dev/null
check "without the flow table: the same alerts, no flow records" cmp -s "$T/a1.eve" "$T/nf.eve"

kinds=$(python3 - "$T/a1.eve" <<'PY'
import json, sys
seen = []
for line in open(sys.argv[1]):
    h = json.loads(line)["hayate"]
    e = h["evidence"]
    tag = e.get("fingerprint_summary", e.get("tool", ""))
    seen.append("%s %s %s" % (h["kind"], h["subject"], tag.split(" ")[-2] if " " in tag else tag))
print("\n".join(sorted(set(s.rsplit(" ", 1)[0] for s in seen))))
PY
)
check "outbreak alerted on tcp/2323" grep -qx "darknet.outbreak tcp/2323" <<<"$kinds"
check "only tcp/2323 is an outbreak" [ "$(grep -c '^darknet.outbreak' <<<"$kinds")" -eq 1 ]
check "the outbreak is Mirai-like" grep -q '"fingerprint_summary":"[0-9]*% Mirai-like bot"' "$T/a1.eve"
check "the ZMap sweep is a zmap scanner" grep -q '"kind":"darknet.scanner".*"tool":"zmap"' "$T/a1.eve"
check "no backscatter victim is called a scanner" [ "$(grep -c '"darknet.scanner"' "$T/a1.eve")" -eq 1 ]

first=$(python3 -c 'import json,sys; print(json.loads(open(sys.argv[1]).readline())["timestamp"])' \
        <(grep '"darknet.outbreak"' "$T/a1.eve"))
check "detected within 10 minutes of the start (00:10)" [ "$first" \< "2024-01-01T00:20" ]

"$HY" analyze --darknet 10.0.0/8 "$T/dn.pcap" >/dev/null 2>"$T/bad.err"
check "a bad prefix exits 2" [ $? -eq 2 ]
check "the message names the prefix" grep -q "'10.0.0/8'" "$T/bad.err"

"$HY" analyze "${opts[@]}" --db "$T/dn.db" "$T/dn.pcap" >/dev/null 2>&1
n=$(python3 -c 'import sqlite3,sys; print(sqlite3.connect(sys.argv[1]).execute(
    "select count(*) from series where series=\"darknet\" and key=\"tcp/2323\"").fetchone()[0])' "$T/dn.db")
check "per-port series stored ($n points for tcp/2323)" [ "$n" -ge 30 ]

"$HY" analyze --darknet all --set darknet.raised_ports=tcp/99999 "$T/dn.pcap" >/dev/null 2>"$T/bad2.err"
check "a bad raised port exits 2" [ $? -eq 2 ]
check "the message names it" grep -q "'tcp/99999'" "$T/bad2.err"

# An analyst marks the outbreak a false positive (as POST .../feedback
# stores it): the next run raises tcp/2323's thresholds and alerts later.
python3 - "$T/dn.db" <<'PY'
import sqlite3, sys
c = sqlite3.connect(sys.argv[1])
aid = c.execute("select id from alerts where subject = 'tcp/2323' order by id limit 1").fetchone()[0]
c.execute("insert into feedback (alert_id, verdict, analyst, time) values (?, 'false_positive', 'kai', 1)", (aid,))
c.commit()
PY
"$HY" run -r "$T/dn.pcap" "${opts[@]:0:8}" --db "$T/dn.db" --listen 127.0.0.1:0 \
    --eve "$T/raised.eve" >/dev/null 2>"$T/raised.err"
check "the run with the verdict exits 0" [ $? -eq 0 ]
check "it says the port's thresholds are raised" grep -q "1 port(s) marked false positive" "$T/raised.err"
first_raised=$(grep '"darknet.outbreak"' "$T/raised.eve" | head -1 | python3 -c \
    'import json,sys; l=sys.stdin.readline(); print(json.loads(l)["timestamp"] if l else "9999")')
check "the raised port alerts later ($first_raised, was $first)" [ "$first_raised" \> "$first" ]
finish
