/**
 * The ten scenarios of aioftp's test suite (shared/spec/aioftp-reference.md), server side, on
 * the in-memory network (deterministic, no ports) except where the scenario is about ports
 * and sockets (6: the passive-port pool; 7: connection limits), which run over the runtime's
 * loopback; where a scenario is about client fallbacks, anyftp's own Client drives the server
 * (scenario 5 and the first case of 6 as a pair).
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { PathIOError } from "../src/errors.ts";
import { MemoryPathIO } from "../src/fs/memory_path_io.ts";
import { decodeEpsvReply } from "../src/protocol/address.ts";
import {
  bytes,
  Control,
  freePorts,
  getFile,
  guard,
  putFile,
  readAll,
  settle,
  startMemoryServer,
  startPair,
  startServer,
  text,
  uploadTarget,
  waitFor,
} from "./_support/mod.ts";

const USER = { login: "u", password: "p" };

describe("server scenario 1: round trip and append", () => {
  it("upload then download returns the same bytes; APPE of the same data doubles the content", async () => {
    await using srv = await startMemoryServer({ users: [USER] });
    await using c = await Control.login(srv, "u", "p");
    await c.expect("TYPE I", "200");
    const payload = new Uint8Array(300_000).map((_, i) => (i * 7) & 255);
    assert.equal((await c.upload("STOR file.bin", payload)).final.code, "226");
    assert.deepEqual((await c.download("RETR file.bin")).data, payload);
    assert.equal((await c.upload("APPE file.bin", payload)).final.code, "226");
    const doubled = (await c.download("RETR file.bin")).data;
    assert.equal(doubled.length, 2 * payload.length);
    assert.deepEqual(doubled.subarray(0, payload.length), payload);
    assert.deepEqual(doubled.subarray(payload.length), payload);
  });
});

describe("server scenario 2: REST offsets", () => {
  it("RETR after REST 0, 3, 10; STOR/APPE at an offset overwrite in place and pad with NUL", async () => {
    await using srv = await startMemoryServer({ users: [USER] });
    await putFile(srv.storage, "/f", "0123456789");
    await using c = await Control.login(srv, "u", "p");
    await c.expect("TYPE I", "200");
    for (const [offset, expected] of [[0, "0123456789"], [3, "3456789"], [10, ""]] as const) {
      await c.expect(`REST ${offset}`, "350");
      const got = await c.download("RETR f");
      assert.equal(got.final.code, "226");
      assert.equal(text(got.data), expected, `REST ${offset}`);
    }
    await c.expect("REST 3", "350");
    await c.upload("STOR f", bytes("abc"));
    assert.equal(text(await getFile(srv.storage, "/f")), "012abc6789");
    await c.expect("REST 8", "350");
    await c.upload("APPE f", bytes("XYZ"));
    assert.equal(text(await getFile(srv.storage, "/f")), "012abc67XYZ");
    await c.expect("REST 14", "350");
    await c.upload("STOR f", bytes("!"));
    assert.deepEqual(await getFile(srv.storage, "/f"), bytes("012abc67XYZ\0\0\0!"));
  });
});

describe("server scenario 3: REST is reset by an unrelated command", () => {
  it("REST then MKD/PWD/NOOP: the next RETR starts at 0", async () => {
    await using srv = await startMemoryServer({ users: [USER] });
    await putFile(srv.storage, "/f", "0123456789");
    await using c = await Control.login(srv, "u", "p");
    await c.expect("TYPE I", "200");
    for (const unrelated of ["MKD d", "PWD", "NOOP", "SIZE f", "CWD /"]) {
      await c.expect("REST 5", "350");
      const r = await c.cmd(unrelated);
      assert.match(r.code, /^2/, unrelated);
      assert.equal(text((await c.download("RETR f")).data), "0123456789", `after ${unrelated}`);
    }
    // Data-connection setup between REST and RETR keeps the offset (clients order them freely).
    await c.expect("REST 7", "350");
    assert.equal(text((await c.download("RETR f")).data), "789");
  });
});

describe("server scenario 4: permissions", () => {
  it("a read-only root gives 550 on MKD and STOR; a writable sub-path permission allows them", async () => {
    await using srv = await startMemoryServer({
      users: [{ ...USER, permissions: [{ path: "/", writable: false }, { path: "/incoming", writable: true }] }],
    });
    await srv.storage.mkdir("/incoming");
    await putFile(srv.storage, "/readme", "r");
    await using c = await Control.login(srv, "u", "p");
    assert.equal((await c.cmd("MKD /x")).code, "550");
    assert.equal((await c.cmd("MKD /incoming/x")).code, "257");
    assert.equal((await c.cmd("DELE /readme")).code, "550");
    await c.expect("EPSV", "229");
    assert.equal((await c.cmd("STOR /new")).code, "550");
    assert.equal((await c.upload("STOR /incoming/new", bytes("ok"))).final.code, "226");
    assert.equal(text((await c.download("RETR /readme")).data), "r");
    const m = await c.cmd("MLST /");
    assert.match(m.lines[1]!, /perm=el;/);
    const n = await c.cmd("MLST /incoming");
    assert.match(n.lines[1]!, /perm=elcmpdf;/);
  });

  it("an unreadable sub-path refuses RETR, LIST and CWD", async () => {
    await using srv = await startMemoryServer({
      users: [{ ...USER, permissions: [{ path: "/" }, { path: "/private", readable: false, writable: false }] }],
    });
    await putFile(srv.storage, "/private/p", "secret");
    await using c = await Control.login(srv, "u", "p");
    assert.equal((await c.cmd("CWD /private")).code, "550");
    await c.expect("EPSV", "229");
    assert.equal((await c.cmd("RETR /private/p")).code, "550");
    assert.equal((await c.cmd("LIST /private")).code, "550");
    assert.equal((await c.cmd("SIZE /private/p")).code, "550");
  });
});

describe("server scenario 5: MLSD/MLST disabled", () => {
  it("the client falls back to LIST and still gets the types right", async () => {
    await using pair = await startPair({ users: [USER], disabledCommands: ["MLSD", "MLST"] });
    const { server: srv, client } = pair;
    await srv.storage.mkdir("/dir/sub", { parents: true });
    await putFile(srv.storage, "/dir/file.txt", "12345");
    const raw = await Control.login(srv, "u", "p");
    assert.equal((await raw.cmd("MLSD /dir")).code, "502");
    raw.close();
    const entries = await client.list("/dir");
    const byName = new Map(entries.map((e) => [e.name, e]));
    assert.equal(byName.get("sub")?.type, "dir");
    assert.equal(byName.get("file.txt")?.type, "file");
    assert.equal(byName.get("file.txt")?.size, 5);
    assert.equal(entries.length, 2);
    assert.equal(await client.isDir("/dir/sub"), true);
    assert.equal(await client.isFile("/dir/file.txt"), true);
  });
});

describe("server scenario 6: EPSV fallback and the data-port pool", () => {
  it("EPSV answered 502: the client falls back to PASV", async () => {
    await using pair = await startPair({ users: [USER], disabledCommands: ["EPSV"] });
    const { server: srv, client } = pair;
    await client.uploadData(bytes("via pasv"), "/f");
    assert.equal(text(await client.downloadData("/f")), "via pasv");
    assert.ok(srv.events.some((e) => e.type === "reply" && e.code === "502"));
    assert.ok(srv.events.some((e) => e.type === "command" && e.name === "PASV"));
  });

  it("an exhausted pool gives 421; ports come back after a transfer or QUIT", async () => {
    const [min] = await freePorts(2) as [number, number];
    await using srv = await startServer({ users: [USER], passivePorts: { min, max: min + 1 }, maxPassivePortsPerIp: 2 });
    await putFile(srv.storage, "/f", "x");
    await using a = await Control.login(srv.port, "u", "p");
    await using b = await Control.login(srv.port, "u", "p");
    await using c = await Control.login(srv.port, "u", "p");
    const pa = decodeEpsvReply((await a.expect("EPSV", "229")).lines[0]!)!;
    const pb = decodeEpsvReply((await b.expect("EPSV", "229")).lines[0]!)!;
    assert.deepEqual([pa, pb].sort(), [min, min + 1]);
    assert.equal((await c.cmd("EPSV")).code, "421");
    assert.equal((await c.cmd("PASV")).code, "421");
    await a.expect("QUIT", "221");
    await waitFor(() => srv.server.connections === 2, "session a closed");
    assert.equal((await c.cmd("EPSV")).code, "229");
    // b's port comes back once its transfer has used it.
    const data = await guard(b.net.connect({ hostname: "127.0.0.1", port: pb }), "data");
    await b.expect("RETR f", "150");
    await readAll(data.readable);
    data.close();
    assert.equal((await b.reply()).code, "226");
    assert.equal((await b.cmd("EPSV")).code, "229");
  });
});

describe("server scenario 7: connection limits", () => {
  it("maxConnections gives 421 to the extra client; per-user maximum gives 530; QUIT frees a slot", async () => {
    await using srv = await startServer({ users: [{ ...USER, maxConnections: 1 }], maxConnections: 2 });
    await using a = await Control.login(srv.port, "u", "p");
    await using b = await Control.connect(srv.port);
    await using c = await Control.connect(srv.port);
    const greeting = c.greeting;
    assert.equal(greeting.code, "421");
    await b.expect("USER u", "331");
    assert.equal((await b.cmd("PASS p")).code, "530");
    await a.expect("QUIT", "221");
    await waitFor(() => srv.server.connections === 1, "slot freed");
    await b.expect("USER u", "331");
    assert.equal((await b.cmd("PASS p")).code, "230");
    const { greeting: again } = await Control.open(srv.port).then((r) => (r.control.close(), r));
    assert.equal(again.code, "220");
  });
});

describe("server scenario 8: ABOR", () => {
  it("ABOR during a slow (throttled) RETR: 426 then 226", async () => {
    await using srv = await startMemoryServer({ users: [USER], speedLimits: { downloadPerConnection: 50_000 } });
    await putFile(srv.storage, "/slow", new Uint8Array(1_000_000));
    await using c = await Control.login(srv, "u", "p");
    await c.expect("TYPE I", "200");
    const data = await c.passive();
    await c.expect("RETR slow", "150");
    const reader = data.readable.getReader();
    const first = await reader.read(); // data is flowing
    assert.ok(!first.done);
    await c.send("ABOR");
    assert.equal((await c.reply()).code, "426");
    assert.equal((await c.reply()).code, "226");
    reader.releaseLock();
    data.close();
  });

  it("ABOR during a slow MLSD: 426 then 226; with nothing to abort: 226", async () => {
    const storage = new MemoryPathIO();
    for (let i = 0; i < 2000; i++) await storage.mkdir(`/d/${"n".repeat(60)}${i}`, { parents: true });
    await using srv = await startMemoryServer({ users: [USER], storage, speedLimits: { downloadPerConnection: 20_000 } });
    await using c = await Control.login(srv, "u", "p");
    const data = await c.passive();
    await c.expect("MLSD /d", "150");
    const reader = data.readable.getReader();
    assert.ok(!(await reader.read()).done);
    await c.send("ABOR");
    assert.equal((await c.reply()).code, "426");
    assert.equal((await c.reply()).code, "226");
    reader.releaseLock();
    data.close();
    assert.equal((await c.cmd("ABOR")).code, "226");
  });
});

describe("server scenario 9: nothing gets past the root", () => {
  it("CWD ../../../ and /a/../b/.. stay at /", async () => {
    await using srv = await startMemoryServer({ users: [{ ...USER, basePath: "/jail" }] });
    await srv.storage.mkdir("/jail/a", { parents: true });
    await srv.storage.mkdir("/jail/b");
    await putFile(srv.storage, "/outside", "no");
    await using c = await Control.login(srv, "u", "p");
    for (const p of ["../../../", "/a/../b/..", "a/../../..", "/../.."]) {
      assert.equal((await c.cmd(`CWD ${p}`)).code, "250", p);
      assert.match((await c.cmd("PWD")).lines[0]!, /^"\/" /, p);
    }
    assert.equal((await c.cmd("SIZE ../outside")).code, "550");
    assert.deepEqual(
      text((await c.download("NLST ../../")).data).split("\r\n").filter(Boolean).sort(),
      ["a", "b"],
    );
  });
});

describe("server scenario 10: storage errors and bad input", () => {
  class FailingStorage extends MemoryPathIO {
    override openWrite(path: string, options = {}): Promise<WritableStream<Uint8Array>> {
      if (uploadTarget(path) === "/quota") {
        return Promise.resolve(
          new WritableStream({
            write() {
              throw new PathIOError("write", path, { kind: "no-space" });
            },
          }),
        );
      }
      if (uploadTarget(path).startsWith("/broken")) {
        return Promise.resolve(
          new WritableStream({
            write() {
              throw new PathIOError("write", path, { kind: "io", cause: new Error("EIO") });
            },
          }),
        );
      }
      return super.openWrite(path, options);
    }
  }

  it("a storage write error gives 451; a full storage 552; STOR into a missing directory 550", async () => {
    await using srv = await startMemoryServer({ users: [USER], storage: new FailingStorage() });
    await using c = await Control.login(srv, "u", "p");
    await c.expect("TYPE I", "200");
    const broken = await c.upload("STOR broken", new Uint8Array(100_000));
    assert.equal(broken.final.code, "451");
    const full = await c.upload("STOR quota", new Uint8Array(100_000));
    assert.equal(full.final.code, "552");
    await c.expect("EPSV", "229");
    assert.equal((await c.cmd("STOR missing/dir/file")).code, "550");
    assert.equal((await c.cmd("NOOP")).code, "200");
  });

  it("a MemoryPathIO quota gives 552 mid-upload", async () => {
    await using srv = await startMemoryServer({ users: [USER], storage: new MemoryPathIO({ maxBytes: 50_000 }) });
    await using c = await Control.login(srv, "u", "p");
    await c.expect("TYPE I", "200");
    const r = await c.upload("STOR big", new Uint8Array(200_000));
    assert.equal(r.final.code, "552");
  });

  it("NUL in a command is refused with 501; a CR splits a line into two commands, each checked", async () => {
    await using srv = await startMemoryServer({ users: [{ ...USER, permissions: [{ path: "/", writable: false }] }] });
    await putFile(srv.storage, "/f", "x");
    await using c = await Control.login(srv, "u", "p");
    assert.equal((await c.cmd("SIZE f\0../../etc/passwd")).code, "501");
    await c.sendRaw(bytes("SIZE f\rDELE f\r\n"));
    assert.equal((await c.reply()).code, "213");
    assert.equal((await c.reply()).code, "550", "the smuggled DELE is still permission-checked");
    assert.ok(await srv.storage.exists("/f"));
    const pulled = await settle(() => srv.events.length);
    assert.ok(pulled > 0);
  });
});
