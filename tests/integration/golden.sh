#!/usr/bin/env bash
# Golden tests: generated captures -> expected flow EVE lines. The expected
# files were checked against tshark's conversation tables when written
# (per-protocol flow and packet counts agree). HY_UPDATE_GOLDEN=1 rewrites them.
. "$(dirname "$0")/lib.bash"
G="$SRC/tests/golden"

golden() { # golden NAME SYNTH-ARGS...
    local name=$1; shift
    "$HY" synth traffic "$@" -o "$T/$name.pcap" >/dev/null 2>&1
    "$HY" analyze --flows --format eve -t 2 "$T/$name.pcap" >"$T/$name.eve" 2>/dev/null
    if [ "${HY_UPDATE_GOLDEN:-0}" = 1 ]; then cp "$T/$name.eve" "$G/$name.eve"; fi
    if cmp -s "$T/$name.eve" "$G/$name.eve"; then ok "golden $name"
    else bad "golden $name"; diff <(head -c 3000 "$G/$name.eve") <(head -c 3000 "$T/$name.eve") | head -20; fi
}

golden mixed --seed 5 --flows 40 --packets 600
golden vlan-ipv6-nsec --seed 6 --flows 30 --packets 500 --vlan 42 --ipv6 50 --nsec
golden raw-icmp --seed 7 --flows 20 --packets 200 --raw --mix 40/30/30
finish
