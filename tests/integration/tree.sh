#!/usr/bin/env bash
# hayate tree on generated families: three families of four files, each a
# few mutations away from its ancestor. The tree must put every family in
# a clade of its own, with NCD and with TLSH, identically for any thread
# count; the fast variant gives a tree over the same leaves.
source "$(dirname "$0")/lib.bash"

D="$T/families"
python3 - "$D" <<'PY'
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

clades() { # clades NEWICK_FILE: every family is one side of some edge
    python3 - "$1" <<'PY'
import sys
s = open(sys.argv[1]).read().strip().rstrip(";")
pos = 0
def node():
    global pos
    kids = []
    if s[pos] == "(":
        pos += 1
        while True:
            kids.append(node())
            if s[pos] == ",": pos += 1; continue
            assert s[pos] == ")"; pos += 1; break
        name = ""
    else:
        start = pos
        while s[pos] not in ",():": pos += 1
        name = s[start:pos]
    if pos < len(s) and s[pos] == ":":
        pos += 1
        while pos < len(s) and s[pos] not in ",()": pos += 1
    return (name, kids)
tree = node()
leaves, sides = set(), []
def walk(n):
    name, kids = n
    if not kids:
        leaves.add(name); return {name}
    below = set().union(*(walk(k) for k in kids))
    sides.append(below)
    return below
walk(tree)
assert len(leaves) == 12, leaves
for fam in "ABC":
    want = {f"{fam}/{fam}{m}.bin" for m in range(4)}
    assert any(x == want or leaves - x == want for x in sides), (fam, sides)
PY
}

"$HY" tree "$D" -t 1 >"$T/ncd1.nwk" 2>"$T/e1"
check "tree (NCD) exits 0" [ $? -eq 0 ]
check "it prints Newick" grep -q ';$' "$T/ncd1.nwk"
check "NCD: each family is a clade" clades "$T/ncd1.nwk"
"$HY" tree "$D" -t 2 >"$T/ncd2.nwk" 2>/dev/null
check "the same tree with 2 threads" cmp -s "$T/ncd1.nwk" "$T/ncd2.nwk"
"$HY" tree "$D" --distance tlsh >"$T/tlsh.nwk" 2>/dev/null
check "TLSH: each family is a clade" clades "$T/tlsh.nwk"
"$HY" tree "$D" --fast >"$T/fast.nwk" 2>/dev/null
check "the fast variant: each family is a clade" clades "$T/fast.nwk"
mkdir -p "$T/two" && echo a >"$T/two/a" && echo b >"$T/two/b"
"$HY" tree "$T/two" >/dev/null 2>"$T/two.err"
check "fewer than 3 files exits 2" [ $? -eq 2 ]
check "and says a tree needs 3" grep -q "needs 3" "$T/two.err"
"$HY" tree "$T/two" --distance nope >/dev/null 2>&1
check "an unknown distance exits 2" [ $? -eq 2 ]
finish
