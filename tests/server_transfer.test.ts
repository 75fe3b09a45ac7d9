/**
 * Server data transfers: ABOR (including the urgent-data forms real clients send), control
 * commands during a transfer, client disconnects, bounded memory, throttles, graceful close.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import {
  bytes,
  Control,
  guard,
  InstrumentedPathIO,
  putFile,
  readAll,
  settle,
  startMemoryServer,
  startServer,
  text,
  waitFor,
} from "./_support/mod.ts";

const MiB = 1024 * 1024;

/**
 * A server with a virtual `/big` file: over the in-memory network by default (deterministic,
 * no ports), over the runtime's loopback adapter for the one scenario run on real sockets.
 */
async function setup(size = 256 * MiB, options = {}, network: "memory" | "loopback" = "memory") {
  const storage = new InstrumentedPathIO();
  storage.addVirtual("/big", size);
  const start = network === "memory" ? startMemoryServer : startServer;
  const srv = await start({ users: [{ login: "u", password: "p" }], storage, ...options });
  return { srv, storage };
}

describe("server: ABOR", () => {
  for (
    const [name, abor] of [
      ["plain ABOR", bytes("ABOR\r\n")],
      ["ftplib's urgent ABOR (the LF is lost)", bytes("ABOR\r")],
      ["Telnet IP + Synch before ABOR", new Uint8Array([0xff, 0xf4, 0xff, 0xf2, ...bytes("ABOR\r\n")])],
      ["lftp's IAC IP IAC with the DM lost", new Uint8Array([0xff, 0xf4, 0xff, ...bytes("ABOR\r\n")])],
    ] as const
  ) {
    it(`${name} during a RETR the client does not read: 426 then 226, session usable`, async () => {
      const { srv, storage } = await setup();
      await using _ = srv;
      await using c = await Control.login(srv, "u", "p");
      await c.expect("TYPE I", "200");
      const data = await c.passive();
      await c.expect("RETR big", "150");
      await settle(() => storage.pulled); // the pipe is stuck on backpressure
      await c.sendRaw(abor);
      assert.equal((await c.reply()).code, "426");
      assert.equal((await c.reply()).code, "226");
      // The data connection is gone on the server side.
      await guard(readAll(data.readable).catch(() => new Uint8Array()), "data connection end");
      data.close();
      await waitFor(() => storage.openReads === 0, "storage stream closed");
      assert.ok(storage.pulled < 256 * MiB);
      // ftplib sends the next command right after; make sure the line after a bare CR parses.
      assert.equal((await c.cmd("NOOP")).code, "200");
      const t = srv.events.find((e) => e.type === "transfer");
      assert.ok(t && t.type === "transfer" && !t.ok && t.code === "426");
    });
  }

  it("ABOR during an MLSD/LIST of a huge directory that is not read", async () => {
    const { srv, storage } = await setup();
    await using _ = srv;
    for (let i = 0; i < 3000; i++) await storage.mkdir(`/dir${String(i).padStart(5, "0")}-${"x".repeat(100)}`);
    await using c = await Control.login(srv, "u", "p");
    for (const cmd of ["MLSD", "LIST"]) {
      const data = await c.passive();
      await c.expect(cmd, "150");
      await new Promise((r) => setTimeout(r, 50));
      await c.send("ABOR");
      const first = await c.reply();
      if (first.code === "226") {
        // The listing fit in the socket buffers and completed before ABOR: RFC 959 says 226 once.
        const second = await c.reply();
        assert.equal(second.code, "226");
      } else {
        assert.equal(first.code, "426");
        assert.equal((await c.reply()).code, "226");
      }
      data.close();
    }
    assert.equal((await c.cmd("NOOP")).code, "200");
  });
});

describe("server: control commands during a transfer", () => {
  it("NOOP and STAT are answered while data flows; other commands wait for the 226", async () => {
    const { srv, storage } = await setup(32 * MiB);
    await using _ = srv;
    await using c = await Control.login(srv, "u", "p");
    await c.expect("TYPE I", "200");
    const data = await c.passive();
    await c.expect("RETR big", "150");
    await settle(() => storage.pulled);
    assert.equal((await c.cmd("NOOP")).code, "200");
    const stat = await c.cmd("STAT");
    assert.equal(stat.code, "211");
    assert.ok(stat.lines.some((l) => /RETR \/big: \d+ bytes transferred/.test(l)), stat.lines.join("|"));
    await c.send("PWD"); // must not be answered before the transfer ends
    const got = await guard(readAll(data.readable), "reading data");
    assert.equal(got.length, 32 * MiB);
    for (const i of [0, 1, 255, 256, 1000, got.length - 1]) assert.equal(got[i], i & 255);
    assert.equal((await c.reply()).code, "226");
    assert.equal((await c.reply()).code, "257");
  });
});

describe("server: client going away", () => {
  it("closing the data connection mid-RETR gives 426; the session and other sessions go on", async () => {
    const { srv, storage } = await setup();
    await using _ = srv;
    await putFile(storage, "/small", "x");
    await using other = await Control.login(srv, "u", "p");
    await using c = await Control.login(srv, "u", "p");
    const data = await c.passive();
    await c.expect("RETR big", "150");
    await settle(() => storage.pulled);
    data.close();
    assert.equal((await c.reply()).code, "426");
    await waitFor(() => storage.openReads === 0, "storage stream closed");
    assert.equal((await c.cmd("NOOP")).code, "200");
    assert.equal((await other.cmd("NOOP")).code, "200");
    assert.equal(text((await other.download("NLST")).data), "small\r\n");
  });

  it("dropping the control connection mid-transfer frees the session, data socket and storage stream", async () => {
    const { srv, storage } = await setup();
    await using _ = srv;
    for (let round = 0; round < 5; round++) {
      const c = await Control.login(srv, "u", "p");
      const data = await c.passive();
      await c.expect("RETR big", "150");
      await settle(() => storage.pulled, 20, 3);
      c.close();
      await waitFor(() => srv.server.connections === 0, "session closed");
      await waitFor(() => storage.openReads === 0, "storage stream closed");
      // The server closed its end of the data connection.
      await guard(readAll(data.readable).catch(() => new Uint8Array()), "data connection end");
      data.close();
    }
    const closes = srv.events.filter((e) => e.type === "session-close");
    assert.equal(closes.length, 5);
    const other = await Control.login(srv, "u", "p");
    assert.equal((await other.cmd("NOOP")).code, "200");
    other.close();
  });
});

describe("server: memory stays bounded", () => {
  it("a RETR to a client that does not read pulls only a bounded amount from storage", async () => {
    const { srv, storage } = await setup(1024 * MiB);
    await using _ = srv;
    await using c = await Control.login(srv, "u", "p");
    await c.expect("TYPE I", "200");
    const data = await c.passive();
    await c.expect("RETR big", "150");
    const pulled = await settle(() => storage.pulled);
    // Socket buffers (a few MiB on loopback) plus a chunk or two in the stream queues.
    assert.ok(pulled < 32 * MiB, `pulled ${pulled} bytes of a 1 GiB file from a stalled client`);
    data.close();
    assert.equal((await c.reply()).code, "426");
  });

  it("a STOR into a storage that does not accept data reads only a bounded amount from the socket", async () => {
    const { srv, storage } = await setup();
    await using _ = srv;
    storage.gate("/slow");
    await using c = await Control.login(srv, "u", "p");
    await c.expect("TYPE I", "200");
    const data = await c.passive();
    await c.expect("STOR slow", "150");
    const writer = data.writable.getWriter();
    let sent = 0;
    const chunk = new Uint8Array(MiB);
    const pump = (async () => {
      try {
        for (let i = 0; i < 256; i++) {
          await writer.write(chunk);
          sent += chunk.length;
        }
        await writer.close();
      } catch {
        // the server closed the data connection (after ABOR)
      }
    })();
    await settle(() => sent);
    const stat = await c.cmd("STAT");
    const m = /STOR \/slow: (\d+) bytes/.exec(stat.lines.join("\n"));
    assert.ok(m, stat.lines.join("|"));
    const readByServer = Number(m[1]);
    assert.ok(readByServer < 16 * MiB, `server read ${readByServer} bytes while storage accepted none`);
    assert.ok(sent < 64 * MiB, `client could push ${sent} bytes`);
    assert.equal(storage.received, 0);
    storage.release("/slow");
    await guard(pump, "upload pump");
    assert.equal((await c.reply()).code, "226");
    assert.equal(storage.received, 256 * MiB);
    data.close();
  });
});

describe("server: speed limits", () => {
  it("a per-connection download limit slows the transfer", async () => {
    const { srv, storage } = await setup(0, { speedLimits: { downloadPerConnection: 200_000 } });
    await using _ = srv;
    storage.addVirtual("/f", 300_000);
    await using c = await Control.login(srv, "u", "p");
    await c.expect("TYPE I", "200");
    const got = await c.download("RETR f");
    assert.equal(got.data.length, 300_000);
    const t = srv.events.find((e) => e.type === "transfer");
    assert.ok(t && t.type === "transfer");
    // 300 kB at 200 kB/s with a 20 kB burst: at least ~1.4 s; allow generous slack below.
    assert.ok(t.durationMs >= 1000, `took ${t.durationMs} ms, the limit was not applied`);
  });

  it("a per-user limit is shared by the user's sessions", async () => {
    const storage = new InstrumentedPathIO();
    storage.addVirtual("/f", 150_000);
    await using srv = await startMemoryServer({
      users: [{ login: "u", password: "p", speedLimits: { download: 200_000 } }],
      storage,
    });
    await using a = await Control.login(srv, "u", "p");
    await using b = await Control.login(srv, "u", "p");
    await a.expect("TYPE I", "200");
    await b.expect("TYPE I", "200");
    const started = performance.now();
    const [ra, rb] = await Promise.all([a.download("RETR f"), b.download("RETR f")]);
    const took = performance.now() - started;
    assert.equal(ra.data.length + rb.data.length, 300_000);
    assert.ok(took >= 1000, `two sessions moved 300 kB in ${took} ms despite a shared 200 kB/s limit`);
  });
});

describe("server: concurrency and shutdown", () => {
  // The one scenario of this file also run over the runtime's real sockets.
  for (const network of ["memory", "loopback"] as const) {
    it(`serves many clients at once, each with correct data (${network})`, async () => {
      const { srv, storage } = await setup(3 * MiB + 17, {}, network);
      await using _ = srv;
      const clients = await Promise.all(Array.from({ length: 12 }, () => Control.login(srv, "u", "p")));
      try {
        const results = await Promise.all(clients.map(async (c, i) => {
          await c.expect("TYPE I", "200");
          if (i % 2) {
            const payload = new Uint8Array(200_000 + i).fill(i);
            await c.upload(`STOR up${i}`, payload);
            const back = await c.download(`RETR up${i}`);
            return back.data.length === payload.length && back.data.every((x) => x === i);
          }
          const got = await c.download("RETR big");
          return got.data.length === 3 * MiB + 17 && got.data[12345] === (12345 & 255);
        }));
        assert.deepEqual(results, results.map(() => true));
        assert.ok(storage.pulled >= 6 * (3 * MiB));
      } finally {
        for (const c of clients) c.close();
      }
    });
  }

  // The two close() cases stay on real sockets: the in-memory network drops what a closed
  // connection still had queued, so the last reply (421/426) would not arrive there.
  it("close() lets a running transfer finish, then says 421 and closes", async () => {
    const { srv } = await setup(8 * MiB, {}, "loopback");
    await using c = await Control.login(srv, "u", "p");
    await using idle = await Control.login(srv, "u", "p");
    await c.expect("TYPE I", "200");
    const data = await c.passive();
    await c.expect("RETR big", "150");
    const closing = srv.server.close({ timeout: 10_000 });
    assert.equal((await idle.reply()).code, "421");
    const got = await guard(readAll(data.readable), "data");
    assert.equal(got.length, 8 * MiB);
    assert.equal((await c.reply()).code, "226");
    assert.equal((await c.reply()).code, "421");
    await guard(closing, "server close");
    assert.equal(srv.server.connections, 0);
  });

  it("close() aborts transfers still running at the deadline with 426", async () => {
    const { srv, storage } = await setup(256 * MiB, {}, "loopback");
    await using c = await Control.login(srv, "u", "p");
    const data = await c.passive();
    await c.expect("RETR big", "150");
    await settle(() => storage.pulled);
    await guard(srv.server.close({ timeout: 100 }), "server close");
    assert.equal((await c.reply()).code, "426");
    assert.equal((await c.reply()).code, "421");
    data.close();
    await waitFor(() => storage.openReads === 0, "storage stream closed");
  });
});
