#!/usr/bin/env bash
# The intel engine end to end: reports (plain text, HTML, a CVE record)
# through hayate analyze --reports into the store, the same rows for 1 and
# 2 threads; hayate intel extract (table, JSON offsets into the original
# defanged text, stdin) and stix (the same bytes twice; valid against the
# OASIS schemas when node and tests/stix/node_modules are there); a flow to
# a reported address raising intel.match with the report's id; a CVE
# record whose prose and data disagree raising intel.inconsistency; and the
# API: GET /api/intel/reports, /{id}, /{id}/stix, POST /api/analyze?type=report.
# The classifier is off (intel.model=none) unless the shipped model exists.
source "$(dirname "$0")/lib.bash"

R="$T/reports"
mkdir -p "$R"
cat >"$R/apt.txt" <<'TXT'
Operation Quiet Harbor: APT99 uses Emotet and Cobalt Strike

The actor sent spearphishing emails with a malicious attachment invoice.pdf.exe from hxxp://evil-update[.]com/dl/payload.php?id=7 to victims.
The dropper contacted 45.77.12[.]9 on port 443 and the C2 domain cdn.badcorp[.]ru.
It wrote HKLM\Software\Microsoft\Windows\CurrentVersion\Run\updater and dropped C:\Users\Public\svchost.exe (SHA-256 e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855).
The loader exploited CVE-2021-44228 in exposed servers. Internal host 10.1.2.3 was also infected.
TXT
printf '<html><head><title>Threat blog</title><script>var x="1.1.1.1"</script></head><body><p>The implant beacons to <b>update-check[.]net</b> and 91.219.236[.]18.</p></body></html>' >"$R/blog.html"
cat >"$R/cve.json" <<'JSON'
{"dataType": "CVE_RECORD", "dataVersion": "5.1",
 "cveMetadata": {"cveId": "CVE-2099-0001", "state": "PUBLISHED"},
 "containers": {"cna": {
   "descriptions": [{"lang": "en", "value": "Widget Server 2.0 through 2.15.0 allows remote code execution."}],
   "affected": [{"vendor": "Acme", "product": "Widget Server", "versions": [
     {"version": "2.0", "status": "affected", "lessThan": "2.15.0", "versionType": "semver"}]}]}}}
JSON

model=() xmodel=() # hayate's -s, and hayate intel's --model
[ -f "$SRC/data/attack/model.hyl" ] || { model=(-s intel.model=none); xmodel=(--model none); }

"$HY" analyze --reports "$R" --db "$T/a.db" -t 1 "${model[@]}" --format eve >"$T/a.eve" 2>"$T/a.err"
check "analyze --reports exits 0" [ $? -eq 0 ]
"$HY" analyze --reports "$R" --db "$T/b.db" -t 2 "${model[@]}" --format eve >"$T/b.eve" 2>/dev/null
dump() { python3 -c 'import sqlite3,sys
c=sqlite3.connect(sys.argv[1])
for r in c.execute("select id,sha256,title,source,summary,stix from intel_reports order by id"): print(r)
for r in c.execute("select * from iocs order by report_id,type,value"): print(r)' "$1"; }
check "the same reports and indicators for 1 and 2 threads" cmp -s <(dump "$T/a.db") <(dump "$T/b.db")
check "the same alerts for 1 and 2 threads" cmp -s <(sort "$T/a.eve") <(sort "$T/b.eve")
n=$(python3 -c 'import sqlite3,sys; print(sqlite3.connect(sys.argv[1]).execute("select count(*) from intel_reports").fetchone()[0])' "$T/a.db")
check "three reports stored ($n)" [ "$n" -eq 3 ]

# Samples and reports in one run: each goes to its own engine only (a report
# is not a sample, a program is not a report).
mkdir -p "$T/smp" && cp /bin/true "$T/smp/true"
"$HY" analyze --reports "$R" --samples "$T/smp" --db "$T/both.db" -t 2 "${model[@]}" \
    --format eve >/dev/null 2>"$T/both.err"
check "analyze --reports --samples exits 0" [ $? -eq 0 ]
counts=$(python3 -c 'import sqlite3,sys; c=sqlite3.connect(sys.argv[1])
print(c.execute("select count(*) from intel_reports").fetchone()[0], c.execute("select count(*) from samples").fetchone()[0])' "$T/both.db")
check "three reports and one sample stored, not four of each ($counts)" [ "$counts" = "3 1" ]
"$HY" analyze --reports "$R" -s engines.enabled= --db "" --format eve >/dev/null 2>"$T/noeng.err"
check "reports without the intel engine: exit 2 naming it" \
    [ $? -eq 2 ] && grep -q "input.reports: its files go to the intel engine" "$T/noeng.err"
check "each report raised intel.report" [ "$(grep -c '"intel.report"' "$T/a.eve")" -eq 3 ]
check "the CVE record raised intel.inconsistency" \
    python3 -c 'import json,sys
a=[json.loads(l) for l in open(sys.argv[1])]
i=[x for x in a if x["hayate"]["kind"]=="intel.inconsistency"]
sys.exit(0 if len(i)==1 and i[0]["hayate"]["subject"]=="CVE-2099-0001" and "2.15.0" in i[0]["hayate"]["evidence"]["detail"] else 1)' "$T/a.eve"
check "indicators stored with noise reasons" \
    python3 -c 'import sqlite3,sys
c=sqlite3.connect(sys.argv[1])
rows={(t,v):n for t,v,n in c.execute("select type,value,noise from iocs")}
ok=rows.get(("ipv4","45.77.12.9"),"x") is None and rows.get(("domain","update-check.net"),"x") is None \
   and (rows.get(("ipv4","10.1.2.3")) or "").startswith("private") and ("ipv4","1.1.1.1") not in rows
sys.exit(0 if ok else 1)' "$T/a.db"

# extract: JSON offsets point into the original, defanged text
"$HY" intel extract "$R/apt.txt" --format json "${xmodel[@]}" >"$T/x.json"
check "intel extract --format json exits 0" [ $? -eq 0 ]
check "each indicator's offsets cover its defanged form in the file" \
    python3 -c 'import json,sys
d=json.load(open(sys.argv[1])); t=open(sys.argv[2],"rb").read()
want={"url":b"hxxp://evil-update[.]com/dl/payload.php?id=7","ipv4":b"45.77.12[.]9","sha256":b"e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"}
got={c["type"]:t[c["start"]:c["end"]] for c in d["iocs"] if c["type"] in want and not c["noise"]}
ok=got==want and all(set(c)>={"type","value","start","end","noise","sentence"} for c in d["iocs"])
ok=ok and any(c["type"]=="url" and c["defanged"] and c["value"]=="http://evil-update.com/dl/payload.php?id=7" for c in d["iocs"])
ok=ok and [s["name"] for s in d["software"]]==["Emotet","Cobalt Strike"]
sys.exit(0 if ok else 1)' "$T/x.json" "$R/apt.txt"
"$HY" intel extract - "${xmodel[@]}" <"$R/blog.html" >"$T/x.txt"
check "intel extract - reads stdin (HTML)" grep -q "update-check.net" "$T/x.txt"
check "scripts are not text" eval '! grep -q "1\.1\.1\.1" "$T/x.txt"'

"$HY" intel extract "$T/nope.txt" 2>"$T/e.err" >/dev/null
check "a missing report is exit 2" [ $? -eq 2 ]
check "and the error names it" grep -q "nope.txt" "$T/e.err"

# stix: the same bytes on every run; valid against the OASIS schemas
"$HY" intel stix "$R/apt.txt" -o "$T/s1.json" "${xmodel[@]}" &&
    "$HY" intel stix "$R/apt.txt" -o "$T/s2.json" "${xmodel[@]}"
check "intel stix writes the same bundle twice" cmp -s "$T/s1.json" "$T/s2.json"
check "the bundle holds a report, indicators, a vulnerability and malware" \
    python3 -c 'import json,sys,collections
b=json.load(open(sys.argv[1])); n=collections.Counter(o["type"] for o in b["objects"])
sys.exit(0 if b["type"]=="bundle" and n["report"]==1 and n["indicator"]>=6 and n["vulnerability"]==1 and n["malware"]==2 and n["identity"]==1 else 1)' "$T/s1.json"
if command -v node >/dev/null && [ -d "$SRC/tests/stix/node_modules" ] && [ -d "$SRC/../shared/data/intel/stix-schemas" ]; then
    check "the bundle validates against the OASIS STIX 2.1 schemas" \
        node "$SRC/tests/stix/validate.mjs" "$T/s1.json"
else
    echo "ok - # SKIP schema validation (node, tests/stix/node_modules or ../shared missing)"
fi

# intel.match: a flow to a reported address, by the stored indicators
python3 - "$T/flow.pcap" <<'PY'
import struct, sys
def csum(b):
    if len(b) % 2: b += b"\0"
    s = sum(struct.unpack("!%dH" % (len(b) // 2), b)); s = (s >> 16) + (s & 0xffff); s += s >> 16
    return ~s & 0xffff
def pkt(src, dst, sport, dport, flags, seq):
    tcp = struct.pack("!HHIIBBHHH", sport, dport, seq, 0, 5 << 4, flags, 65535, 0, 0)
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 40, 1, 0, 64, 6, 0, bytes(src), bytes(dst))
    ip = ip[:10] + struct.pack("!H", csum(ip)) + ip[12:]
    return b"\x00\x11\x22\x33\x44\x55\x66\x77\x88\x99\xaa\xbb\x08\x00" + ip + tcp
with open(sys.argv[1], "wb") as f:
    f.write(struct.pack("<IHHiIII", 0xa1b2c3d4, 2, 4, 0, 0, 65535, 1))
    for i, (s, d, sp, dp, fl) in enumerate([((10,0,0,5), (45,77,12,9), 40000, 443, 2),
                                            ((45,77,12,9), (10,0,0,5), 443, 40000, 0x12),
                                            ((10,0,0,6), (8,8,4,4), 40001, 53, 2),
                                            ((10,0,0,7), (45,77,12,9), 40002, 443, 2),
                                            ((10,0,0,8), (45,77,12,9), 40003, 8443, 2)]):
        p = pkt(s, d, sp, dp, fl, 1000 + i)
        f.write(struct.pack("<IIII", 1700000000 + i, 0, len(p), len(p)) + p)
PY
cp "$T/a.db" "$T/c.db"
"$HY" analyze "$T/flow.pcap" --db "$T/a.db" -s engines.enabled=intel "${model[@]}" -t 1 --format eve >"$T/m.eve" 2>/dev/null
"$HY" analyze "$T/flow.pcap" --db "$T/c.db" -s engines.enabled=intel "${model[@]}" -t 2 --format eve >"$T/m2.eve" 2>/dev/null
check "flows to a reported address raise one intel.match naming the report" \
    python3 -c 'import json,sqlite3,sys
a=[json.loads(l) for l in open(sys.argv[1])]
m=[x for x in a if x["hayate"]["kind"]=="intel.match"]
rid=sqlite3.connect(sys.argv[2]).execute("select report_id from iocs where value=?",("45.77.12.9",)).fetchone()[0]
e=m[0]["hayate"]["evidence"] if m else {}
ok=len(m)==1 and m[0]["dest_ip"]=="45.77.12.9" and e["reports"]==[rid] and m[0].get("community_id")
ok=ok and e["flows"]==3 and e["direction"]=="to" and e["suppressed_before"]==0
sys.exit(0 if ok else 1)' "$T/m.eve" "$T/a.db"
check "the same intel.match for 1 and 2 threads" cmp -s "$T/m.eve" "$T/m2.eve"

# the API
"$HY" run --db "$T/a.db" --listen 127.0.0.1:0 "${model[@]}" >/dev/null 2>"$T/srv.err" &
pid=$!
port=$(wait_port "$T/srv.err")
check "the server comes up" [ -n "$port" ]
url="http://127.0.0.1:$port"
get() { curl -s -o "$T/body" -w '%{http_code}' "$@"; }
json() { python3 -c "import json,sys; d=json.load(open(sys.argv[1])); sys.exit(0 if ($1) else 1)" "$T/body"; }
check "GET /api/intel/reports is 200" [ "$(get "$url/api/intel/reports")" = 200 ]
check "with the three reports and their summaries" \
    json 'len(d["reports"])==3 and all("hygiene" in r["summary"] for r in d["reports"]) and d["next"] is None'
rid=$(python3 -c 'import json,sys; print([r["id"] for r in json.load(open(sys.argv[1]))["reports"] if r["title"]=="Threat blog"][0])' "$T/body")
check "GET /api/intel/reports/{id} is its summary" \
    [ "$(get "$url/api/intel/reports/$rid")" = 200 ] && json 'd["title"]=="Threat blog" and d["id"]=="'"$rid"'"'
check "GET /api/intel/reports/{id}/stix is its bundle" \
    [ "$(get "$url/api/intel/reports/$rid/stix")" = 200 ] && json 'd["type"]=="bundle"'
check "a malformed id is 400" [ "$(get "$url/api/intel/reports/report--nope")" = 400 ]
check "an unknown id is 404" [ "$(get "$url/api/intel/reports/report--00000000-0000-5000-8000-000000000000")" = 404 ]
check "limit=1 pages" [ "$(get "$url/api/intel/reports?limit=1")" = 200 ] && json 'len(d["reports"])==1 and d["next"]'
check "an unknown parameter is 400" [ "$(get "$url/api/intel/reports?bogus=1")" = 400 ]
check "POST /api/analyze?type=report analyses and stores a report" \
    [ "$(get -X POST --data-binary 'The backdoor talks to 185.220.101[.]4 over TLS.' "$url/api/analyze?type=report&name=paste")" = 200 ] &&
    json 'any(c["value"]=="185.220.101.4" for c in d["iocs"]) and d["source"]=="paste"'
check "it is listed next" [ "$(get "$url/api/intel/reports")" = 200 ] && json 'len(d["reports"])==4'
check "an empty report body is 400" [ "$(get -X POST "$url/api/analyze?type=report")" = 400 ]
kill "$pid"
wait "$pid" 2>/dev/null

# The server keeps one analyser across report POSTs and builds it again when
# its model file changes on disk (as hayate train intel replaces it).
if [ -f "$SRC/data/attack/model.hyl" ]; then
    cp "$SRC/data/attack/model.hyl" "$T/m.hyl"
    "$HY" run --db "$T/b.db" --listen 127.0.0.1:0 -s intel.model="$T/m.hyl" >/dev/null 2>"$T/srv2.err" &
    pid=$!
    port=$(wait_port "$T/srv2.err")
    url="http://127.0.0.1:$port"
    rep='The actor used Mimikatz to dump credentials from LSASS memory.'
    check "a report POST with the model is 200" \
        [ "$(get -X POST --data-binary "$rep" "$url/api/analyze?type=report")" = 200 ]
    check "and a second one too" \
        [ "$(get -X POST --data-binary "$rep" "$url/api/analyze?type=report")" = 200 ]
    printf 'not a model' >"$T/m.new" && mv "$T/m.new" "$T/m.hyl"
    check "a model file replaced by a broken one is seen at the next POST (503)" \
        [ "$(get -X POST --data-binary "$rep" "$url/api/analyze?type=report")" = 503 ]
    cp "$SRC/data/attack/model.hyl" "$T/m.new" && mv "$T/m.new" "$T/m.hyl"
    check "and a good one again (200)" \
        [ "$(get -X POST --data-binary "$rep" "$url/api/analyze?type=report")" = 200 ]
    kill "$pid"
    wait "$pid" 2>/dev/null
fi
finish
