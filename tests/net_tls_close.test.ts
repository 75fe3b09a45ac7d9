/**
 * TLS closing against a strict peer: Python's `ssl` (OpenSSL) with `suppress_ragged_eofs`
 * off, which reports a TCP end without close_notify — or a FIN in the middle of the
 * handshake — as an error, as GnuTLS (lftp) does. For every adapter of the running
 * runtime, in both TLS roles: `startTls`, write 0 or 100,000 bytes, `writable.close()`;
 * the peer must read every byte and then a close_notify. 0 bytes is an empty FTPS listing.
 */
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { describe, it } from "node:test";
import type { Net } from "../src/net/types.ts";
import { drain, PYTHON, repoFile, runtimeAdapters, skipUnless, TEST_CERT, TEST_KEY } from "./_support/mod.ts";

const ROUNDS = 20;
const SIZES = [0, 100_000];

/**
 * The strict peer. `client PORT N`: N times connect, wait 0–20 ms (lftp reads 150 before its
 * handshake), handshake, read to the end. `server N`: print the port, then N times accept,
 * handshake, read to the end, answer with close_notify. One line per round:
 * `clean <bytes>` or `error <what>`. Every socket has a 10 s timeout.
 */
const PEER = `
import socket, ssl, sys, time
mode, cert, key, n = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
def read_all(t):
    got = 0
    while True:
        d = t.recv(65536)
        if not d: return got
        got += len(d)
def report(fn, s):
    try:
        print("clean", fn(), flush=True)
    except Exception as e:
        print("error", type(e).__name__, e, flush=True)
    finally:
        s.close()
if mode == "client":
    ctx = ssl.create_default_context(cafile=cert)
    for i in range(n):
        s = socket.create_connection(("127.0.0.1", int(sys.argv[5])), timeout=10)
        time.sleep((i % 5) * 0.005)
        def run():
            t = ctx.wrap_socket(s, server_hostname="127.0.0.1", suppress_ragged_eofs=False)
            return read_all(t)
        report(run, s)
else:
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(cert, key)
    ls = socket.create_server(("127.0.0.1", 0))
    ls.settimeout(10)
    print(ls.getsockname()[1], flush=True)
    for i in range(n):
        s, _ = ls.accept()
        s.settimeout(10)
        def run():
            t = ctx.wrap_socket(s, server_side=True, suppress_ragged_eofs=False)
            got = read_all(t)
            try:
                t.unwrap()
            except OSError:
                pass
            return got
        report(run, s)
`;

/** Start the peer; `lines` yields its output lines as they come, `done` its exit. */
function startPeer(args: string[]): { next: () => Promise<string>; done: Promise<number | null> } {
  const child = spawn(
    PYTHON,
    [
      "-c",
      PEER,
      args[0]!,
      repoFile("tests/fixtures/tls/cert.pem"),
      repoFile("tests/fixtures/tls/key.pem"),
      ...args.slice(1),
    ],
    { stdio: ["ignore", "pipe", "inherit"] },
  );
  const lines: string[] = [];
  const waiters: ((line: string) => void)[] = [];
  let buffer = "";
  child.stdout!.setEncoding("utf8");
  child.stdout!.on("data", (text: string) => {
    buffer += text;
    let at: number;
    while ((at = buffer.indexOf("\n")) >= 0) {
      const line = buffer.slice(0, at);
      buffer = buffer.slice(at + 1);
      const waiter = waiters.shift();
      if (waiter) waiter(line);
      else lines.push(line);
    }
  });
  const done = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
  // A peer that exits early answers every further wait with "exited".
  void done.then(() => {
    for (const waiter of waiters.splice(0)) waiter("exited");
  });
  const timer = setTimeout(() => child.kill(), 120_000); // a hung peer cannot outlive the test
  void done.then(() => clearTimeout(timer));
  return {
    next: () => {
      const line = lines.shift();
      if (line !== undefined) return Promise.resolve(line);
      if (child.exitCode !== null) return Promise.resolve("exited");
      return new Promise((resolve) => waiters.push(resolve));
    },
    done,
  };
}

const SERVER_TLS = { role: "server", cert: TEST_CERT, key: TEST_KEY } as const;
const CLIENT_TLS = { role: "client", caCerts: [TEST_CERT] } as const;

function strictClose(name: string, net: Net): void {
  describe(
    `TLS close against a strict peer: ${name}`,
    { skip: skipUnless(PYTHON, ["--version"]) },
    () => {
      for (const size of SIZES) {
        for (const implicit of [false, true]) {
          const how = implicit ? "implicit TLS listener" : "server role";
          it(`${how}: ${size} bytes then writable.close() reach OpenSSL as data + close_notify (${ROUNDS} rounds)`, async () => {
            const listener = await net.listen({
              hostname: "127.0.0.1",
              port: 0,
              tls: implicit ? SERVER_TLS : undefined,
            });
            const peer = startPeer(["client", String(ROUNDS), String(listener.addr.port)]);
            const accept = listener[Symbol.asyncIterator]();
            try {
              // Bounded: ROUNDS accepts; the peer has a 10 s timeout per socket.
              for (let round = 0; round < ROUNDS; round++) {
                const next = await Promise.race([accept.next(), peer.done.then(() => undefined)]);
                assert.ok(next && !next.done, `round ${round}: the peer exited early`);
                const conn = implicit ? next.value : await next.value.startTls(SERVER_TLS);
                const writer = conn.writable.getWriter();
                if (size > 0) await writer.write(new Uint8Array(size).fill(round));
                await writer.close();
                assert.equal(await peer.next(), `clean ${size}`, `round ${round}`);
                conn.close();
              }
              assert.equal(await peer.done, 0);
            } finally {
              listener.close();
            }
          });
        }

        it(`client role: ${size} bytes then writable.close() reach OpenSSL as data + close_notify (${ROUNDS} rounds)`, async () => {
          const peer = startPeer(["server", String(ROUNDS)]);
          const port = Number(await peer.next());
          assert.ok(port > 0, "the peer did not report its port");
          // Bounded: ROUNDS connections.
          for (let round = 0; round < ROUNDS; round++) {
            const plain = await net.connect({ hostname: "127.0.0.1", port });
            const conn = await plain.startTls(CLIENT_TLS);
            const writer = conn.writable.getWriter();
            if (size > 0) await writer.write(new Uint8Array(size).fill(round));
            await writer.close();
            assert.equal(await peer.next(), `clean ${size}`, `round ${round}`);
            // The peer answered with its close_notify: our readable ends without error.
            assert.equal((await drain(conn.readable, 0)).bytes, 0);
            conn.close();
          }
          assert.equal(await peer.done, 0);
        });
      }
    },
  );
}

for (const { name, net } of await runtimeAdapters()) strictClose(name, net);
