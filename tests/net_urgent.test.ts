/**
 * TCP urgent data on an accepted connection, as FTP clients send it before ABOR: lftp sends
 * IAC IP IAC, then IAC DM as urgent data (MSG_OOB), then `ABOR\r\n`. Without SO_OOBINLINE
 * the urgent byte leaves the stream, and a read stops at the urgent mark. The bytes behind
 * the mark must still arrive without the peer sending anything more (Deno.listen's conns
 * did not: tokio took the short read for "socket drained"). The peer is Python, since no
 * JavaScript runtime can send urgent data.
 */
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { describe, it } from "node:test";
import type { Conn, Net } from "../src/net/types.ts";
import { PYTHON, runtimeAdapters, skipUnless } from "./_support/mod.ts";

const ROUNDS = 20;

/**
 * `NOOP` → wait for the reply → the lftp ABOR sequence → wait for the reply (5 s timeout:
 * a stalled read never answers), ROUNDS times, then `QUIT`. Prints one line per round.
 */
const PEER = `
import socket, sys
port, rounds = int(sys.argv[1]), int(sys.argv[2])
s = socket.create_connection(("127.0.0.1", port), timeout=5)
f = s.makefile("rb")
for i in range(rounds):
    s.sendall(b"NOOP\\r\\n")
    f.readline()
    s.send(b"\\xff\\xf4\\xff")
    s.send(b"\\xf2", socket.MSG_OOB)
    s.send(b"ABOR\\r\\n")
    try:
        print("reply", f.readline().decode().strip(), flush=True)
    except socket.timeout:
        print("stalled: no reply to ABOR within 5 s", flush=True)
        sys.exit(1)
s.sendall(b"QUIT\\r\\n")
f.readline()
s.close()
`;

const latin1 = new TextDecoder("latin1");

/**
 * Serve the peer: answer each complete line; after answering NOOP, pause 50 ms before
 * reading on, so that the whole ABOR sequence is in the kernel before the next read (the
 * case that stalled). Resolves to everything received.
 */
async function serve(conn: Conn): Promise<string> {
  const reader = conn.readable.getReader();
  const writer = conn.writable.getWriter();
  const encoder = new TextEncoder();
  let received = "";
  let pending = "";
  try {
    // Bounded: the peer sends ROUNDS * 2 + 1 lines and then closes.
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      const text = latin1.decode(value);
      received += text;
      pending += text;
      let at: number;
      while ((at = pending.indexOf("\r\n")) >= 0) {
        const line = pending.slice(0, at);
        pending = pending.slice(at + 2);
        if (line === "NOOP") {
          await writer.write(encoder.encode("200 ok\r\n"));
          await new Promise((resolve) => setTimeout(resolve, 50));
        } else if (line.endsWith("ABOR")) {
          await writer.write(encoder.encode("226 aborted\r\n"));
        } else if (line === "QUIT") {
          await writer.write(encoder.encode("221 bye\r\n"));
          await writer.close();
        }
      }
    }
  } finally {
    conn.close();
  }
  return received;
}

function urgent(name: string, net: Net): void {
  describe(`TCP urgent data: ${name}`, { skip: skipUnless(PYTHON, ["--version"]) }, () => {
    it(`bytes behind an urgent mark arrive without more data from the peer (lftp's ABOR, ${ROUNDS} rounds)`, async () => {
      await using listener = await net.listen({ hostname: "127.0.0.1", port: 0 });
      const child = spawn(PYTHON, ["-c", PEER, String(listener.addr.port), String(ROUNDS)], {
        stdio: ["ignore", "pipe", "inherit"],
      });
      let out = "";
      child.stdout!.setEncoding("utf8");
      child.stdout!.on("data", (text: string) => (out += text));
      const exited = new Promise<number | null>((resolve) => child.on("exit", resolve));
      const timer = setTimeout(() => child.kill(), 120_000); // a hung peer cannot outlive the test
      const next = await Promise.race([
        listener[Symbol.asyncIterator]().next(),
        exited.then(() => undefined),
      ]);
      assert.ok(next && !next.done, "the peer did not connect");
      const [received, code] = await Promise.all([serve(next.value), exited]);
      clearTimeout(timer);
      const lines = out.trim().split("\n");
      assert.deepEqual(lines, Array(ROUNDS).fill("reply 226 aborted"), out);
      assert.equal(code, 0);
      // The urgent byte (IAC DM's DM) is not in the stream; everything else is, in order.
      const round = "NOOP\r\n\xff\xf4\xffABOR\r\n";
      assert.equal(received, round.repeat(ROUNDS) + "QUIT\r\n");
    });
  });
}

for (const { name, net } of await runtimeAdapters()) urgent(name, net);
