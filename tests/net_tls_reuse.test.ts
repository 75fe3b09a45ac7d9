/**
 * `reuseSessionOf` really resumes the control connection's TLS session (what vsftpd's
 * require_ssl_reuse checks): a node:tls server reports whether each handshake was resumed.
 * On Deno, where reuse is unsupported, it asserts the UnsupportedError instead.
 */
import assert from "node:assert/strict";
import type { AddressInfo } from "node:net";
import { describe, it } from "node:test";
import * as tls from "node:tls";
import { UnsupportedError } from "../src/errors.ts";
import type { Conn, Net } from "../src/net/types.ts";
import { readText, TEST_CERT, TEST_KEY } from "./_support/mod.ts";

const runtime = globalThis as { Deno?: unknown; Bun?: unknown };
const adapters: [string, () => Promise<Net>][] = [
  ["node", async () => (await import("../src/net/node.ts")).nodeNet],
];
if (runtime.Bun !== undefined) {
  adapters.push(["bun", async () => (await import("../src/net/bun.ts")).bunNet]);
}
if (runtime.Deno !== undefined) {
  adapters.push(["deno", async () => (await import("../src/net/deno.ts")).denoNet]);
}

for (const [name, load] of adapters) {
  describe(`TLS session reuse: ${name}`, () => {
    it("a data connection resumes the control connection's session", async () => {
      const net = await load();
      const resumed: boolean[] = [];
      const server = tls.createServer({ cert: TEST_CERT, key: TEST_KEY }, (socket) => {
        resumed.push(socket.isSessionReused());
        socket.end("ok\r\n");
      });
      await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
      const port = (server.address() as AddressInfo).port;
      const client = { role: "client", caCerts: [TEST_CERT] } as const;
      const open: Conn[] = [];
      try {
        const control = await net.connect({ hostname: "127.0.0.1", port, tls: client });
        open.push(control);
        assert.equal(await readText(control, 4), "ok\r\n"); // TLS 1.3 tickets are in by now
        const data = { ...client, reuseSessionOf: control };
        if (runtime.Deno !== undefined) {
          await assert.rejects(net.connect({ hostname: "127.0.0.1", port, tls: data }), UnsupportedError);
        } else {
          const conn = await net.connect({ hostname: "127.0.0.1", port, tls: data });
          open.push(conn);
          assert.equal(await readText(conn, 4), "ok\r\n");
          assert.deepEqual(resumed, [false, true]);
        }
      } finally {
        for (const conn of open) conn.close(); // server.close() waits for every connection
        await new Promise((resolve) => server.close(resolve));
      }
    });
  });
}
