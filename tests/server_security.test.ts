/**
 * Server security rules over real sockets: path containment (every alias of `..`, absolute
 * paths, backslashes, NUL, rename targets, symlinks with LocalPathIO), FTP bounce protection
 * (PORT/EPRT), passive connections from foreign addresses, overlong lines, login failures,
 * connection limits, idle and data timeouts, IPv6 handling of PASV.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { LocalPathIO } from "../src/fs/local_path_io.ts";
import { nodeNet } from "../src/net/node.ts";
import type { Conn } from "../src/net/types.ts";
import { decodeEpsvReply, decodeHostPort } from "../src/protocol/address.ts";
import {
  bytes,
  Control,
  getFile,
  guard,
  putFile,
  readAll,
  skipIPv6,
  startServer,
  text,
  waitFor,
} from "./_support/mod.ts";

const ALICE = { login: "alice", password: "pw", basePath: "/home/alice" };

/** Connect from a chosen local address (node:net adapter: Deno's and Bun's adapters cannot bind). */
function connectFrom(localAddress: string, port: number, hostname = "127.0.0.1"): Promise<Conn> {
  return guard(nodeNet.connect({ hostname, port, localAddress }), "connect from " + localAddress);
}

describe("server security: paths stay inside the user's base path", () => {
  async function setup() {
    const srv = await startServer({ users: [ALICE], loginFailureDelay: 0 });
    await putFile(srv.storage, "/secret.txt", "top secret");
    await putFile(srv.storage, "/home/bob/bob.txt", "bob's");
    await putFile(srv.storage, "/home/alice/mine.txt", "mine");
    return srv;
  }

  const escapes = [
    "../secret.txt",
    "/../secret.txt",
    "../../../../secret.txt",
    "/home/../../secret.txt",
    "./../.././secret.txt",
    "..//..//secret.txt",
    "%2e%2e/secret.txt",
    "%2e%2e%2fsecret.txt",
    "..\\secret.txt",
    "..\\..\\secret.txt",
    "\\..\\..\\secret.txt",
    "/secret.txt",
    "//secret.txt",
    "../bob/bob.txt",
    "/home/bob/bob.txt",
    "../../home/bob/bob.txt",
  ];

  it("RETR, SIZE, MDTM, MLST, STAT and LIST through every alias never see outside files", async () => {
    await using srv = await setup();
    await using c = await Control.login(srv.port, "alice", "pw");
    await c.expect("TYPE I", "200");
    for (const p of escapes) {
      assert.equal((await c.cmd(`SIZE ${p}`)).code, "550", `SIZE ${p}`);
      assert.equal((await c.cmd(`MDTM ${p}`)).code, "550", `MDTM ${p}`);
      assert.equal((await c.cmd(`MLST ${p}`)).code, "550", `MLST ${p}`);
      assert.equal((await c.cmd(`STAT ${p}`)).code, "550", `STAT ${p}`);
      await c.expect("EPSV", "229");
      assert.equal((await c.cmd(`RETR ${p}`)).code, "550", `RETR ${p}`);
    }
    // Listing "above" the root lists the user's root.
    for (const p of ["..", "../..", "/..", "/", "../../.."]) {
      const l = await c.download(`NLST ${p}`);
      assert.equal(text(l.data), "mine.txt\r\n", `NLST ${p}`);
    }
  });

  it("CWD above the root stays at /, and / is the base path", async () => {
    await using srv = await setup();
    await using c = await Control.login(srv.port, "alice", "pw");
    for (const p of ["..", "../../..", "/..", "/a/../..", "../../../"]) {
      const r = await c.cmd(`CWD ${p}`);
      assert.equal(r.code, "250", p);
      assert.match((await c.cmd("PWD")).lines[0]!, /^"\/" /, p);
    }
    await c.expect("CDUP", "250");
    assert.match((await c.cmd("PWD")).lines[0]!, /^"\/" /);
    assert.equal((await c.cmd("CWD ../bob")).code, "550");
    assert.equal((await c.cmd("SIZE mine.txt")).lines[0], "4");
  });

  it("writes through escaping paths land inside the base path (STOR, MKD, RNTO, DELE, RMD)", async () => {
    await using srv = await setup();
    await using c = await Control.login(srv.port, "alice", "pw");
    await c.expect("TYPE I", "200");
    assert.equal((await c.upload("STOR ../../evil.txt", bytes("x"))).final.code, "226");
    assert.ok(await srv.storage.exists("/home/alice/evil.txt"));
    assert.equal(await srv.storage.exists("/evil.txt"), false);
    assert.equal((await c.cmd("MKD ../../../newdir")).code, "257");
    assert.ok(await srv.storage.isDir("/home/alice/newdir"));
    await c.expect("RNFR mine.txt", "350");
    assert.equal((await c.cmd("RNTO ../../stolen.txt")).code, "250");
    assert.ok(await srv.storage.exists("/home/alice/stolen.txt"));
    assert.equal(await srv.storage.exists("/stolen.txt"), false);
    assert.equal((await c.cmd("RNFR ../secret.txt")).code, "550");
    assert.equal((await c.cmd("DELE ../secret.txt")).code, "550");
    assert.equal((await c.cmd("DELE ../bob/bob.txt")).code, "550");
    assert.equal((await c.cmd("RMD ../bob")).code, "550");
    assert.equal((await c.cmd("RMD ..")).code, "550", "the root cannot be removed");
    assert.equal(text(await getFile(srv.storage, "/secret.txt")), "top secret");
    assert.equal(text(await getFile(srv.storage, "/home/bob/bob.txt")), "bob's");
  });

  it("NUL in a path is refused with 501 and runs nothing", async () => {
    await using srv = await setup();
    await using c = await Control.login(srv.port, "alice", "pw");
    for (const cmd of ["DELE mine.txt\0x", "MKD a\0b", "CWD \0", "SIZE mine.txt\0", "RNFR mine.txt\0"]) {
      assert.equal((await c.cmd(cmd)).code, "501", JSON.stringify(cmd));
    }
    await c.expect("EPSV", "229");
    assert.equal((await c.cmd("STOR x\0y")).code, "501");
    assert.ok(await srv.storage.exists("/home/alice/mine.txt"));
  });

  it("symlinks out of the storage root are refused (LocalPathIO), per-user roots isolate users", async () => {
    const tmp = mkdtempSync(join(tmpdir(), "anyftp-srv-sec-"));
    try {
      mkdirSync(join(tmp, "outside"));
      writeFileSync(join(tmp, "outside", "secret.txt"), "outside secret");
      mkdirSync(join(tmp, "users", "alice"), { recursive: true });
      mkdirSync(join(tmp, "users", "bob"), { recursive: true });
      writeFileSync(join(tmp, "users", "bob", "bob.txt"), "bob's");
      writeFileSync(join(tmp, "users", "alice", "mine.txt"), "mine");
      symlinkSync(join(tmp, "outside"), join(tmp, "users", "alice", "out"));
      symlinkSync(join(tmp, "outside", "secret.txt"), join(tmp, "users", "alice", "secret-link"));
      symlinkSync("../bob", join(tmp, "users", "alice", "tobob"));
      symlinkSync(join(tmp, "outside", "new.txt"), join(tmp, "users", "alice", "dangling"));
      await using srv = await startServer({
        users: [{ login: "alice", password: "pw" }],
        storage: (user) => new LocalPathIO({ root: join(tmp, "users", user.login) }),
      });
      await using c = await Control.login(srv.port, "alice", "pw");
      await c.expect("TYPE I", "200");
      for (const p of ["out/secret.txt", "secret-link", "tobob/bob.txt", "/out/../out/secret.txt"]) {
        await c.expect("EPSV", "229");
        assert.equal((await c.cmd(`RETR ${p}`)).code, "550", p);
        assert.equal((await c.cmd(`SIZE ${p}`)).code, "550", p);
      }
      assert.equal((await c.cmd("CWD out")).code, "550");
      assert.equal((await c.cmd("CWD tobob")).code, "550");
      await c.expect("EPSV", "229");
      assert.equal((await c.cmd("LIST out")).code, "550");
      // Writing through a link (or a dangling one) must not create anything outside.
      for (const p of ["out/new.txt", "tobob/new.txt"]) {
        await c.expect("EPSV", "229");
        const r = await c.cmd(`STOR ${p}`);
        assert.equal(r.code, "550", `STOR ${p}: ${r.lines.join(" ")}`);
      }
      // A dangling link: the upload goes to a temporary file inside the root, and the
      // rename replaces the link itself (rename never follows it): nothing outside.
      const dangling = await c.upload("STOR dangling", bytes("inside"));
      assert.equal(dangling.final.code, "226", dangling.final.lines.join(" "));
      assert.equal(readFileSync(join(tmp, "users", "alice", "dangling"), "utf8"), "inside");
      assert.equal(existsSync(join(tmp, "outside", "new.txt")), false);
      assert.equal(existsSync(join(tmp, "users", "bob", "new.txt")), false);
      await c.expect("RNFR mine.txt", "350");
      assert.equal((await c.cmd("RNTO out/moved.txt")).code, "550");
      assert.deepEqual(readdirSync(join(tmp, "outside")), ["secret.txt"]);
      // Ordinary files still work.
      assert.equal(text((await c.download("RETR mine.txt")).data), "mine");
    } finally {
      rmSync(tmp, { recursive: true, force: true });
    }
  });
});

describe("server security: FTP bounce protection", () => {
  it("PORT/EPRT to another address or to a privileged port are refused with 504", async () => {
    await using srv = await startServer({ users: [ALICE] });
    await putFile(srv.storage, "/home/alice/f", "x");
    await using c = await Control.login(srv.port, "alice", "pw");
    for (
      const cmd of [
        "PORT 127,0,0,2,200,10",
        "PORT 10,0,0,1,200,10",
        "PORT 192,168,1,1,0,21",
        "PORT 127,0,0,1,0,21",
        "PORT 127,0,0,1,3,255",
        "EPRT |1|127.0.0.2|51210|",
        "EPRT |1|8.8.8.8|51210|",
        "EPRT |1|127.0.0.1|25|",
        "EPRT |1|127.0.0.1|1023|",
      ]
    ) {
      const r = await c.cmd(cmd);
      assert.equal(r.code, "504", cmd);
      assert.match(r.lines[0]!, /refused/);
    }
    // No channel was prepared by the refused commands.
    assert.equal((await c.cmd("RETR f")).code, "425");
    assert.equal((await c.cmd("PORT 127,0,0,1,4,0")).code, "200", "port 1024 is fine");
  });

  it("a control connection from 127.0.0.2 may not send data to 127.0.0.1", async () => {
    await using srv = await startServer({ users: [ALICE] });
    const conn = await connectFrom("127.0.0.2", srv.port);
    await using c = await controlOver(conn);
    await c.expect("USER alice", "331");
    await c.expect("PASS pw", "230");
    assert.equal((await c.cmd("PORT 127,0,0,1,200,10")).code, "504");
    assert.equal((await c.cmd("PORT 127,0,0,2,200,10")).code, "200");
  });
});

/** A Control over an already open connection (expects the 220 greeting). */
async function controlOver(conn: Conn): Promise<Control> {
  const { control, greeting } = await Control.over(conn, nodeNet);
  assert.equal(greeting.code, "220");
  return control;
}

describe("server security: passive connections only from the client's address", () => {
  it("a data connection from 127.0.0.2 is refused; the server waits for the real client", async () => {
    await using srv = await startServer({ users: [ALICE] });
    await putFile(srv.storage, "/home/alice/f", "the data");
    await using c = await Control.login(srv.port, "alice", "pw");
    await c.expect("TYPE I", "200");
    const r = await c.expect("EPSV", "229");
    const port = decodeEpsvReply(r.lines[0]!)!;
    const intruder = await connectFrom("127.0.0.2", port);
    // The server closes the intruder's connection without sending anything.
    const stolen = await guard(readAll(intruder.readable).catch(() => new Uint8Array()), "intruder closed");
    assert.equal(stolen.length, 0);
    intruder.close();
    await waitFor(() => srv.events.some((e) => e.type === "data-connection-rejected"), "rejection event");
    const ev = srv.events.find((e) => e.type === "data-connection-rejected");
    assert.ok(ev && ev.type === "data-connection-rejected" && ev.from.hostname.endsWith("127.0.0.2"));
    // The legitimate client still gets its data.
    const data = await guard(c.net.connect({ hostname: "127.0.0.1", port }), "data connect");
    await c.expect("RETR f", "150");
    assert.equal(text(await guard(readAll(data.readable), "data")), "the data");
    assert.equal((await c.reply()).code, "226");
    data.close();
  });

  it("only a foreign data connection: the transfer fails with 425 after the data timeout", async () => {
    await using srv = await startServer({ users: [ALICE], dataConnectionTimeout: 300 });
    await putFile(srv.storage, "/home/alice/f", "the data");
    await using c = await Control.login(srv.port, "alice", "pw");
    const r = await c.expect("PASV", "227");
    const port = decodeHostPort(r.lines[0]!)!.port;
    const intruder = await connectFrom("127.0.0.2", port);
    await c.expect("RETR f", "150");
    assert.equal((await c.reply()).code, "425");
    const stolen = await guard(readAll(intruder.readable).catch(() => new Uint8Array()), "intruder closed");
    assert.equal(stolen.length, 0);
    intruder.close();
  });

  it("no data connection at all: 150 then 425 after the data timeout; the session goes on", async () => {
    await using srv = await startServer({ users: [ALICE], dataConnectionTimeout: 200 });
    await putFile(srv.storage, "/home/alice/f", "x");
    await using c = await Control.login(srv.port, "alice", "pw");
    await c.expect("EPSV", "229");
    await c.expect("RETR f", "150");
    assert.equal((await c.reply()).code, "425");
    assert.equal((await c.cmd("NOOP")).code, "200");
  });
});

describe("server security: overlong command lines", () => {
  it("an overlong line is answered 500 and never executed; repeated abuse disconnects", async () => {
    await using srv = await startServer({ users: [ALICE], maxLineLength: 512, maxBadLines: 3 });
    await putFile(srv.storage, "/home/alice/keep.txt", "keep");
    await using c = await Control.login(srv.port, "alice", "pw");
    const long = "DELE keep.txt" + " ".repeat(600);
    assert.equal((await c.cmd(long)).code, "500");
    assert.ok(await srv.storage.exists("/home/alice/keep.txt"));
    assert.equal((await c.cmd("NOOP")).code, "200", "normal lines still work");
    assert.equal((await c.cmd("X".repeat(1000))).code, "500");
    assert.ok(await srv.storage.exists("/home/alice/keep.txt"));
    assert.equal((await c.cmd("Y".repeat(1000))).code, "421");
    assert.equal((await c.reply()).code, "EOF");
    await waitFor(() => srv.events.some((e) => e.type === "session-close" && e.reason === "abuse"), "abuse close");
  });
});

describe("server security: failed logins", () => {
  it("each failure is delayed; after maxLoginFailures the connection is closed with 421", async () => {
    await using srv = await startServer({ users: [ALICE], loginFailureDelay: 150, maxLoginFailures: 2 });
    await using c = await Control.connect(srv.port);
    await c.expect("USER alice", "331");
    // Pipeline a NOOP behind the bad password: it is not answered before the delayed 530.
    await c.send("PASS wrong");
    await c.send("NOOP");
    assert.equal((await c.reply()).code, "530");
    assert.equal((await c.reply()).code, "200");
    const failed = srv.events.findIndex((e) => e.type === "login-failed");
    const reply530 = srv.events.findIndex((e) => e.type === "reply" && e.code === "530");
    assert.ok(failed >= 0 && failed < reply530);
    await c.expect("USER alice", "331");
    assert.equal((await c.cmd("PASS wrong again")).code, "421");
    assert.equal((await c.reply()).code, "EOF");
    assert.ok(!JSON.stringify(srv.events).includes("wrong again"));
  });
});

describe("server security: connection limits", () => {
  it("maxConnections refuses the extra client with 421; a slot frees after QUIT", async () => {
    await using srv = await startServer({ users: [ALICE], maxConnections: 2 });
    await using a = await Control.open(srv.port);
    await using b = await Control.open(srv.port);
    await using c = await Control.open(srv.port);
    assert.equal(a.greeting.code, "220");
    assert.equal(b.greeting.code, "220");
    assert.equal(c.greeting.code, "421");
    assert.equal((await c.control.reply()).code, "EOF");
    await a.control.expect("QUIT", "221");
    await waitFor(() => srv.server.connections === 1, "slot freed");
    const d = await Control.open(srv.port);
    assert.equal(d.greeting.code, "220");
    d.control.close();
  });

  it("maxConnectionsPerIp counts per address", async () => {
    await using srv = await startServer({ users: [ALICE], maxConnectionsPerIp: 1 });
    const a = await Control.open(srv.port);
    const b = await Control.open(srv.port);
    const other = await controlOver(await connectFrom("127.0.0.2", srv.port)).catch((e) => e as Error);
    try {
      assert.equal(a.greeting.code, "220");
      assert.equal(b.greeting.code, "421");
      assert.ok(!(other instanceof Error), "another address is still served");
      const ev = srv.events.find((e) => e.type === "connection-refused");
      assert.ok(ev && ev.type === "connection-refused" && ev.reason === "max-connections-per-ip");
    } finally {
      a.control.close();
      b.control.close();
      if (!(other instanceof Error)) other.close();
    }
  });

  it("a user's maxConnections refuses a further login with 530; logout frees it", async () => {
    await using srv = await startServer({ users: [{ ...ALICE, maxConnections: 1 }] });
    await using a = await Control.login(srv.port, "alice", "pw");
    await using b = await Control.connect(srv.port);
    await b.expect("USER alice", "331");
    assert.equal((await b.cmd("PASS pw")).code, "530");
    await a.expect("QUIT", "221");
    await waitFor(() => srv.server.connections === 1, "first session closed");
    await b.expect("USER alice", "331");
    assert.equal((await b.cmd("PASS pw")).code, "230");
  });
});

describe("server security: idle timeout", () => {
  it("an idle session gets 421 and is closed; activity keeps it open", async () => {
    // 1 s of idleness against a NOOP every 100 ms for 1.5 s: a loaded machine (the three
    // runtimes' suites run at once) must stall a timer by 900 ms to break the busy session.
    await using srv = await startServer({ users: [ALICE], idleTimeout: 1000 });
    await using idle = await Control.login(srv.port, "alice", "pw");
    await using busy = await Control.login(srv.port, "alice", "pw");
    let busyOk = true;
    const keepAlive = (async () => {
      for (let i = 0; i < 15; i++) {
        await new Promise((r) => setTimeout(r, 100));
        if ((await busy.cmd("NOOP")).code !== "200") busyOk = false;
      }
    })();
    const r = await idle.reply();
    assert.equal(r.code, "421");
    assert.match(r.lines[0]!, /[Ii]dle/);
    assert.equal((await idle.reply()).code, "EOF");
    await keepAlive;
    assert.ok(busyOk, "a session sending commands is not timed out");
    assert.ok(srv.events.some((e) => e.type === "session-close" && e.reason === "idle-timeout"));
  });
});

describe("server: IPv6", () => {
  it("EPSV and EPRT work over ::1; PASV answers 425 unless a passive IPv4 address is configured", { skip: skipIPv6 }, async () => {
    await using srv = await startServer({ users: [ALICE] }, "::1");
    await putFile(srv.storage, "/home/alice/f", "over v6");
    {
      await using c = await Control.login(srv.port, "alice", "pw", "::1");
      await c.expect("TYPE I", "200");
      const pasv = await c.cmd("PASV");
      assert.equal(pasv.code, "425");
      assert.match(pasv.lines[0]!, /EPSV/);
      assert.equal(text((await c.download("RETR f")).data), "over v6");
      assert.equal((await c.cmd("EPSV 1")).code, "522");
      assert.equal((await c.cmd("EPSV 2")).code, "229");
      assert.equal((await c.cmd("EPRT |1|127.0.0.1|50000|")).code, "522");
      const { accept } = await c.active("EPRT");
      await c.expect("RETR f", "150");
      const conn = await guard(accept, "active accept");
      assert.equal(text(await readAll(conn.readable)), "over v6");
      conn.close();
      assert.equal((await c.reply()).code, "226");
    }
    await using srv2 = await startServer({
      users: [ALICE],
      passiveAddress: (client) => (client.hostname === "::1" ? "192.0.2.7" : "198.51.100.1"),
    }, "::1");
    await using d = await Control.login(srv2.port, "alice", "pw", "::1");
    const p = await d.cmd("PASV");
    assert.equal(p.code, "227");
    assert.match(p.lines[0]!, /\(192,0,2,7,\d+,\d+\)/);
  });

  it("passiveAddress (fixed or a function of the client) is announced in PASV", async () => {
    await using srv = await startServer({ users: [ALICE], passiveAddress: "203.0.113.9" });
    await using c = await Control.login(srv.port, "alice", "pw");
    assert.match((await c.cmd("PASV")).lines[0]!, /\(203,0,113,9,\d+,\d+\)/);
  });
});
