"""Hold N logged-in, idle FTP control connections for bench/run.ts's per-session memory column.

usage: idle_sessions.py HOST PORT USER PASSWORD N
Opens N control connections one after another and logs each in (USER/PASS, 230), prints
one JSON line {"open": n, "errors": [...]} when all are in, then keeps them idle until its
standard input closes, sends QUIT on each and exits.
"""
import ftplib
import json
import sys

host, port, user, password, n = sys.argv[1:6]
sessions, errors = [], []
for _ in range(int(n)):
    try:
        ftp = ftplib.FTP()
        ftp.connect(host, int(port), timeout=30)
        ftp.login(user, password)
        sessions.append(ftp)
    except Exception as e:  # reported; the caller decides
        errors.append(repr(e))
        if len(errors) > 5:
            break
print(json.dumps({"open": len(sessions), "errors": errors[:5]}), flush=True)
sys.stdin.read()
for ftp in sessions:
    try:
        ftp.quit()
    except Exception:
        ftp.close()
