#!/usr/bin/env bash
# The shipped ATT&CK model (data/attack/model.hyl) is what `hayate train
# intel` makes from TRAM and ATT&CK with the current code (byte for byte on
# the same CPU kernels, within tolerances elsewhere): a change to the
# tokenizer, the features or the trainer that is not followed by a retrain
# fails here instead of shipping a model the code no longer reproduces.
# Skips without ../shared/data/intel, and in the sanitizer build (training
# takes about a minute; the sanitizers add nothing the normal build misses
# about a byte comparison).
source "$(dirname "$0")/lib.bash"

TRAM="$SRC/../shared/data/intel/tram"
if [ ! -d "$TRAM" ] || [ ! -f "$TRAM/../attack/enterprise-attack-core.json" ]; then
    echo "shipped_model: SKIP: $TRAM (../shared/data/intel) is absent"
    exit 77
fi
if [ "${HY_SANITIZE:-OFF}" = ON ]; then
    echo "shipped_model: SKIP: sanitizer build (the normal build runs it)"
    exit 77
fi
[ -f "$SRC/data/attack/model.hyl" ] || { echo "not ok - data/attack/model.hyl is missing"; exit 1; }

"$HY" train intel --tram "$TRAM" -o "$T/m.hyl" >"$T/train.out" 2>&1
check "hayate train intel exits 0" [ $? -eq 0 ]
# Byte for byte on the machine that trained it; elsewhere liblinear's BLAS
# (OpenBLAS, its kernel chosen for the CPU) rounds differently, so the
# optimiser's figures are compared within tolerances (attack_model_cmp.py).
if cmp -s "$T/m.hyl" "$SRC/data/attack/model.hyl"; then
    ok "data/attack/model.hyl equals a fresh hayate train intel"
elif python3 "$SRC/tests/integration/attack_model_cmp.py" "$SRC/data/attack/model.hyl" "$T/m.hyl" \
    >"$T/cmp.out" 2>&1; then
    cat "$T/cmp.out"
    ok "data/attack/model.hyl matches a fresh hayate train intel (within this CPU's BLAS rounding)"
else
    cat "$T/train.out" "$T/cmp.out"
    bad "data/attack/model.hyl differs from what hayate train intel makes now: retrain it (hayate train intel) and commit it with the change"
fi
finish
