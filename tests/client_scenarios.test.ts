// The client's side of the reference scenarios, and its safety and error behaviour, against
// real servers (pyftpdlib configured per scenario, vsftpd).
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Client, StalledStreamError } from "../src/client/mod.ts";
import { MemoryPathIO } from "../src/fs/memory_path_io.ts";
import {
  ConnectError,
  ConnectionClosedError,
  FtpError,
  FtpTimeoutError,
  InvalidCommandError,
  StatusCodeError,
} from "../src/errors.ts";
import { havePeer, type RealServer, skipIPv6, startAnyftp, startPyftpdlib, startServer, startVsftpd } from "./_support/mod.ts";

const opts = { socketTimeout: 10_000, dataTimeout: 10_000 };
const py = havePeer("pyftpdlib");
const vs = havePeer("vsftpd");

async function withServer<T>(
  start: Promise<RealServer>,
  fn: (s: RealServer) => Promise<T>,
): Promise<T> {
  await using s = await start;
  return await fn(s);
}

type Starter = (o: { disable?: readonly string[] }) => Promise<RealServer>;
const configurable: [string, Starter, boolean][] = [
  ["pyftpdlib", (o) => startPyftpdlib(o), py],
  ["anyftp", (o) => startAnyftp(o), true],
];
/** Every server the client is tested against: name, starter, available. */
const allServers = [
  ["pyftpdlib", startPyftpdlib, py],
  ["vsftpd", startVsftpd, vs],
  ["anyftp", startAnyftp, true],
] as const;
const refused = (e: unknown) => e instanceof StatusCodeError && /^50[02]$/.test(e.received);

for (const [name, start, ok] of configurable) {
  describe(`MLSD/MLST disabled on ${name}: fallback to LIST`, { skip: !ok }, () => {
    it("lists and stats with the right types", async () => {
      await withServer(start({ disable: ["MLSD", "MLST"] }), async (s) => {
        mkdirSync(join(s.root, "d/sub"), { recursive: true });
        writeFileSync(join(s.root, "d/f.txt"), "hello");
        await using c = await Client.connect(s.url, opts);
        // The server really lacks them.
        await assert.rejects(c.command("MLST d"), refused);
        const entries = await c.list("d");
        assert.deepEqual(entries.map((e) => [e.name, e.type]).sort(), [["f.txt", "file"], [
          "sub",
          "dir",
        ]]);
        assert.equal(entries.find((e) => e.name === "f.txt")?.size, 5);
        assert.equal((await c.stat("d/f.txt")).type, "file");
        assert.equal((await c.stat("d/sub")).type, "dir");
        assert.equal(await c.isDir("d/sub"), true);
        assert.equal(await c.exists("d/none"), false);
        await assert.rejects(c.list("d", { command: "MLSD" }).toArray(), refused);
      });
    });
  });

  describe(`EPSV refused by ${name}: fallback to PASV; EPRT refused: fallback to PORT`, {
    skip: !ok,
  }, () => {
    it("passive transfers work through PASV", async () => {
      await withServer(start({ disable: ["EPSV"] }), async (s) => {
        await using c = await Client.connect(s.url, opts);
        await assert.rejects(c.command("EPSV"), refused);
        const data = new Uint8Array(randomBytes(100_000));
        await c.uploadData(data, "p.bin");
        assert.deepEqual(await c.downloadData("p.bin"), data);
        assert.equal((await c.list()).length, 1);
      });
    });
    it("active transfers work through PORT", async () => {
      await withServer(start({ disable: ["EPRT"] }), async (s) => {
        await using c = await Client.connect(s.url, { ...opts, mode: "active" });
        const data = new Uint8Array(randomBytes(100_000));
        await c.uploadData(data, "a.bin");
        assert.deepEqual(await c.downloadData("a.bin"), data);
      });
    });
  });
}

for (const [name, start, ok] of allServers) {
  describe(`ABOR against ${name}`, { skip: !ok }, () => {
    for (const mode of ["passive", "active"] as const) {
      it(`abort() during a RETR (${mode}): the stream errors, the client stays usable`, async () => {
        await withServer(start(), async (s) => {
          writeFileSync(join(s.root, "huge.bin"), randomBytes(32 * 1024 * 1024));
          await using c = await Client.connect(s.url, { ...opts, mode });
          const stream = await c.downloadStream("huge.bin");
          const reader = stream.getReader();
          const first = await reader.read();
          assert.equal(first.done, false);
          // Queued behind the transfer: runs once ABOR has settled things.
          const pwd = c.pwd();
          await c.abort();
          await assert.rejects(
            (async () => {
              for (let i = 0; i < 100_000; i++) if ((await reader.read()).done) break;
            })(),
            (e: Error) => e.name === "AbortError",
          );
          assert.equal(typeof await pwd, "string");
          writeFileSync(join(s.root, "small.txt"), "still in sync");
          assert.equal(
            new TextDecoder().decode(await c.downloadData("small.txt")),
            "still in sync",
          );
        });
      });
    }
    it("an AbortSignal aborts a download and an upload", async () => {
      await withServer(start(), async (s) => {
        writeFileSync(join(s.root, "huge.bin"), randomBytes(32 * 1024 * 1024));
        await using c = await Client.connect(s.url, opts);
        const ac = new AbortController();
        const stream = await c.downloadStream("huge.bin", { signal: ac.signal });
        const reader = stream.getReader();
        await reader.read();
        ac.abort(new Error("user gave up"));
        await assert.rejects(
          (async () => {
            for (let i = 0; i < 100_000; i++) if ((await reader.read()).done) break;
          })(),
          /user gave up/,
        );
        const up = new AbortController();
        const sink = await c.uploadStream("partial.bin", { signal: up.signal });
        const writer = sink.getWriter();
        await writer.write(new Uint8Array(64 * 1024));
        up.abort();
        await assert.rejects(
          writer.write(new Uint8Array(10)),
          (e: Error) => e.name === "AbortError",
        );
        assert.equal(await c.exists("huge.bin"), true);
        const sink2 = await c.uploadStream("after.txt");
        const w2 = sink2.getWriter();
        await w2.write(new TextEncoder().encode("ok"));
        await w2.close();
        assert.equal(await c.size("after.txt"), 2);
      });
    });
    it("abort() with nothing to abort is acknowledged", async () => {
      await withServer(start(), async (s) => {
        await using c = await Client.connect(s.url, opts);
        await c.abort();
        assert.equal(typeof await c.pwd(), "string");
      });
    });
  });
}

/** How `p` settles, or an error saying it still had not after `ms` (a hang, bounded). */
function settleWithin(p: Promise<unknown>, ms: number): Promise<unknown> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  return Promise.race([
    p.then((v) => ({ resolved: v }), (e) => e),
    new Promise((resolve) => {
      timer = setTimeout(() => resolve(new Error(`still waiting after ${ms} ms: it hangs`)), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}

const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

for (const [name, start, ok] of allServers) {
  describe(`a command queued behind a transfer stream (${name})`, { skip: !ok }, () => {
    const dataTimeout = 600;
    it("fails with StalledStreamError when nobody consumes the stream, which stays usable", async () => {
      await withServer(start(), async (s) => {
        const data = new Uint8Array(randomBytes(2 * 1024 * 1024));
        writeFileSync(join(s.root, "big.bin"), data);
        await using c = await Client.connect(s.url, { socketTimeout: 10_000, dataTimeout });
        // A download stream nobody reads holds the client: SIZE cannot run.
        const download = await c.downloadStream("big.bin");
        const err = await settleWithin(c.size("big.bin"), 20 * dataTimeout);
        assert.ok(err instanceof StalledStreamError, String(err));
        assert.equal(err.transferCommand, "RETR big.bin");
        assert.equal(err.timeoutMs, dataTimeout);
        assert.match(err.message, /RETR big\.bin.*consume or cancel/is);
        // Nothing was sent for SIZE: the stream and the channel are intact.
        assert.deepEqual(new Uint8Array(await new Response(download).arrayBuffer()), data);
        assert.equal(await c.size("big.bin"), data.byteLength);
        // An upload stream left open after one write holds the client the same way.
        const writer = (await c.uploadStream("up.bin")).getWriter();
        await writer.write(data.subarray(0, 1000));
        const err2 = await settleWithin(c.pwd(), 20 * dataTimeout);
        assert.ok(err2 instanceof StalledStreamError, String(err2));
        assert.equal(err2.transferCommand, "STOR up.bin");
        await writer.write(data.subarray(1000, 5000));
        await writer.close();
        assert.equal(await c.size("up.bin"), 5000);
        // A stream left unread and then cancelled frees the client for the queued command.
        const dropped = await c.downloadStream("big.bin");
        const queued = c.size("up.bin").then((n) => ({ n }), (e) => ({ e }));
        await dropped.cancel();
        assert.deepEqual(await queued, { n: 5000 });
      });
    });
    it("waits for a stream that is being consumed, however slowly", async () => {
      await withServer(start(), async (s) => {
        const data = new Uint8Array(randomBytes(8 * 1024 * 1024));
        writeFileSync(join(s.root, "big.bin"), data);
        await using c = await Client.connect(s.url, { socketTimeout: 10_000, dataTimeout });
        const reader = (await c.downloadStream("big.bin")).getReader();
        const queued = c.size("big.bin").then((n) => ({ n }), (e) => ({ e }));
        let bytes = 0;
        let slowReads = 0;
        // Reads a fifth of the stall limit apart, for longer than the limit in total.
        for (; slowReads < 7; slowReads++) {
          await pause(dataTimeout / 5);
          const r = await reader.read();
          if (r.done) break;
          bytes += r.value.byteLength;
        }
        assert.equal(slowReads, 7, "the file was too small to read slowly");
        for (let i = 0; i < 100_000; i++) {
          const r = await reader.read();
          if (r.done) break;
          bytes += r.value.byteLength;
        }
        assert.equal(bytes, data.byteLength);
        assert.deepEqual(await queued, { n: data.byteLength });
      });
    });
  });
}

describe("safety: arguments with CR, LF or NUL are refused before sending", { skip: !py }, () => {
  it("refuses the command and sends nothing", async () => {
    await withServer(startPyftpdlib(), async (s) => {
      writeFileSync(join(s.root, "a"), "a");
      writeFileSync(join(s.root, "b"), "b");
      await using c = await Client.connect(s.url, opts);
      await assert.rejects(c.removeFile("a\r\nDELE b"), InvalidCommandError);
      await assert.rejects(c.removeFile("a\nDELE b"), InvalidCommandError);
      await assert.rejects(c.mkdir("x\0y"), InvalidCommandError);
      await assert.rejects(c.uploadData("z", "c\rDELE b"), InvalidCommandError);
      await assert.rejects(c.command("NOOP\r\nDELE b"), InvalidCommandError);
      await assert.rejects(c.list("a\r\nDELE b").toArray(), InvalidCommandError);
      assert.ok(existsSync(join(s.root, "a")) && existsSync(join(s.root, "b")));
      assert.equal(await c.exists("b"), true); // the channel is in sync
    });
  });
  it("a password with CR/LF is refused and never shown", async () => {
    await withServer(startPyftpdlib(), async (s) => {
      await assert.rejects(
        Client.connect(
          { host: s.host, port: s.port, user: s.user, password: "hunter2\r\nDELE b" },
          opts,
        ),
        (e) =>
          e instanceof InvalidCommandError && !e.message.includes("hunter2") &&
          e.message.includes("PASS"),
      );
    });
  });
});

describe("safety: the data connection goes to the control peer", { skip: !py }, () => {
  it("a PASV reply naming another host is ignored unless allowed", async () => {
    await withServer(startPyftpdlib({ disable: ["EPSV"], masquerade: "127.0.0.2" }), async (s) => {
      writeFileSync(join(s.root, "f"), "data");
      await using c = await Client.connect(s.url, opts);
      const reply = await c.command("PASV");
      assert.match(reply.lines[0]!, /127,0,0,2/);
      assert.equal(new TextDecoder().decode(await c.downloadData("f")), "data");
      await using risky = await Client.connect(s.url, { ...opts, allowForeignPassiveHost: true });
      await assert.rejects(risky.downloadData("f"), ConnectError);
    });
  });
});

describe("safety: replies and listings are size-bounded", { skip: !py }, () => {
  it("a greeting with too many lines is refused", async () => {
    const banner = Array.from({ length: 500 }, (_, i) => `line ${i}`).join("\n");
    await withServer(startPyftpdlib({ banner }), async (s) => {
      await using c = await Client.connect(s.url, opts);
      assert.ok(c.connected);
      await assert.rejects(
        Client.connect(s.url, { ...opts, maxReplyLines: 100 }),
        (e) => e instanceof FtpError && /longer than 100 lines/.test(e.message),
      );
    });
  });
  it("a reply line over the limit is refused", async () => {
    await withServer(startPyftpdlib({ banner: "x".repeat(20_000) }), async (s) => {
      await assert.rejects(
        Client.connect(s.url, opts),
        (e) => e instanceof FtpError && /reply line of 200\d\d bytes/.test(e.message),
      );
    });
  });
  it("a listing over maxListingBytes is aborted and the client stays usable", async () => {
    await withServer(startPyftpdlib(), async (s) => {
      for (let i = 0; i < 200; i++) writeFileSync(join(s.root, `file-${i}.txt`), "");
      await using c = await Client.connect(s.url, { ...opts, maxListingBytes: 2000 });
      await assert.rejects(
        c.list("").toArray(),
        (e) => e instanceof FtpError && /exceeds 2000 bytes/.test(e.message),
      );
      assert.equal(await c.size("file-1.txt"), 0);
    });
  });
});

describe("safety: a directory download never writes outside its target", { skip: !py }, () => {
  it("skips hostile names listed by the server", async () => {
    const outside = mkdtempSync(join(tmpdir(), "anyftp-outside-"));
    const evil = join(outside, "abs-evil.txt");
    const hostile = [
      "../escape.txt",
      "../../escape2.txt",
      evil,
      "a\\..\\..\\b.txt",
      "nul\0name",
      "..",
      "C:evil",
    ];
    await withServer(
      startPyftpdlib({
        injectListing: hostile.map((n) =>
          [
            `type=file;size=4;modify=20240101000000; ${n}`,
            `-rw-r--r--   1 root root 4 Jan 01  2024 ${n}`,
          ] as const
        ),
      }),
      async (s) => {
        mkdirSync(join(s.root, "dir/sub"), { recursive: true });
        writeFileSync(join(s.root, "dir/ok.txt"), "good");
        writeFileSync(join(s.root, "dir/sub/deep.txt"), "deep");
        // Make the hostile names retrievable on the server, so only the client stands between them and the disk.
        writeFileSync(join(s.root, "escape.txt"), "evil");
        writeFileSync(join(s.root, "dir/a\\..\\..\\b.txt"), "evil");
        const local = mkdtempSync(join(tmpdir(), "anyftp-dl-"));
        try {
          for (const command of [undefined, "LIST"] as const) {
            await using c = await Client.connect(s.url, opts);
            const listed = (await c.list("dir", command ? { command } : {})).map((e) => e.name);
            assert.ok(
              listed.includes("../escape.txt"),
              `the server lists hostile names (${command ?? "MLSD"})`,
            );
            const target = join(local, command ?? "mlsd", "target");
            await c.download("dir", target, { writeInto: true });
            assert.deepEqual(readdirSync(target).sort(), ["ok.txt", "sub"]);
            assert.deepEqual(readdirSync(join(target, "sub")), ["deep.txt"]);
            assert.deepEqual(readdirSync(join(local, command ?? "mlsd")), ["target"]);
            assert.deepEqual(
              readdirSync(local).filter((n) => n.includes("escape") || n.includes("b.txt")),
              [],
            );
            assert.equal(existsSync(evil), false);
          }
          // Recursive remove leaves the hostile names alone too.
          rmSync(join(s.root, "dir/a\\..\\..\\b.txt"));
          await using c = await Client.connect(s.url, opts);
          await c.remove("dir");
          assert.equal(existsSync(join(s.root, "dir")), false);
          assert.equal(existsSync(join(s.root, "escape.txt")), true);
        } finally {
          rmSync(local, { recursive: true, force: true });
          rmSync(outside, { recursive: true, force: true });
        }
      },
    );
  });
});

describe("one command at a time: concurrent calls are queued", { skip: !py }, () => {
  it("runs 30 concurrent mixed operations correctly", async () => {
    await withServer(startPyftpdlib(), async (s) => {
      await using c = await Client.connect(s.url, opts);
      const files = Array.from({ length: 10 }, (_, i) => new Uint8Array(randomBytes(10_000 + i)));
      await Promise.all(files.map((f, i) => c.uploadData(f, `q${i}.bin`)));
      const results = await Promise.all([
        ...files.map((_, i) => c.downloadData(`q${i}.bin`)),
        ...files.map((_, i) => c.size(`q${i}.bin`)),
        ...files.map(() => c.list("")),
      ]);
      files.forEach((f, i) => {
        assert.deepEqual(results[i], f);
        assert.equal(results[10 + i], f.length);
        assert.equal((results[20 + i] as unknown[]).length, 10);
      });
    });
  });
});

describe("typed errors", () => {
  it(
    "StatusCodeError carries codes, the censored command and the server text",
    { skip: !py },
    async () => {
      await withServer(startPyftpdlib(), async (s) => {
        await assert.rejects(
          Client.connect(
            { host: s.host, port: s.port, user: s.user, password: "wrong-secret" },
            opts,
          ),
          (e) =>
            e instanceof StatusCodeError && e.received === "530" && e.command === "PASS ********" &&
            e.expected.includes("230") && e.info.join(" ").length > 0 &&
            !e.message.includes("wrong-secret"),
        );
        await using c = await Client.connect(s.url, opts);
        await assert.rejects(
          c.removeFile("missing.txt"),
          (e) =>
            e instanceof StatusCodeError && e.received === "550" &&
            e.command === "DELE missing.txt" &&
            e.expected.includes("250"),
        );
      });
    },
  );
  it("ConnectError when nothing listens", async () => {
    const port = await new Promise<number>((resolve) => {
      const srv = createServer().listen(0, "127.0.0.1", () => {
        const p = (srv.address() as { port: number }).port;
        srv.close(() => resolve(p));
      });
    });
    await assert.rejects(Client.connect(`ftp://127.0.0.1:${port}`, opts), ConnectError);
  });
  it("FtpTimeoutError when the server never greets", async () => {
    // A socket that accepts and stays silent: the only way to see a greeting timeout.
    const sockets: { destroy(): void }[] = [];
    const silent: Server = createServer((sock) => sockets.push(sock));
    await new Promise<void>((r) => silent.listen(0, "127.0.0.1", r));
    const port = (silent.address() as { port: number }).port;
    try {
      await assert.rejects(
        Client.connect(`ftp://127.0.0.1:${port}`, { socketTimeout: 300 }),
        FtpTimeoutError,
      );
    } finally {
      for (const s of sockets) s.destroy();
      await new Promise((r) => silent.close(r));
    }
  });
  it("ConnectionClosedError when the server goes away", { skip: !py }, async () => {
    const s = await startPyftpdlib();
    const c = await Client.connect(s.url, opts);
    await s.close();
    await assert.rejects(c.pwd(), ConnectionClosedError);
    c.close();
  });
});

describe("speed limits", () => {
  it("readSpeedLimit and writeSpeedLimit cap the average rate", async () => {
    await withServer(startAnyftp(), async (s) => {
      const limit = 4 * 1024 * 1024;
      await using c = await Client.connect(s.url, {
        ...opts,
        readSpeedLimit: limit,
        writeSpeedLimit: limit,
      });
      const data = new Uint8Array(randomBytes(3 * 1024 * 1024));
      let up = 0;
      await c.uploadData(data, "slow.bin", { onProgress: (p) => (up = p.rate) });
      let down = 0;
      const got = await c.downloadData("slow.bin", { onProgress: (p) => (down = p.rate) });
      assert.deepEqual(got, data);
      // The bucket allows a burst of a tenth of a second's worth, so the average stays
      // close to the limit; unthrottled loopback runs at hundreds of MB/s.
      assert.ok(up > 0 && up < limit * 1.3, `upload rate ${up}`);
      assert.ok(down > 0 && down < limit * 1.3, `download rate ${down}`);
    });
  });
});

describe("custom LIST parser, first or last", { skip: !py }, () => {
  it("parses lines the built-in parsers don't know, in the chosen order", async () => {
    await withServer(
      startPyftpdlib({ injectListing: [["", "CUSTOM weird.dat 42"]] }),
      async (s) => {
        writeFileSync(join(s.root, "plain.txt"), "abc");
        const custom = (line: string) => {
          const m = /^CUSTOM (\S+) (\d+)$/.exec(line);
          if (m) return { name: m[1]!, type: "file" as const, size: Number(m[2]), facts: {} };
          // Claims every other line too, to tell "first" from "last".
          return { name: `custom:${line.slice(-9)}`, type: "other" as const, facts: {} };
        };
        await using plain = await Client.connect(s.url, opts);
        assert.deepEqual((await plain.list("", { command: "LIST" })).map((e) => e.name), [
          "plain.txt",
        ]);
        await using last = await Client.connect(s.url, {
          ...opts,
          listParser: custom,
          listParserOrder: "last",
        });
        const l = await last.list("", { command: "LIST" });
        assert.deepEqual(l.map((e) => [e.name, e.type, e.size]), [["plain.txt", "file", 3], [
          "weird.dat",
          "file",
          42,
        ]]);
        await using first = await Client.connect(s.url, { ...opts, listParser: custom });
        const f = await first.list("", { command: "LIST" });
        assert.deepEqual(f.map((e) => e.name), ["custom:plain.txt", "weird.dat"]);
      },
    );
  });
});

describe("encoding option", () => {
  it("speaks Latin-1 to a Latin-1 server", async () => {
    const { Server } = await import("../src/server/server.ts");
    const { LocalPathIO } = await import("../src/fs/local_path_io.ts");
    const root = mkdtempSync(join(tmpdir(), "anyftp-latin1-"));
    const server = new Server({
      users: [{ login: "u", password: "p" }],
      storage: new LocalPathIO({ root }),
      encoding: "latin1",
    });
    const addr = await server.listen({ hostname: "127.0.0.1", port: 0 });
    try {
      await using c = await Client.connect(`ftp://u:p@127.0.0.1:${addr.port}`, {
        ...opts,
        encoding: "latin1",
      });
      await c.uploadData("x", "café ñ.txt");
      assert.ok(existsSync(join(root, "café ñ.txt")));
      assert.deepEqual((await c.list("")).map((e) => e.name), ["café ñ.txt"]);
      assert.equal(await c.size("café ñ.txt"), 1);
    } finally {
      await server.close({ timeout: 2000 });
      rmSync(root, { recursive: true, force: true });
    }
  });
});

describe("data timeout", { skip: !py }, () => {
  it("a stalled download fails with FtpTimeoutError and the client stays usable", async () => {
    await withServer(startPyftpdlib({ slowRetr: 1.5 }), async (s) => {
      writeFileSync(join(s.root, "stall.bin"), randomBytes(64 * 1024));
      await using c = await Client.connect(s.url, { socketTimeout: 10_000, dataTimeout: 300 });
      const err = await c.downloadData("stall.bin").then(() => undefined, (e) => e);
      assert.ok(err instanceof FtpTimeoutError, String(err));
      assert.equal(typeof await c.pwd(), "string");
    });
  });
});

describe("IPv6", () => {
  it("EPSV and EPRT over ::1 with our server (PASV/PORT cannot carry IPv6)", { skip: skipIPv6 }, async () => {
    await using server = await startServer({ users: [{ login: "u", password: "p" }] }, "::1");
    const addr = { port: server.port };
    {
      for (const mode of ["passive", "active"] as const) {
        await using c = await Client.connect({
          host: "::1",
          port: addr.port,
          user: "u",
          password: "p",
        }, {
          ...opts,
          mode,
        });
        const data = new Uint8Array(randomBytes(200_000));
        await c.uploadData(data, `/v6-${mode}.bin`);
        assert.deepEqual(await c.downloadData(`/v6-${mode}.bin`), data);
      }
      await using url = await Client.connect(`ftp://u:p@[::1]:${addr.port}`, opts);
      assert.equal((await url.list("/")).length, 2);
    }
  });
});

describe("ABOR during a slow MLSD", { skip: !py }, () => {
  it("an AbortSignal aborts the listing; the client stays usable", async () => {
    await withServer(startPyftpdlib({ slowRetr: 0.2 }), async (s) => {
      for (let i = 0; i < 400; i++) {
        writeFileSync(join(s.root, `entry-with-a-long-name-${i}.txt`), "");
      }
      await using c = await Client.connect(s.url, opts);
      const ac = new AbortController();
      const listing = c.list("", { signal: ac.signal }).toArray();
      setTimeout(() => ac.abort(), 100);
      await assert.rejects(listing, (e: Error) => e.name === "AbortError");
      assert.equal(await c.size("entry-with-a-long-name-7.txt"), 0);
    });
  });
});

describe("tree download: a local write failure is reported", () => {
  it("throws the sink's close error, closes every file, and the client stays usable", async () => {
    await withServer(startAnyftp(), async (s) => {
      mkdirSync(join(s.root, "t"));
      for (const n of ["a", "b", "c", "d"]) writeFileSync(join(s.root, "t", `${n}.bin`), n);
      // One memory storage per target directory (the client roots its PathIO there).
      const roots = new Map<string, MemoryPathIO>();
      const memoryFor = (root: string) => {
        if (!roots.has(root)) roots.set(root, new MemoryPathIO());
        return roots.get(root)!;
      };
      let open = 0;
      let failOn = "/b.bin";
      // The local storage: memory, whose sink for `failOn` fails when closed (a deferred
      // ENOSPC, say); every sink counts itself open until closed or aborted.
      const failing = (memory: MemoryPathIO) => new Proxy(memory, {
        get(target, key) {
          if (key !== "openWrite") {
            const v = Reflect.get(target, key, target);
            return typeof v === "function" ? v.bind(target) : v;
          }
          return async (path: string, o?: Parameters<MemoryPathIO["openWrite"]>[1]) => {
            const inner = (await target.openWrite(path, o)).getWriter();
            open++;
            return new WritableStream<Uint8Array>({
              write: (chunk) => inner.write(chunk),
              async close() {
                open--;
                await inner.close();
                if (path === failOn) throw new Error(`disk full writing ${path}`);
              },
              async abort(reason) {
                open--;
                await inner.abort(reason);
              },
            });
          };
        },
      });
      await using c = await Client.connect(s.url, {
        ...opts,
        localFs: (root) => failing(memoryFor(root)),
      });
      await assert.rejects(
        c.download("t", "/x", { writeInto: true }),
        /disk full writing \/b\.bin/,
      );
      assert.equal(open, 0);
      failOn = "/d.bin"; // The last file: its close is the one awaited at the end.
      await assert.rejects(c.download("t", "/y", { writeInto: true }), /disk full writing \/d\.bin/);
      assert.equal(open, 0);
      failOn = "";
      await c.download("t", "/z", { writeInto: true });
      assert.equal(open, 0);
      const names = [];
      for await (const e of memoryFor("/z").list("/")) names.push(e.name);
      assert.deepEqual(names.sort(), ["a.bin", "b.bin", "c.bin", "d.bin"]);
      assert.equal(await c.pwd(), "/");
    });
  });
});
