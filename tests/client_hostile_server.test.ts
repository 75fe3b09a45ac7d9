// The client against a hostile server (issue 9): a file announced as 10 B that streams on and
// on, and a listing of 60 MB. In-memory downloads are bounded by default, downloads can be held
// to the announced size, and a listing costs memory for its entries, not for its bytes too.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import process from "node:process";
import { Client } from "../src/client/mod.ts";
import { FtpError } from "../src/errors.ts";
import { fileURLToPath } from "node:url";
import { guard, InstrumentedPathIO, putFile, PYTHON, repoFile, runTool, startServer } from "./_support/mod.ts";

/** Storage that announces 10 bytes for /liar.bin (SIZE, MLST, MLSD) but streams `actual`. */
class LyingPathIO extends InstrumentedPathIO {
  constructor(actual: number) {
    super();
    this.addVirtual("/liar.bin", actual);
  }
  override async stat(path: string) {
    const st = await super.stat(path);
    return path === "/liar.bin" ? { ...st, size: 10 } : st;
  }
}

const GIB = 1024 * 1024 * 1024;

describe("client against a 60 MB MLSD listing", () => {
  it("lists ~850,000 entries with less than 1 GB of extra RSS", async () => {
    const child = spawn(PYTHON, [repoFile("tests/fixtures/hostile_ftp_server.py"), "mlsd:60000000"], {
      stdio: ["ignore", "pipe", "inherit"],
    });
    try {
      const port = await guard(
        new Promise<number>((resolve, reject) => {
          let out = "";
          child.stdout!.on("data", (d) => {
            out += String(d);
            const m = /PORT (\d+)\n/.exec(out);
            if (m) resolve(Number(m[1]));
          });
          child.once("exit", (code) => reject(new Error(`hostile server exited with ${code}`)));
        }),
        "hostile server start",
      );
      // Measured in a fresh process of this runtime (see tests/_support/listing_probe.ts).
      const probe = fileURLToPath(new URL(`./_support/listing_probe.${import.meta.url.endsWith(".js") ? "js" : "ts"}`, import.meta.url));
      const g = globalThis as { Deno?: unknown; Bun?: unknown };
      const args = g.Deno !== undefined ? ["run", "-A", probe, String(port)] : [probe, String(port)];
      const run = await guard(runTool(process.execPath, args, { timeoutMs: 180_000 }), "listing probe", 200_000);
      assert.equal(run.code, 0, run.err);
      const { count, before, peak } = JSON.parse(run.out.trim().split("\n").pop()!);
      assert.ok(count > 800_000, `${count} entries`);
      const extra = peak - before;
      assert.ok(extra < 1e9, `the listing cost ${Math.round(extra / 1e6)} MB of RSS`);
    } finally {
      child.kill();
    }
  });
});

describe("client against a server that sends more than it announced", () => {
  it("downloadData stops at its default maxSize (256 MiB), and at the announced 10 B with stopAtSize", async () => {
    const storage = new LyingPathIO(GIB);
    await using srv = await startServer({ users: [{ login: "u", password: "p" }], storage, loginFailureDelay: 0 });
    await using client = await Client.connect(`ftp://u:p@127.0.0.1:${srv.port}`, { socketTimeout: 10_000, dataTimeout: 10_000 });
    await assert.rejects(
      guard(client.downloadData("/liar.bin", { stopAtSize: true }), "stopAtSize"),
      (e) => e instanceof FtpError && /announced/.test(e.message),
    );
    assert.ok(storage.pulled < GIB, `the server was stopped (${storage.pulled} bytes pulled)`);
    await assert.rejects(
      guard(client.downloadData("/liar.bin", { maxSize: 1024 * 1024 }), "maxSize"),
      (e) => e instanceof FtpError && /larger than 1048576 bytes/.test(e.message),
    );
    await assert.rejects(
      guard(client.downloadData("/liar.bin"), "default maxSize", 120_000),
      (e) => e instanceof FtpError && /larger than 268435456 bytes/.test(e.message),
    );
    // The client is still usable after each ABOR.
    assert.equal(await client.pwd(), "/");
  });

  it("download() with stopAtSize writes no more than the listing announced", async () => {
    const storage = new LyingPathIO(64 * 1024 * 1024);
    await putFile(storage, "/liar.bin", "12345"); // Listed with 5 bytes (RETR still streams 64 MiB).
    await using srv = await startServer({ users: [{ login: "u", password: "p" }], storage, loginFailureDelay: 0 });
    await using client = await Client.connect(`ftp://u:p@127.0.0.1:${srv.port}`, { socketTimeout: 10_000, dataTimeout: 10_000 });
    const local = mkdtempSync(join(tmpdir(), "anyftp-hostile-"));
    try {
      await assert.rejects(
        guard(client.download("/liar.bin", local, { stopAtSize: true }), "download"),
        (e) => e instanceof FtpError && /announced/.test(e.message),
      );
      assert.ok(statSync(join(local, "liar.bin")).size <= 10);
      await assert.rejects(
        guard(client.download("/", join(local, "tree"), { writeInto: true, stopAtSize: true }), "tree"),
        FtpError,
      );
      assert.ok(statSync(join(local, "tree/liar.bin")).size <= 10);
    } finally {
      rmSync(local, { recursive: true, force: true });
    }
  });
});
