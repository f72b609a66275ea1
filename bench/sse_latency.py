#!/usr/bin/env python3
"""SSE latency: N clients on GET /api/alerts/stream of a running hayate run;
one alert is written into its store (another connection, as the pipeline
would) and the time until each client has its event is measured.
Usage: sse_latency.py PORT STORE.db [N=100] [ROUNDS=5]"""
import socket
import sqlite3
import statistics
import sys
import time

from alert_ids import ulid  # bench/alert_ids.py, beside this script

port, db = int(sys.argv[1]), sys.argv[2]

n = int(sys.argv[3]) if len(sys.argv) > 3 else 100
rounds = int(sys.argv[4]) if len(sys.argv) > 4 else 5


socks = []
for _ in range(n):
    s = socket.create_connection(("127.0.0.1", port))
    s.sendall(b"GET /api/alerts/stream HTTP/1.0\r\n\r\n")
    s.setblocking(False)
    socks.append(s)
time.sleep(1.0)  # every stream open and suspended
for s in socks:  # drop the headers
    try:
        s.recv(65536)
    except BlockingIOError:
        pass
lat = []
c = sqlite3.connect(db, timeout=10)
base = int(time.time())
for r in range(rounds):
    aid = ulid("01ZZ00000Z", base * 1000 + r)
    t0 = time.monotonic()
    c.execute("INSERT INTO alerts (id, time_ns, engine, kind, severity, score, title, subject,"
              " evidence) VALUES (?, ?, 'darknet', 'darknet.outbreak', 1, 0.9, 'sse', 'tcp/1',"
              " '{}')", (aid, time.time_ns()))
    c.commit()
    pending = {id(s): s for s in socks}
    bufs = {id(s): b"" for s in socks}
    while pending and time.monotonic() - t0 < 10:
        for k, s in list(pending.items()):
            try:
                d = s.recv(65536)
            except BlockingIOError:
                continue
            bufs[k] += d
            if aid.encode() in bufs[k]:
                lat.append(time.monotonic() - t0)
                del pending[k]
        time.sleep(0.001)
    if pending:
        print(f"round {r}: {len(pending)} clients did not get the alert in 10 s")
    time.sleep(0.5)
lat.sort()
print(f"{n} clients x {rounds} alerts: median {statistics.median(lat)*1000:.0f} ms, "
      f"p99 {lat[int(len(lat)*0.99)-1]*1000:.0f} ms, max {lat[-1]*1000:.0f} ms "
      f"({len(lat)} deliveries)")
