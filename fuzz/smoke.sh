#!/usr/bin/env bash
# Smoke run of every fuzz target on its seed corpus: fuzz/smoke.sh BUILD SECONDS
# A crash, leak or timeout fails the run; its reproducer is kept in fuzz/.
set -euo pipefail
build=$1
secs=${2:-15}
root=$(cd "$(dirname "$0")" && pwd)
fails=0; n=0
for bin in "$build"/fuzz/fuzz_*; do
    [ -x "$bin" ] || continue
    name=$(basename "$bin"); name=${name#fuzz_}
    corpus="$root/corpus/$name"
    work=$(mktemp -d)
    [ -d "$corpus" ] && cp -r "$corpus"/. "$work"/
    n=$((n + 1))
    if "$bin" -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 \
        -artifact_prefix="$root/" "$work" >"$work.log" 2>&1; then
        echo "fuzz $name: ok ($(grep -o 'Done [0-9]* runs' "$work.log" | tail -1))"
    else
        echo "fuzz $name: FAILED"; tail -30 "$work.log"; fails=$((fails + 1))
    fi
    rm -rf "$work" "$work.log"
done
echo "$((n - fails)) passed, $fails failed"
[ "$n" -gt 0 ] && [ "$fails" -eq 0 ]
