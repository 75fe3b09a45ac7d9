"""The physical anchor of bench/run.ts: the same bytes over raw TCP on loopback, no FTP.

usage: raw_tcp.py send FILE     file -> socket with sendfile(2), received into a buffer
       raw_tcp.py recv FILE OUT socket -> file: received bytes written to OUT
Prints one JSON line {"bytes": n, "seconds": s}, timed from connect to the receiver's last byte.
"""
import json
import os
import socket
import sys
import time

mode, path = sys.argv[1], sys.argv[2]
out = sys.argv[3] if mode == "recv" else None
size = os.path.getsize(path)
listener = socket.socket()
listener.bind(("127.0.0.1", 0))
listener.listen(1)
port = listener.getsockname()[1]
pid = os.fork()
if pid == 0:  # the sender
    listener.close()
    with socket.create_connection(("127.0.0.1", port)) as s, open(path, "rb") as f:
        s.sendfile(f)
    os._exit(0)
conn, _ = listener.accept()
t0 = time.perf_counter()
buf = bytearray(1 << 20)
view = memoryview(buf)
got = 0
fd = os.open(out, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644) if out else None
while True:
    n = conn.recv_into(buf)
    if n == 0:
        break
    if fd is not None:
        os.write(fd, view[:n])
    got += n
seconds = time.perf_counter() - t0
if fd is not None:
    os.close(fd)
os.waitpid(pid, 0)
print(json.dumps({"bytes": got, "seconds": seconds, "expected": size}))
