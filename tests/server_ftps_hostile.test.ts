/**
 * A hostile FTPS client on real sockets (the running runtime's adapter): after `PROT P`, a
 * data connection that never sends a ClientHello, closes before it, or stalls in the middle
 * of the handshake. Each must be answered (425 within the data timeout, 426 on ABOR), the
 * session must go on, its sockets and connection slot must come back, `Server.close()` must
 * complete, and nothing may reach the process as an uncaught exception. The same for the
 * control connection's AUTH TLS handshake.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { readdirSync } from "node:fs";
import type { Conn } from "../src/net/types.ts";
import { bytes, Control, guard, putFile, settle, startServer, TEST_CERT, TEST_KEY, text } from "./_support/mod.ts";

const TLS = { cert: TEST_CERT, key: TEST_KEY };
const CA = [TEST_CERT];

/** Open file descriptors of this process (Linux), or -1 where /proc is missing. */
function openFds(): number {
  try {
    return readdirSync("/proc/self/fd").length;
  } catch {
    return -1;
  }
}

/** The first bytes of a TLS ClientHello record: a handshake header, then nothing more. */
const PARTIAL_CLIENT_HELLO = new Uint8Array([0x16, 0x03, 0x01, 0x00, 0xc8, 0x01, 0x00, 0x00, 0xc4, 0x03, 0x03]);

type Misbehaviour = "silent" | "close-before" | "stall-mid-handshake";

/** What the hostile client does with a plain data connection the server wants TLS on. */
async function misbehave(conn: Conn, how: Misbehaviour): Promise<void> {
  if (how === "close-before") conn.close();
  if (how === "stall-mid-handshake") {
    const writer = conn.writable.getWriter();
    await writer.write(PARTIAL_CLIENT_HELLO);
    writer.releaseLock();
  }
}

/** Log in over TLS with PBSZ 0 / PROT P. */
async function protectedSession(port: number): Promise<Control> {
  const { control: plain } = await Control.open(port);
  const c = await plain.secure(CA);
  await c.expect("USER anonymous", "331", "230");
  await c.expect("PASS guest", "230");
  await c.expect("PBSZ 0", "200");
  await c.expect("PROT P", "200");
  return c;
}

/** A logged-in protected session whose RETR waits on a data connection that misbehaves. */
async function hostileRetr(
  port: number,
  how: Misbehaviour,
  mode: "passive" | "active",
): Promise<{ c: Control; data: Promise<Conn> }> {
  const c = await protectedSession(port);
  let data: Promise<Conn>;
  if (mode === "passive") {
    const conn = await c.passive("EPSV");
    data = Promise.resolve(conn);
    await c.expect("RETR /f.txt", "150");
    await misbehave(conn, how);
  } else {
    const { accept } = await c.active("EPRT");
    await c.expect("RETR /f.txt", "150");
    data = accept;
    await misbehave(await guard(accept, "active data connection"), how);
  }
  return { c, data };
}

/** A normal plain-text client still gets served. */
async function stillServes(port: number): Promise<void> {
  await using c = await Control.login(port);
  const { data, final } = await c.download("RETR /f.txt");
  assert.equal(text(data), "file body");
  assert.equal(final.code, "226");
}

describe("server FTPS: a data connection that fails its TLS handshake", () => {
  for (const mode of ["passive", "active"] as const) {
    for (const how of ["silent", "close-before", "stall-mid-handshake"] as const) {
      it(`${mode}, ${how}: 425 within the data timeout, the session goes on, nothing leaks`, async () => {
        await using srv = await startServer({ tls: TLS, dataConnectionTimeout: 1000 });
        await putFile(srv.storage, "/f.txt", "file body");
        const before = openFds();
        // Two rounds: a socket leaked per round shows as 2 fds over the 1 of slack below.
        for (let round = 0; round < 2; round++) {
          const { c, data } = await hostileRetr(srv.port, how, mode);
          const r = await c.reply();
          assert.ok(r.code === "425" || r.code === "426", `${r.code} ${r.lines.join("|")}`);
          // The session goes on: a command after the failed transfer is answered.
          assert.equal((await c.cmd("NOOP")).code, "200");
          (await data).close();
          c.close();
        }
        await guard(waitUntilNoSessions(srv.server), "sessions to end");
        if (before >= 0) {
          const after = await settle(openFds);
          assert.ok(after <= before + 1, `fds ${before} → ${after}`);
        }
        await stillServes(srv.port);
      });
    }

    it(`${mode}: ABOR during the data handshake is answered at once (long data timeout)`, async () => {
      await using srv = await startServer({ tls: TLS, dataConnectionTimeout: 600_000 });
      await putFile(srv.storage, "/f.txt", "file body");
      const { c, data } = await hostileRetr(srv.port, "stall-mid-handshake", mode);
      await c.send("ABOR");
      const first = await c.reply();
      assert.equal(first.code, "426");
      const second = await c.reply();
      assert.equal(second.code, "226");
      assert.equal((await c.cmd("NOOP")).code, "200");
      (await data).close();
      c.close();
      await stillServes(srv.port);
    });

    it(`${mode}: QUIT and the client's disconnect end a session stuck in the data handshake`, async () => {
      await using srv = await startServer({ tls: TLS, dataConnectionTimeout: 600_000, maxConnections: 2 });
      await putFile(srv.storage, "/f.txt", "file body");
      const before = openFds();
      const quitter = await hostileRetr(srv.port, "silent", mode);
      assert.equal((await quitter.c.cmd("QUIT")).code, "426"); // the transfer's answer first
      assert.equal((await quitter.c.reply()).code, "221");
      const leaver = await hostileRetr(srv.port, "stall-mid-handshake", mode);
      leaver.c.close();
      await guard(waitUntilNoSessions(srv.server), "sessions to end");
      (await quitter.data).close();
      (await leaver.data).close();
      quitter.c.close();
      if (before >= 0) {
        const after = await settle(openFds);
        assert.ok(after <= before + 1, `fds ${before} → ${after}`);
      }
      // Both slots are free again (maxConnections 2).
      await stillServes(srv.port);
      await stillServes(srv.port);
    });

    it(`${mode}: Server.close() completes while a data handshake stalls`, async () => {
      const srv = await startServer({ tls: TLS, dataConnectionTimeout: 600_000 });
      await putFile(srv.storage, "/f.txt", "file body");
      const { c, data } = await hostileRetr(srv.port, "silent", mode);
      await guard(srv.server.close({ timeout: 1000 }), "Server.close()");
      const r = await c.reply();
      assert.ok(r.code === "426" || r.code === "421" || r.code === "EOF", r.code);
      (await data).close();
      c.close();
      // A new server in the same process still serves.
      await using again = await startServer({ tls: TLS });
      await putFile(again.storage, "/f.txt", "file body");
      await stillServes(again.port);
    });
  }

  it("a control connection that never completes AUTH TLS is closed, its slot returned", async () => {
    await using srv = await startServer({ tls: TLS, tlsHandshakeTimeout: 1000, maxConnections: 1 });
    await putFile(srv.storage, "/f.txt", "file body");
    const { control } = await Control.open(srv.port);
    await control.expect("AUTH TLS", "234");
    await control.sendRaw(PARTIAL_CLIENT_HELLO);
    // The server gives up on the handshake and closes (a FIN, or a reset where the runtime
    // tears a half-done TLS socket down that way): our read side ends.
    const end = await control.reply().then((r) => r.code, (e: Error) => e.name);
    assert.ok(end === "EOF" || end === "ConnectionClosedError", end);
    control.close();
    await guard(waitUntilNoSessions(srv.server), "the session to end");
    await stillServes(srv.port);
  });

  it("Server.close() completes while a control handshake stalls", async () => {
    const srv = await startServer({ tls: TLS });
    const { control } = await Control.open(srv.port);
    await control.expect("AUTH TLS", "234");
    await control.sendRaw(bytes("\x16\x03\x01"));
    await guard(srv.server.close({ timeout: 1000 }), "Server.close()");
    control.close();
  });
});

/** Resolve once the server has no session left (polled, bounded by the caller's guard). */
async function waitUntilNoSessions(server: { readonly connections: number }): Promise<void> {
  while (server.connections > 0) await new Promise((r) => setTimeout(r, 10));
}
