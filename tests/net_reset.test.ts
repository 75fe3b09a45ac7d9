/**
 * A peer that resets the connection (RST) after sending data, as clients do that close with
 * unread bytes (lftp after an FTPS upload, when a TLS session ticket is still unread). A
 * reset is not the end of a file: the readable must fail with ConnectionClosedError (STOR
 * answers 426, never 226 with bytes missing), after the bytes received before it where the
 * runtime keeps them. The reader starts only after the peer has exited, so data and reset
 * both wait in the kernel. The peer is Python (SO_LINGER 0 makes close() send RST).
 */
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { describe, it } from "node:test";
import { ConnectionClosedError } from "../src/errors.ts";
import type { Conn, Net } from "../src/net/types.ts";
import { PYTHON, repoFile, runtimeAdapters, skipUnless, TEST_CERT, TEST_KEY } from "./_support/mod.ts";

// Small enough to sit in the kernel: what the peer had not sent at the reset is lost on the wire.
const BYTES = 50_000;

/** `plain|tls|tls-notify PORT CA N`: connect, (TLS handshake), send N bytes, (close_notify), RST. */
const PEER = `
import socket, ssl, struct, sys
mode, port, ca, n = sys.argv[1], int(sys.argv[2]), sys.argv[3], int(sys.argv[4])
s = socket.create_connection(("127.0.0.1", port), timeout=10)
out = s
if mode != "plain":
    out = ssl.create_default_context(cafile=ca).wrap_socket(s, server_hostname="127.0.0.1")
out.sendall(bytes(i % 251 for i in range(n)))
if mode == "tls-notify":
    out.setblocking(False)
    try:
        out.unwrap()  # sends close_notify, then would wait for the server's
    except (ssl.SSLWantReadError, ssl.SSLWantWriteError):
        pass
out.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
out.close()  # no close_notify from here: SSLSocket.close() only closes the socket
print("sent", flush=True)
`;

/** Read to the end or the first error: bytes read, and the error if any. */
async function readUntilEndOrError(conn: Conn): Promise<{ bytes: number; error?: unknown }> {
  const reader = conn.readable.getReader();
  let bytes = 0;
  try {
    // Bounded: the peer sent BYTES bytes and is gone.
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return { bytes };
      bytes += value.byteLength;
    }
  } catch (error) {
    return { bytes, error };
  } finally {
    reader.releaseLock();
  }
}

async function run(net: Net, mode: "plain" | "tls" | "tls-notify") {
  await using listener = await net.listen({ hostname: "127.0.0.1", port: 0 });
  const child = spawn(
    PYTHON,
    [
      "-c",
      PEER,
      mode,
      String(listener.addr.port),
      repoFile("tests/fixtures/tls/cert.pem"),
      String(BYTES),
    ],
    { stdio: ["ignore", "pipe", "pipe"] },
  );
  let out = "";
  child.stdout!.setEncoding("utf8");
  child.stdout!.on("data", (text: string) => (out += text));
  child.stderr!.setEncoding("utf8");
  child.stderr!.on("data", (text: string) => (out += text));
  const exited = new Promise<number | null>((resolve) => child.on("exit", resolve));
  const timer = setTimeout(() => child.kill(), 60_000); // a hung peer cannot outlive the test
  const next = await Promise.race([
    listener[Symbol.asyncIterator]().next(),
    exited.then(() => undefined),
  ]);
  assert.ok(next && !next.done, "the peer did not connect");
  let conn: Conn = next.value;
  if (mode !== "plain") {
    conn = await conn.startTls({ role: "server", cert: TEST_CERT, key: TEST_KEY });
  }
  const code = await exited;
  clearTimeout(timer);
  assert.equal(out.trim(), "sent", `peer exited with ${code}: ${out}`);
  const result = await readUntilEndOrError(conn);
  conn.close();
  return result;
}

/** How a runtime's sockets see a reset that waits in the kernel behind data. */
interface Limits {
  /**
   * The reset reads as a plain end of stream (libuv, which Node's and Bun's `node:net` use,
   * folds a hang-up seen with the last data into EOF), and for TLS the missing close_notify
   * then reads as an end too. @default false
   */
  readonly resetReadsAsEnd?: boolean;
  /** Bytes received before a reset may be dropped (Bun's node:net). @default false */
  readonly dropsBytesOnReset?: boolean;
}

function resets(name: string, net: Net, limits: Limits = {}): void {
  describe(`reset after data: ${name}`, { skip: skipUnless(PYTHON, ["--version"]) }, () => {
    it("plain TCP: the bytes received, then ConnectionClosedError", async () => {
      const { bytes, error } = await run(net, "plain");
      if (limits.dropsBytesOnReset) assert.ok(bytes <= BYTES);
      else assert.equal(bytes, BYTES);
      assert.ok(error instanceof ConnectionClosedError, `ended with ${error}`);
    });

    // TLS stacks stop at the reset: records not yet decrypted are lost (on every runtime),
    // so only the outcome is fixed: never a clean end with bytes missing.
    for (const mode of ["tls", "tls-notify"] as const) {
      const what = mode === "tls" ? "without close_notify" : "after close_notify";
      it(`TLS ${what}: never a clean end with bytes missing`, async () => {
        const { bytes, error } = await run(net, mode);
        assert.ok(bytes <= BYTES);
        if (limits.resetReadsAsEnd && error === undefined) return;
        if (mode === "tls" || bytes < BYTES) {
          assert.ok(error instanceof ConnectionClosedError, `${bytes} bytes, ended with ${error}`);
        }
      });
    }
  });
}

/** What each adapter cannot tell (see the README's Limitations); the others have no exception. */
const LIMITS: Record<string, Limits> = {
  "node (on bun)": { resetReadsAsEnd: true, dropsBytesOnReset: true },
  "node": { resetReadsAsEnd: true },
};
for (const { name, net } of await runtimeAdapters()) resets(name, net, LIMITS[name]);
