/**
 * Server robustness and security (issue 9, server side), over real sockets: no command
 * freezes other sessions, uploads never lose or half-publish data, one client cannot
 * exhaust sockets, ports or password guesses, and client-chosen names and modes are
 * checked. Each test fails without its fix.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { LocalPathIO } from "../src/fs/local_path_io.ts";
import { MemoryPathIO } from "../src/fs/memory_path_io.ts";
import { nodeNet } from "../src/net/node.ts";
import type { Conn } from "../src/net/types.ts";
import { decodeEpsvReply } from "../src/protocol/address.ts";
import { LingeringConns } from "../src/server/_lingering.ts";
import { LoginFailures } from "../src/server/_login_failures.ts";
import {
  bytes,
  Control,
  countingNet,
  freePorts,
  getFile,
  guard,
  putFile,
  readAll,
  startServer,
  text,
  waitFor,
} from "./_support/mod.ts";

const USER = { login: "u", password: "p" };

/** Byte equality without a huge assertion diff. */
function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

/** A control connection from 127.0.0.2 (node:net adapter: Deno's and Bun's cannot bind). */
async function openFrom2(port: number): Promise<Control> {
  const conn = await guard(
    nodeNet.connect({ hostname: "127.0.0.1", port, localAddress: "127.0.0.2" }),
    "connect",
  );
  const { control, greeting } = await Control.over(conn, nodeNet);
  assert.equal(greeting.code, "220");
  return control;
}

/** Start an upload and send `first` bytes, leaving the data connection open. */
async function startUpload(c: Control, command: string, first: Uint8Array) {
  const data = await c.passive();
  await c.expect(command, "150");
  const writer = data.writable.getWriter();
  await writer.write(first);
  return { data, writer };
}

describe("server robustness: no command freezes other sessions", () => {
  it("hostile NLST/LIST globs are cheap: another session's NOOP is answered meanwhile", async () => {
    await using srv = await startServer({ users: [USER] });
    await putFile(srv.storage, "/sub/" + "a".repeat(60), "x");
    await putFile(srv.storage, "/sub/hit.c", "x");
    await using hostile = await Control.login(srv.port, "u", "p");
    await using other = await Control.login(srv.port, "u", "p");
    // Each `*a` multiplied a backtracking RegExp's time by about 8: 7 of them blocked the
    // process for half a minute.
    const pattern = "sub/" + "*a".repeat(7) + "*b";
    for (const verb of ["NLST", "LIST"]) {
      const data = await hostile.passive();
      await hostile.send(`${verb} ${pattern}`);
      await guard(other.expect("NOOP", "200"), "the other session's NOOP", 8000);
      assert.equal((await hostile.reply()).code, "150");
      assert.equal(text(await guard(readAll(data.readable), "listing")), "");
      data.close();
      assert.equal((await hostile.reply()).code, "226");
    }
    const hit = await hostile.download("NLST sub/*.c");
    assert.equal(text(hit.data), "hit.c\r\n");
  });
});

describe("server robustness: uploads", () => {
  it("rename policy: a cut overwrite keeps the old file; readers and listings see only complete files", async () => {
    await using srv = await startServer({ users: [USER] });
    const old = new Uint8Array(1 << 20).fill(7);
    await putFile(srv.storage, "/big", old);
    await using a = await Control.login(srv.port, "u", "p");
    await using b = await Control.login(srv.port, "u", "p");
    await a.expect("TYPE I", "200");
    await b.expect("TYPE I", "200");
    const up = await startUpload(a, "STOR big", new Uint8Array(10).fill(1));
    // Meanwhile: the other session reads the old complete file and lists no temporary name.
    const got = await b.download("RETR big");
    assert.equal(got.final.code, "226");
    assert.ok(sameBytes(got.data, old), `read ${got.data.length} bytes, not the old file`);
    for (const verb of ["NLST", "LIST", "MLSD"]) {
      const listing = text((await b.download(verb)).data);
      assert.ok(!listing.includes("anyftp-upload"), `${verb}: ${listing}`);
      assert.ok(listing.includes("big"), `${verb}: ${listing}`);
    }
    // The upload is cut (ABOR): the old file is untouched, the temporary file is gone.
    await a.send("ABOR");
    assert.equal((await a.reply()).code, "426");
    assert.equal((await a.reply()).code, "226");
    up.data.close();
    const kept = await getFile(srv.storage, "/big");
    assert.ok(sameBytes(kept, old), `the old file became ${kept.length} bytes`);
    const names: string[] = [];
    for await (const e of srv.storage.list("/")) names.push(e.name);
    assert.deepEqual(names, ["big"]);
    // So is one cut by the client going away.
    await startUpload(b, "STOR big", new Uint8Array(10).fill(2));
    b.close();
    await waitFor(() => srv.server.connections === 1, "session b closed");
    const after: string[] = [];
    for await (const e of srv.storage.list("/")) after.push(e.name);
    assert.deepEqual(after, ["big"]);
    assert.ok(sameBytes(await getFile(srv.storage, "/big"), old));
    // A complete upload replaces it.
    const done = await a.upload("STOR big", bytes("new content"));
    assert.equal(done.final.code, "226");
    assert.equal(text(await getFile(srv.storage, "/big")), "new content");
  });

  it("a file being written is locked: a second writer gets 450 (both policies)", async () => {
    for (const uploadPolicy of ["rename", "in-place"] as const) {
      await using srv = await startServer({ users: [USER], uploadPolicy });
      await using a = await Control.login(srv.port, "u", "p");
      await using b = await Control.login(srv.port, "u", "p");
      const up = await startUpload(a, "STOR f", bytes("first "));
      await b.expect("EPSV", "229");
      const r = await b.cmd("STOR f");
      assert.equal(r.code, "450", `${uploadPolicy}: ${r.lines.join(" ")}`);
      await up.writer.write(bytes("writer"));
      await up.writer.close();
      assert.equal((await a.reply()).code, "226");
      up.data.close();
      assert.equal(text(await getFile(srv.storage, "/f")), "first writer");
      // The lock is gone with the upload.
      assert.equal((await b.upload("STOR f", bytes("second"))).final.code, "226");
      assert.equal(text(await getFile(srv.storage, "/f")), "second");
    }
  });

  it("in place (in-place policy, REST+STOR, APPE): a reader of the file being written gets 450", async () => {
    const cases = [
      { uploadPolicy: "in-place" as const, commands: ["STOR f"], result: "+more" },
      { uploadPolicy: "rename" as const, commands: ["REST 3", "STOR f"], result: "old+more" },
      { uploadPolicy: "rename" as const, commands: ["APPE f"], result: "old+more" },
    ];
    for (const { uploadPolicy, commands, result } of cases) {
      await using srv = await startServer({ users: [USER], uploadPolicy });
      await putFile(srv.storage, "/f", "old");
      await using a = await Control.login(srv.port, "u", "p");
      await using b = await Control.login(srv.port, "u", "p");
      const data = await a.passive();
      for (const cmd of commands.slice(0, -1)) await a.expect(cmd, "350");
      await a.expect(commands.at(-1)!, "150");
      const writer = data.writable.getWriter();
      await writer.write(bytes("+more"));
      await b.expect("EPSV", "229");
      const r = await b.cmd("RETR f");
      assert.equal(r.code, "450", `${commands.join(",")}: ${r.lines.join(" ")}`);
      await writer.close();
      assert.equal((await a.reply()).code, "226");
      data.close();
      assert.equal(text(await getFile(srv.storage, "/f")), result);
      assert.equal(text((await b.download("RETR f")).data), result);
    }
  });
});

describe("server robustness: resource exhaustion", () => {
  it("a client that loops RETR and never closes its data sockets holds only a few server sockets", async () => {
    const { net, open } = await countingNet();
    // A linger far longer than the test's guard: only the client's close can end them in time.
    await using srv = await startServer({ users: [USER], net, dataTimeout: 120_000 });
    await putFile(srv.storage, "/f", "data");
    const c = await Control.login(srv.port, "u", "p");
    const kept: Conn[] = [];
    try {
      for (let i = 0; i < 40; i++) {
        const data = await c.passive();
        kept.push(data); // never closed by the client
        await c.expect("RETR f", "150");
        const reader = data.readable.getReader();
        while (!(await guard(reader.read(), "data")).done) { /* drain */ }
        reader.releaseLock();
        assert.equal((await c.reply()).code, "226");
      }
      // The control connection plus at most a handful lingering (was: all 40, for 30 s).
      assert.ok(open.size <= 1 + 4, `server holds ${open.size} sockets`);
      // Once the client closes them, the lingering ones go at once, not when their 30 s are up
      // or the session ends (the server never read them, so it never saw the FIN).
      for (const d of kept) d.close();
      await waitFor(() => open.size === 1, `lingering sockets closed after the client's close (${open.size} open)`);
      await c.expect("NOOP", "200");
    } finally {
      for (const d of kept) d.close();
      c.close();
    }
  });

  it("lingering connections are capped per session and in total, oldest closed first", () => {
    const fake = () => {
      let resolve!: () => void;
      const conn = {
        readable: new ReadableStream<Uint8Array>(),
        closed: new Promise<void>((r) => (resolve = r)),
        closedByUs: false,
        close() {
          this.closedByUs = true;
          resolve();
        },
      };
      return conn;
    };
    const pool = new LingeringConns(60_000, 2, 3);
    const a = {}, b = {};
    const conns = [fake(), fake(), fake(), fake(), fake()];
    pool.add(a, conns[0] as unknown as Conn);
    pool.add(a, conns[1] as unknown as Conn);
    pool.add(a, conns[2] as unknown as Conn); // pushes conns[0] out (per session)
    assert.deepEqual(conns.map((x) => x.closedByUs), [true, false, false, false, false]);
    pool.add(b, conns[3] as unknown as Conn);
    pool.add(b, conns[4] as unknown as Conn); // pushes the oldest overall (conns[1]) out
    assert.deepEqual(conns.map((x) => x.closedByUs), [true, true, false, false, false]);
    assert.equal(pool.size, 3);
    pool.closeAll(a);
    pool.closeAll(b);
    assert.equal(pool.size, 0);
    assert.ok(conns.every((x) => x.closedByUs));

    // The total cap pushes out a session's only lingering connection: its next one must still
    // be closed when the session ends (it once went into a set the pool had forgotten).
    const full = new LingeringConns(60_000, 4, 2);
    const c = {}, d = {};
    const [c1, d1, c2] = [fake(), fake(), fake()];
    full.add(c, c1 as unknown as Conn);
    full.add(d, d1 as unknown as Conn);
    full.add(c, c2 as unknown as Conn); // pushes c1 out (the oldest overall): c had only it
    assert.deepEqual([c1, d1, c2].map((x) => x.closedByUs), [true, false, false]);
    full.closeAll(c);
    assert.equal(c2.closedByUs, true, "closeAll closes the connection added after the push-out");
    full.closeAll(d);
    assert.equal(full.size, 0);
  });

  it("the login delay doubles per recent failure from an address, capped; old failures are forgotten", () => {
    let clock = 0;
    const f = new LoginFailures(100, 3, 1000, () => clock);
    assert.deepEqual([f.record("a"), f.record("a")], [100, 200]);
    assert.equal(f.record("b"), 100, "per address");
    assert.equal(f.begin("a"), true);
    f.end("a");
    assert.equal(f.record("a"), 400);
    assert.equal(f.begin("a"), false, "three recent failures: refused");
    clock = 1001;
    assert.equal(f.begin("a"), true, "forgotten after the window");
    f.end("a");
    const g = new LoginFailures(10, 100, 1e9, () => clock);
    const delays = Array.from({ length: 8 }, () => g.record("x"));
    assert.equal(Math.max(...delays), 160);
  });

  it("a passive port nobody uses is closed after the data timeout and returned", async () => {
    const min = (await freePorts(1))[0]!;
    await using srv = await startServer({
      users: [USER],
      passivePorts: { min, max: min },
      dataConnectionTimeout: 300,
    });
    await putFile(srv.storage, "/f", "x");
    await using idle = await Control.login(srv.port, "u", "p");
    await using other = await Control.login(srv.port, "u", "p");
    await idle.expect("EPSV", "229");
    assert.equal((await other.cmd("EPSV")).code, "421");
    let got = "421";
    for (let i = 0; i < 100 && got !== "229"; i++) {
      await new Promise((r) => setTimeout(r, 50));
      got = (await other.cmd("EPSV")).code;
    }
    assert.equal(got, "229", "the idle session's port came back");
    // The idle session's channel is gone: its transfer cannot start.
    const r = await idle.cmd("RETR f");
    assert.ok(r.code === "425" || r.code === "150", r.code);
    if (r.code === "150") assert.equal((await idle.reply()).code, "425");
  });

  it("passive ports are capped per IP and chosen unpredictably within the range", async () => {
    const min = (await freePorts(60))[0]!;
    await using srv = await startServer({
      users: [USER],
      passivePorts: { min, max: min + 59 },
      maxPassivePortsPerIp: 2,
    });
    const a = await Control.login(srv.port, "u", "p");
    const b = await Control.login(srv.port, "u", "p");
    const c = await Control.login(srv.port, "u", "p");
    const d = await openFrom2(srv.port);
    try {
      await a.expect("EPSV", "229");
      await b.expect("EPSV", "229");
      assert.equal((await c.cmd("EPSV")).code, "421", "a third port for the same IP");
      await d.expect("USER u", "331");
      await d.expect("PASS p", "230");
      await d.expect("EPSV", "229");
      // One session re-opening EPSV: successive ports are not a sequence.
      const ports: number[] = [];
      for (let i = 0; i < 30; i++) {
        ports.push(decodeEpsvReply((await d.expect("EPSV", "229")).lines[0]!)!);
      }
      assert.ok(ports.every((p) => p >= min && p <= min + 59));
      let steps = 0;
      for (let i = 1; i < ports.length; i++) {
        if (ports[i] === ports[i - 1]! + 1 || ports[i] === min && ports[i - 1] === min + 59) {
          steps++;
        }
      }
      assert.ok(steps < 10, `ports ${ports.join(",")}`);
    } finally {
      for (const x of [a, b, c, d]) x.close();
    }
  });

  it("failed logins are tracked per IP across sessions: the address is refused for a while", async () => {
    await using srv = await startServer({
      users: [USER],
      loginFailureDelay: 1,
      maxLoginFailures: 1,
      maxLoginFailuresPerIp: 3,
    });
    for (let i = 0; i < 3; i++) {
      const { control } = await Control.open(srv.port);
      try {
        await control.expect("USER u", "331");
        assert.equal((await control.cmd(`PASS guess${i}`)).code, "421");
      } finally {
        control.close();
      }
    }
    // Even the right password is refused from that address now…
    {
      await using banned = await Control.connect(srv.port);
      await banned.expect("USER u", "331");
      const r = await banned.cmd("PASS p");
      assert.equal(r.code, "421", r.lines.join(" "));
      assert.equal((await banned.reply()).code, "EOF");
    }
    // …but not from another one.
    await using other = await openFrom2(srv.port);
    await other.expect("USER u", "331");
    await other.expect("PASS p", "230");
  });

  it("a line without a newline past the limit closes the connection at once", async () => {
    await using srv = await startServer({
      users: [USER],
      maxLineLength: 512,
      idleTimeout: 120_000,
    });
    await using c = await Control.login(srv.port, "u", "p");
    await c.sendRaw(bytes("NOOP" + "x".repeat(20_000)));
    const r = await guard(c.reply(), "the 421", 8000);
    assert.equal(r.code, "421");
    assert.equal((await guard(c.reply(), "EOF", 8000)).code, "EOF");
    await waitFor(
      () => srv.events.some((e) => e.type === "session-close" && e.reason === "abuse"),
      "abuse close",
    );
  });
});

describe("server robustness: names and modes", () => {
  it("SITE CHMOD keeps to the permission bits and refuses the root", async () => {
    const tmp = mkdtempSync(join(tmpdir(), "anyftp-chmod-"));
    try {
      writeFileSync(join(tmp, "f"), "x");
      const rootMode = statSync(tmp).mode & 0o7777;
      await using srv = await startServer({
        users: [USER],
        storage: new LocalPathIO({ root: tmp }),
      });
      await using c = await Control.login(srv.port, "u", "p");
      await c.expect("SITE CHMOD 6755 f", "200");
      assert.equal(statSync(join(tmp, "f")).mode & 0o7777, 0o755);
      // An overwrite (through a temporary file) keeps the permission bits.
      assert.equal((await c.upload("STOR f", bytes("new"))).final.code, "226");
      assert.equal(statSync(join(tmp, "f")).mode & 0o7777, 0o755);
      assert.equal(readFileSync(join(tmp, "f"), "utf8"), "new");
      assert.equal((await c.cmd("SITE CHMOD 000 /")).code, "550");
      assert.equal((await c.cmd("SITE CHMOD 000 .")).code, "550");
      assert.equal(statSync(tmp).mode & 0o7777, rootMode);
    } finally {
      rmSync(tmp, { recursive: true, force: true });
    }
  });

  it("control characters and invalid UTF-8 in new names are refused with 553", async () => {
    const storage = new MemoryPathIO();
    await using srv = await startServer({ users: [USER], storage });
    await putFile(storage, "/src", "x");
    await using c = await Control.login(srv.port, "u", "p");
    for (const name of ["a\x1b[2Jb", "bell\x07", "del\x7f", "tab\tname"]) {
      assert.equal((await c.cmd(`MKD ${name}`)).code, "553", JSON.stringify(name));
      await c.expect("EPSV", "229");
      assert.equal((await c.cmd(`STOR ${name}`)).code, "553", JSON.stringify(name));
      await c.expect("EPSV", "229");
      assert.equal((await c.cmd(`STOU ${name}`)).code, "553", JSON.stringify(name));
      await c.expect("EPSV", "229");
      assert.equal((await c.cmd(`APPE ${name}`)).code, "553", JSON.stringify(name));
      await c.expect("RNFR src", "350");
      assert.equal((await c.cmd(`RNTO ${name}`)).code, "553", JSON.stringify(name));
    }
    // Two different invalid UTF-8 names would both decode to U+FFFD and collide.
    for (const raw of [[0xc3, 0x28], [0xe2, 0x28, 0xa1], [0x80]]) {
      await c.sendRaw(new Uint8Array([...bytes("MKD x"), ...raw, 0x0d, 0x0a]));
      assert.equal((await c.reply()).code, "553", raw.join(","));
    }
    const names: string[] = [];
    for await (const e of storage.list("/")) names.push(e.name);
    assert.deepEqual(names, ["src"]);
    await c.expect("MKD ordinary name", "257");
  });
});
