#!/usr/bin/env python3
"""Writes a one-day telescope capture in which N distinct sources each send
two TCP SYNs (a minute apart) to a darknet /16: the "10 million sources a
day" memory case of bench/darknet.sh. Usage: darknet_sources.py N OUT.pcap

Sources are 1.0.0.0 + i * 7 (mod 2^32, skipping nothing: distinct for
N < 2^32 / 7); sources arrive evenly over the day, in time order; ports are
drawn from a small fixed mix so the per-port tables stay realistic."""
import struct
import sys

DAY = 86400
PORTS = (23, 445, 22, 80, 8080, 2323, 3389, 443, 5555, 7547)


def checksum(b):
    s = sum(struct.unpack("!%dH" % (len(b) // 2), b))
    s = (s >> 16) + (s & 0xFFFF)
    s += s >> 16
    return ~s & 0xFFFF


def frame(src, dst, dport, seq):
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 40, 1, 0, 64, 6, 0,
                     src.to_bytes(4, "big"), dst.to_bytes(4, "big"))
    ip = ip[:10] + struct.pack("!H", checksum(ip)) + ip[12:]
    tcp = struct.pack("!HHIIBBHHH", 40000, dport, seq, 0, 0x50, 0x02, 1024, 0, 0)
    eth = b"\x00\x11\x22\x33\x44\x55\x66\x77\x88\x99\xaa\xbb\x08\x00"
    return eth + ip + tcp


def main():
    n, out = int(sys.argv[1]), sys.argv[2]
    start = 1704067200
    with open(out, "wb", buffering=1 << 22) as f:
        f.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 1))
        # each source: first SYN at t_i, second at t_i + 60 s (emitted in order
        # by interleaving the second SYNs of sources one minute behind)
        per_s = n / DAY
        lag = int(per_s * 60)
        for i in range(n + lag):
            for j, second in ((i, False), (i - lag, True)):
                if j < 0 or j >= n:
                    continue
                t = start + j / per_s + (60 if second else 0)
                src = (0x01000000 + j * 7) & 0xFFFFFFFF
                dst = 0xC6120000 | ((j * 2654435761) & 0xFFFF)
                pkt = frame(src, dst, PORTS[j % len(PORTS)], j)
                sec = int(t)
                usec = int((t - sec) * 1e6)
                f.write(struct.pack("<IIII", sec, usec, len(pkt), len(pkt)))
                f.write(pkt)


if __name__ == "__main__":
    main()
