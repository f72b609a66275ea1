#!/usr/bin/env bash
# Extended: every capture under ../shared/data/pcaps/ goes through the
# pipeline (in the ASan+UBSan build, under the sanitizers) without a crash or
# a sanitizer report. Files libpcap rejects must fail cleanly with exit 2.
. "$(dirname "$0")/lib.bash"

DATA="$SRC/../shared/data/pcaps"
if [ ! -d "$DATA" ]; then
    echo "SKIP: $DATA is absent (the shared corpora are not beside the repo)"
    exit 77
fi
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
n=0; rejected=0; crashed=0
while IFS= read -r -d '' f; do
    n=$((n + 1))
    timeout 60 "$HY" analyze --flows --format eve -t 2 "$f" >/dev/null 2>"$T/err"; rc=$?
    if [ $rc -eq 2 ]; then
        rejected=$((rejected + 1))
        grep -q "$(basename "$f")" "$T/err" || { bad "$f: rejected without naming the file"; crashed=$((crashed + 1)); }
    elif [ $rc -ne 0 ] || grep -Eq "AddressSanitizer|runtime error|LeakSanitizer" "$T/err"; then
        crashed=$((crashed + 1))
        bad "$f (exit $rc)"; head -5 "$T/err"
    fi
done < <(find "$DATA" -type f \( -name '*.pcap' -o -name '*.pcapng' -o -name '*.cap' \) -print0 | sort -z)
echo "$n captures: $((n - rejected - crashed)) processed, $rejected rejected cleanly, $crashed failed"
check "every shared capture processed without a crash" [ $crashed -eq 0 ]
check "shared captures found" [ $n -gt 100 ]
finish
