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
