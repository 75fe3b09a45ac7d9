// ClientPool against a real server: parallel transfers over N connections, a FIFO queue,
// per-task error isolation and replacement of broken connections.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { type Client, ClientPool } from "../src/client/mod.ts";
import { FtpError, StatusCodeError } from "../src/errors.ts";
import { havePeer, sha256 as sha, startAnyftp, startPyftpdlib, startServer, startVsftpd } from "./_support/mod.ts";

const opts = { socketTimeout: 10_000, dataTimeout: 10_000 };

for (
  const [name, start, ok] of [
    ["pyftpdlib", startPyftpdlib, havePeer("pyftpdlib")],
    ["vsftpd", startVsftpd, havePeer("vsftpd")],
    ["anyftp", () => startAnyftp(), true],
  ] as const
) {
  describe(`ClientPool with ${name}`, { skip: !ok }, () => {
    it("moves 12 files in parallel over at most 3 connections, hashes equal", async () => {
      await using s = await start();
      await using pool = new ClientPool(s.url, { ...opts, size: 3 });
      const files = Array.from(
        { length: 12 },
        () => new Uint8Array(randomBytes(200_000 + Math.floor(Math.random() * 100_000))),
      );
      let active = 0;
      let peak = 0;
      const clients = new Set<Client>();
      await Promise.all(files.map((f, i) =>
        pool.run(async (c) => {
          clients.add(c);
          peak = Math.max(peak, ++active);
          try {
            // Until a second connection is up, hold on (bounded): a fast first client
            // could otherwise do every upload while the others are still logging in.
            for (let t = 0; t < 500 && peak < 2; t++) await new Promise((r) => setTimeout(r, 10));
            await c.uploadData(f, `p${i}.bin`);
          } finally {
            active--;
          }
        })
      ));
      assert.ok(peak >= 2 && peak <= 3, `peak ${peak}`);
      assert.ok(clients.size <= 3);
      assert.ok(pool.open <= 3);
      files.forEach((f, i) => assert.equal(sha(readFileSync(join(s.root, `p${i}.bin`))), sha(f)));
      const back = await Promise.all(files.map((_, i) => pool.downloadData(`p${i}.bin`)));
      back.forEach((b, i) => assert.equal(sha(b), sha(files[i]!)));
    });

    it("isolates failures: one missing file, one broken connection; the rest succeed", async () => {
      await using s = await start();
      await using pool = new ClientPool(s.url, { ...opts, size: 2 });
      await pool.uploadData("one", "one.txt");
      const results = await Promise.allSettled([
        pool.downloadData("one.txt"),
        pool.downloadData("missing.txt"),
        pool.run(async (c) => {
          c.close(); // the connection dies under the task
          return await c.pwd();
        }),
        pool.downloadData("one.txt"),
        pool.run((c) => c.size("one.txt")),
      ]);
      assert.equal(results[0].status, "fulfilled");
      assert.ok(results[1].status === "rejected" && results[1].reason instanceof StatusCodeError);
      assert.equal(results[2].status, "rejected");
      assert.equal(results[3].status, "fulfilled");
      assert.deepEqual((results[4] as PromiseFulfilledResult<number>).value, 3);
      assert.ok(pool.open <= 2);
      // The broken client was replaced.
      assert.equal(new TextDecoder().decode(await pool.downloadData("one.txt")), "one");
    });
  });
}

describe("ClientPool lifecycle", () => {
  it("rejects queued and new tasks after close", { skip: !havePeer("pyftpdlib") }, async () => {
    await using s = await startPyftpdlib();
    const pool = new ClientPool(s.url, { ...opts, size: 1 });
    let release: (() => void) | undefined;
    const blocker = pool.run(() => new Promise<void>((r) => (release = r)));
    for (let i = 0; i < 500 && !release; i++) await new Promise((r) => setTimeout(r, 10));
    const queued = pool.run((c) => c.pwd());
    assert.equal(pool.pending, 1);
    await pool.close();
    await assert.rejects(queued, FtpError);
    await assert.rejects(pool.run((c) => c.pwd()), FtpError);
    release!();
    await blocker;
  });
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe("ClientPool after the server's idle timeout", () => {
  /** Two connections in use, left idle past the server's timeout, then six tasks. */
  async function idleThenWork(url: string, idleMs: number, keepAlive = 0) {
    const trace: string[] = [];
    await using pool = new ClientPool(url, { ...opts, size: 2, keepAlive, trace: (l) => trace.push(l) });
    const first = new Set<Client>();
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const busy = [0, 1].map(() => pool.run(async (c) => (first.add(c), await gate, c.pwd())));
    for (let i = 0; i < 500 && first.size < 2; i++) await sleep(10);
    release();
    await Promise.all(busy);
    await sleep(idleMs * 3); // The server closes both connections meanwhile (or keepalive holds them).
    const results = await Promise.allSettled(
      Array.from({ length: 6 }, (_, i) => pool.run((c) => c.uploadData(`task ${i}`, `idle${i}.txt`))),
    );
    const failures = results.filter((r) => r.status === "rejected").map((r) => String((r as PromiseRejectedResult).reason));
    assert.deepEqual(failures, []);
    const back = await pool.downloadData("idle5.txt");
    assert.equal(new TextDecoder().decode(back), "task 5");
    return { trace, first, pool };
  }

  it("our server (421 on idle timeout): the next tasks run without a failure", async () => {
    await using srv = await startServer({ users: [{ login: "u", password: "p" }], idleTimeout: 300, loginFailureDelay: 0 });
    const { trace } = await idleThenWork(`ftp://u:p@127.0.0.1:${srv.port}`, 300);
    assert.ok(trace.some((l) => l.startsWith("< 421")), "the server did time the connections out");
  });

  it("vsftpd (idle_session_timeout=1): the next tasks run without a failure", { skip: !havePeer("vsftpd") }, async () => {
    await using s = await startVsftpd({ extra: ["idle_session_timeout=1"] });
    await idleThenWork(s.url, 1000);
  });

  it("keepAlive sends NOOP on idle connections, so the server keeps them", async () => {
    await using srv = await startServer({ users: [{ login: "u", password: "p" }], idleTimeout: 400, loginFailureDelay: 0 });
    const { trace } = await idleThenWork(`ftp://u:p@127.0.0.1:${srv.port}`, 400, 100);
    assert.ok(trace.includes("> NOOP"), trace.join("\n"));
    assert.ok(!trace.some((l) => l.startsWith("< 421")), trace.join("\n"));
    assert.equal(trace.filter((l) => l.startsWith("> USER")).length, 2, "no connection was replaced");
  });
});
