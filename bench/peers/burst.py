"""Burst of concurrent FTP clients for bench/server/throughput.ts (Python's ftplib, threads).

usage: _burst.py HOST PORT USER PASSWORD CLIENTS PATH
Each client connects, logs in, lists PATH (LIST over PASV) and quits; all start together
(a barrier). Prints one JSON line: {"seconds": wall time from the start to the last QUIT,
"lines": listing lines received in all, "errors": [...]}.
"""
import ftplib
import json
import sys
import threading
import time

host, port, user, password, clients, path = sys.argv[1:7]
port, clients = int(port), int(clients)
barrier = threading.Barrier(clients + 1)
lines = [0] * clients
errors = []


def client(i):
    barrier.wait()
    try:
        ftp = ftplib.FTP()
        ftp.connect(host, port, timeout=60)
        ftp.login(user, password)
        out = []
        ftp.retrlines("LIST " + path, out.append)
        lines[i] = len(out)
        ftp.quit()
    except Exception as e:  # reported, the run counts as failed
        errors.append(repr(e))


threads = [threading.Thread(target=client, args=(i,)) for i in range(clients)]
for t in threads:
    t.start()
barrier.wait()
t0 = time.perf_counter()
for t in threads:
    t.join(120)
print(json.dumps({"seconds": time.perf_counter() - t0, "lines": sum(lines), "errors": errors[:5]}))
