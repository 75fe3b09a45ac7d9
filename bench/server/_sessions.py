"""Clients for bench/server/session_memory.ts (Python's ftplib and plain sockets).

usage:
  _sessions.py idle HOST PORT N [login [USER PASSWORD]]   open N control connections (logged
      in, as anonymous unless USER and PASSWORD are given, when "login" is given), print
      "ready", keep them open until stdin closes, then close them (QUIT first when logged in).
  _sessions.py suite HOST PORT BIG_MIB    one repetition of the fixed mix (see session_memory.ts);
      prints one JSON line {"errors": [...]}.
"""
import ftplib
import io
import json
import socket
import sys
import threading


def read_reply(f):
    line = f.readline()
    if not line:
        raise EOFError("server closed")
    code = line[:3]
    if line[3:4] == b"-":
        while True:
            line = f.readline()
            if not line:
                raise EOFError("server closed")
            if line[:3] == code and line[3:4] == b" ":
                break
    return code


def idle(host, port, n, login, user=b"anonymous", password=b"anon@"):
    conns = []
    for _ in range(n):
        s = socket.create_connection((host, port), timeout=60)
        f = s.makefile("rb")
        assert read_reply(f) == b"220"
        if login:
            s.sendall(b"USER " + user + b"\r\n")
            code = read_reply(f)
            if code == b"331":  # ftp-srv logs anonymous in at USER (230)
                s.sendall(b"PASS " + password + b"\r\n")
                code = read_reply(f)
            assert code == b"230", code
        conns.append((s, f))
    print("ready", flush=True)
    sys.stdin.read()
    for s, f in conns:
        if login:  # a plain listener (no login) answers nothing: just close
            try:
                s.sendall(b"QUIT\r\n")
                read_reply(f)
            except Exception:
                pass
        s.close()


def login(host, port):
    ftp = ftplib.FTP()
    ftp.connect(host, port, timeout=120)
    ftp.login("anonymous", "anon@")
    return ftp


def suite(host, port, big_mib):
    errors = []

    def guarded(fn, *args):
        try:
            fn(*args)
        except Exception as e:  # reported, not raised: the bench counts them
            errors.append(repr(e))

    def logins():
        for _ in range(50):
            ftp = login(host, port)
            ftp.quit()

    def small():
        ftp = login(host, port)
        for i in range(20):
            ftp.storbinary("STOR small%d.bin" % i, io.BytesIO(b"x" * 4096))
            out = io.BytesIO()
            ftp.retrbinary("RETR small%d.bin" % i, out.write)
            assert len(out.getvalue()) == 4096
        ftp.retrlines("LIST", lambda _l: None)
        ftp.quit()

    def big():
        ftp = login(host, port)
        data = b"\0" * (big_mib << 20)
        ftp.storbinary("STOR big.bin", io.BytesIO(data), blocksize=1 << 20)
        got = [0]

        def count(b):
            got[0] += len(b)

        ftp.retrbinary("RETR big.bin", count, blocksize=1 << 20)
        assert got[0] == len(data), got[0]
        ftp.quit()

    def client(i):
        ftp = login(host, port)
        ftp.retrlines("LIST", lambda _l: None)
        out = io.BytesIO()
        ftp.retrbinary("RETR small%d.bin" % (i % 20), out.write)
        ftp.quit()

    guarded(logins)
    guarded(small)
    guarded(big)
    threads = [threading.Thread(target=guarded, args=(client, i)) for i in range(100)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    print(json.dumps({"errors": errors}), flush=True)


if __name__ == "__main__":
    mode, host, port = sys.argv[1], sys.argv[2], int(sys.argv[3])
    if mode == "idle":
        who = [a.encode() for a in sys.argv[6:8]]
        idle(host, port, int(sys.argv[4]), len(sys.argv) > 5 and sys.argv[5] == "login", *who)
    else:
        suite(host, port, int(sys.argv[4]))
