# Helpers for the CLI integration tests (sourced).
set -u
HY=${HY_BIN:?HY_BIN must point at the hayate binary}
SRC=${HY_SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}
T=$(mktemp -d /tmp/hyinteg.XXXXXX)
trap 'rm -rf "$T"' EXIT
fails=0
passes=0

ok() { passes=$((passes + 1)); echo "ok - $1"; }
bad() { fails=$((fails + 1)); echo "not ok - $1"; }
check() { # check NAME CMD...: passes when CMD succeeds
    local name=$1; shift
    if "$@"; then ok "$name"; else bad "$name"; fi
}
finish() {
    echo "$passes passed, $fails failed"
    [ "$fails" -eq 0 ]
}
wait_port() { # wait_port ERRFILE: the API port hayate run announced there (up to 10 s)
    local p=""
    for _ in $(seq 100); do
        p=$(sed -n 's/.*(port \([0-9]*\)).*/\1/p' "$1")
        [ -n "$p" ] && break
        sleep 0.1
    done
    echo "$p"
}

# gen_families DIR: families A, B, C (DIR/A/A0.bin ...), four mutated copies
# of a random-word ancestor each (the tree and malware API tests)
gen_families() {
python3 - "$1" <<'PY'
import os, random, sys
root = sys.argv[1]
r = random.Random(7)
vocab = [bytes(r.choice(b"abcdefghijklmnopqrstuvwxyz_0123456789") for _ in range(r.randint(3, 10)))
         for _ in range(400)]
for fam in "ABC":
    base = bytearray(b" ".join(r.choice(vocab) for _ in range(1500)))
    os.makedirs(os.path.join(root, fam), exist_ok=True)
    for m in range(4):
        x = bytearray(base)
        for _ in range(60):                      # point mutations
            x[r.randrange(len(x))] = r.choice(b"abcdefghijklmnopqrstuvwxyz")
        at = r.randrange(len(x))                 # and one insertion
        x[at:at] = b" ".join(r.choice(vocab) for _ in range(20))
        open(os.path.join(root, fam, f"{fam}{m}.bin"), "wb").write(bytes(x))
PY
}
