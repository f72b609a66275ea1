#!/usr/bin/env python3
"""Compares two ATT&CK model files (data/attack/model.hyl format, written by
lib/engines/intel/attack_file.c) for the shipped-model test.

Everything the code decides must be equal byte for byte: the classes, the
training settings, the TF-IDF table (buckets and idf). What liblinear's
optimiser computes may differ slightly between machines, because Debian's
liblinear calls the system BLAS (OpenBLAS), whose dot products pick a kernel
for the CPU at start-up and round differently: the temperature, the inner
F1, the per-class scales and biases and the quantised weights are compared
with tolerances that such rounding stays far inside (measured between an
Intel Xeon and an AMD EPYC machine: 2 % of weights moved, by at most 0.2 %
of the class's largest weight) and that retraining with other settings or
features does not.

Usage: attack_model_cmp.py EXPECTED FRESH   (exit 0: the same model)
"""
import struct
import sys

W_TOL = 0.01  # a weight may move by 1 % of its class's largest weight
Q_FRAC = 0.10  # at most 10 % of the weights may differ at all
REL_TOL = 0.005  # temperature, scales
ABS_TOL = 0.005  # biases, inner F1


def parse(path):
    b = open(path, "rb").read()
    if b[:8] != b"HYATTACK":
        sys.exit(f"{path}: not an ATT&CK model (magic)")
    o = 8
    ver, zero, nclass = struct.unpack_from("<III", b, o)
    o += 12
    names = []
    for _ in range(nclass):
        n = b[o]
        names.append(b[o + 1 : o + 1 + n])
        o += 1 + n
    temp, c, cw = struct.unpack_from("<ddd", b, o)
    o += 24
    aug, folds, rows = struct.unpack_from("<IIQ", b, o)
    o += 16
    (f1,) = struct.unpack_from("<d", b, o)
    o += 8
    tf_at = o
    (nfeat_tf,) = struct.unpack_from("<I", b, o + 16)
    o += 20 + nfeat_tf * 8
    tf = b[tf_at:o]
    nfeat, ncl, solver, unconv = struct.unpack_from("<IIII", b, o)
    o += 16
    sb = struct.unpack_from(f"<{2 * ncl}f", b, o)
    o += 8 * ncl
    q = struct.unpack_from(f"<{nfeat * ncl}h", b, o)
    o += 2 * nfeat * ncl
    if o + 4 != len(b):
        sys.exit(f"{path}: {len(b)} bytes, the layout gives {o + 4}")
    return {
        "settings": (ver, zero, nclass, tuple(names), c, cw, aug, folds, rows),
        "tfidf": tf,
        "shape": (nfeat, ncl, solver, unconv),
        "temp": temp,
        "f1": f1,
        "scale": sb[0::2],
        "bias": sb[1::2],
        "q": q,
    }


def rel(x, y):
    return abs(x - y) / max(abs(x), abs(y), 1e-30)


def main():
    if len(sys.argv) != 3:
        sys.exit("usage: attack_model_cmp.py EXPECTED FRESH")
    a, b = parse(sys.argv[1]), parse(sys.argv[2])
    bad = []
    for k in ("settings", "tfidf", "shape"):
        if a[k] != b[k]:
            bad.append(f"{k} differ")
    if bad:
        print("; ".join(bad))
        return 1
    ncl = a["shape"][1]
    worst_w, moved = 0.0, 0
    for i, (x, y) in enumerate(zip(a["q"], b["q"])):
        c = i % ncl
        if x != y:
            moved += 1
            # quanta are 1/32767 of the class's largest weight
            d = abs(x * a["scale"][c] - y * b["scale"][c]) / (32767 * a["scale"][c])
            worst_w = max(worst_w, d)
    checks = [
        ("temperature", rel(a["temp"], b["temp"]), REL_TOL),
        ("inner F1", abs(a["f1"] - b["f1"]), ABS_TOL),
        ("scales", max(rel(x, y) for x, y in zip(a["scale"], b["scale"])), REL_TOL),
        ("biases", max(abs(x - y) for x, y in zip(a["bias"], b["bias"])), ABS_TOL),
        ("weights moved (share)", moved / len(a["q"]), Q_FRAC),
        ("largest weight move (share of class maximum)", worst_w, W_TOL),
    ]
    for name, v, tol in checks:
        print(f"{name}: {v:.6g} (tolerance {tol})")
        if v > tol:
            bad.append(name)
    if bad:
        print("beyond tolerance: " + ", ".join(bad))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
