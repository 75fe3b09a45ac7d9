/**
 * Every server command and its reply codes, over real loopback sockets.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { MemoryPathIO } from "../src/fs/memory_path_io.ts";
import type { OpenWriteOptions } from "../src/fs/path_io.ts";
import { defaultNet } from "../src/net/auto.ts";
import { createMemoryNet } from "../src/net/memory.ts";
import { Server } from "../src/server/server.ts";
import { User } from "../src/server/user.ts";
import type { UserManager } from "../src/server/user_manager.ts";
import { bytes, Control, getFile, guard, putFile, readAll, startMemoryServer, startServer, type TestServer, text } from "./_support/mod.ts";

const ALICE = { login: "alice", password: "pw" };

async function withAlice<T>(fn: (c: Control, srv: TestServer) => Promise<T>) {
  await using srv = await startMemoryServer({ users: [ALICE], loginFailureDelay: 0 });
  await using c = await Control.login(srv, "alice", "pw");
  return await fn(c, srv);
}

describe("server: login commands", () => {
  it("greets with 220, logs in anonymously, QUIT answers 221 and closes", async () => {
    await using srv = await startMemoryServer();
    await using c = await Control.connect(srv);
    const greeting = c.greeting;
    assert.equal(greeting.code, "220");
    assert.equal((await c.cmd("USER anonymous")).code, "331");
    assert.equal((await c.cmd("PASS me@example.com")).code, "230");
    const pwd = await c.cmd("PWD");
    assert.equal(pwd.code, "257");
    assert.match(pwd.lines[0]!, /^"\/" /);
    assert.equal((await c.cmd("QUIT")).code, "221");
    assert.equal((await c.reply()).code, "EOF");
  });

  it("multi-line welcome message", async () => {
    await using srv = await startMemoryServer({ welcome: ["Hello", "220 tricky line", "Bye"] });
    const { control: c, greeting } = await Control.open(srv);
    c.close();
    assert.equal(greeting.code, "220");
    assert.deepEqual(greeting.lines, ["Hello", " 220 tricky line", "Bye"]);
  });

  it("USER without a name is 501, PASS before USER is 503", async () => {
    await using srv = await startMemoryServer({ users: [ALICE] });
    await using c = await Control.connect(srv);
    assert.equal((await c.cmd("USER")).code, "501");
    assert.equal((await c.cmd("PASS x")).code, "503");
  });

  it("wrong password and unknown user both get 331 then 530", async () => {
    await using srv = await startMemoryServer({ users: [ALICE], loginFailureDelay: 0, maxLoginFailures: 10 });
    await using c = await Control.connect(srv);
    assert.equal((await c.cmd("USER alice")).code, "331");
    assert.equal((await c.cmd("PASS nope")).code, "530");
    assert.equal((await c.cmd("USER mallory")).code, "331");
    assert.equal((await c.cmd("PASS pw")).code, "530");
    assert.equal((await c.cmd("USER alice")).code, "331");
    assert.equal((await c.cmd("PASS pw")).code, "230");
  });

  it("commands before login get 530; unknown commands get 502 before and after login", async () => {
    await using srv = await startMemoryServer({ users: [ALICE], loginFailureDelay: 0 });
    await using c = await Control.connect(srv);
    for (const cmd of ["PWD", "CWD /", "LIST", "RETR a", "STOR a", "PASV", "EPSV", "MKD x", "SIZE a", "STAT /"]) {
      assert.equal((await c.cmd(cmd)).code, "530", cmd);
    }
    assert.equal((await c.cmd("XYZZY")).code, "502");
    for (const cmd of ["NOOP", "SYST", "FEAT", "HELP"]) {
      assert.match((await c.cmd(cmd)).code, /^2/, cmd);
    }
    await c.expect("USER alice", "331");
    await c.expect("PASS pw", "230");
    assert.equal((await c.cmd("XYZZY arg")).code, "502");
    assert.equal((await c.cmd("USER bob")).code, "503");
    assert.equal((await c.cmd("PASS pw")).code, "503");
    assert.equal((await c.cmd("ACCT x")).code, "202");
  });

  it("REIN logs out: 220, then commands need login again", async () => {
    await withAlice(async (c) => {
      await c.expect("CWD /", "250");
      assert.equal((await c.cmd("REIN")).code, "220");
      assert.equal((await c.cmd("PWD")).code, "530");
      await c.expect("USER alice", "331");
      await c.expect("PASS pw", "230");
    });
  });

  it("a user without password logs in at USER (230); verifyPassword is used when given", async () => {
    const seen: string[] = [];
    await using srv = await startMemoryServer({
      users: [
        { login: "open" },
        { login: "v", verifyPassword: (p) => (seen.push(p), p === "good") },
      ],
      loginFailureDelay: 0,
    });
    await using c = await Control.connect(srv);
    assert.equal((await c.cmd("USER open")).code, "230");
    await c.expect("REIN", "220");
    await c.expect("USER v", "331");
    assert.equal((await c.cmd("PASS bad")).code, "530");
    await c.expect("USER v", "331");
    assert.equal((await c.cmd("PASS good")).code, "230");
    assert.deepEqual(seen, ["bad", "good"]);
  });

  it("a custom UserManager is asked and told about logout", async () => {
    const calls: string[] = [];
    const bob = new User({ login: "bob", homePath: "/home" });
    const manager: UserManager = {
      getUser(login) {
        calls.push(`get ${login}`);
        return Promise.resolve(login === "bob" ? { kind: "password-required", user: bob } : { kind: "refused" });
      },
      authenticate(user, password) {
        calls.push(`auth ${user.login}`);
        return Promise.resolve(password === "secret");
      },
      notifyLogout(user) {
        calls.push(`logout ${user.login}`);
      },
    };
    const storage = new MemoryPathIO();
    await storage.mkdir("/home");
    await using srv = await startMemoryServer({ userManager: manager, storage, loginFailureDelay: 0 });
    {
      await using c = await Control.login(srv, "bob", "secret");
      const pwd = await c.cmd("PWD");
      assert.match(pwd.lines[0]!, /^"\/home"/, "starts in the home path");
      await c.expect("QUIT", "221");
    }
    await srv.server.close();
    assert.deepEqual(calls, ["get bob", "auth bob", "logout bob"]);
  });

  it("anonymous answers to 'ftp' too and is read-only by default", async () => {
    await using srv = await startMemoryServer({ users: [{ anonymous: true }] });
    await putFile(srv.storage, "/pub.txt", "public");
    await using c = await Control.login(srv, "ftp", "x@y");
    assert.equal((await c.cmd("MKD new")).code, "550");
    assert.equal((await c.cmd("DELE pub.txt")).code, "550");
    await c.passive();
    assert.equal((await c.cmd("STOR up.txt")).code, "550");
    const got = await c.download("RETR pub.txt");
    assert.equal(text(got.data), "public");
  });
});

describe("server: information and settings commands", () => {
  it("NOOP 200, SYST 215 UNIX, ALLO 202", async () => {
    await withAlice(async (c) => {
      assert.equal((await c.cmd("NOOP")).code, "200");
      const syst = await c.cmd("SYST");
      assert.equal(syst.code, "215");
      assert.match(syst.lines[0]!, /^UNIX Type: L8/);
      assert.equal((await c.cmd("ALLO 1000")).code, "202");
    });
  });

  it("after ALLO, a storage failure of another kind keeps its own reply (a quota: 552 quota exceeded, not the ALLO text)", async () => {
    await using srv = await startMemoryServer({
      users: [ALICE],
      loginFailureDelay: 0,
      storage: new MemoryPathIO({ maxBytes: 3 }),
      uploadPolicy: "in-place",
    });
    await using c = await Control.login(srv, "alice", "pw");
    await c.expect("TYPE I", "200");
    await c.expect("ALLO 10", "202");
    const { final } = await c.upload("STOR q", bytes("12345"));
    assert.equal(final.code, "552");
    assert.match(final.lines.join(" "), /quota exceeded/);
  });

  it("ALLO's size goes to the storage with the next binary STOR only (not ASCII, REST, APPE, or after another command)", async () => {
    const seen: (number | undefined)[] = [];
    class Recording extends MemoryPathIO {
      override openWrite(path: string, options: OpenWriteOptions = {}): Promise<WritableStream<Uint8Array>> {
        seen.push(options.size);
        return super.openWrite(path, options);
      }
    }
    await using srv = await startMemoryServer({ users: [ALICE], loginFailureDelay: 0, storage: new Recording(), uploadPolicy: "in-place" });
    await using c = await Control.login(srv, "alice", "pw");
    const five = bytes("12345");
    await c.expect("TYPE I", "200");
    await c.expect("ALLO 5", "202");
    assert.equal((await c.upload("STOR a", five)).final.code, "226"); // PASV/EPSV keep it
    assert.equal((await c.upload("STOR b", five)).final.code, "226"); // used once
    await c.expect("ALLO 5 R 512", "202");
    await c.expect("NOOP", "200"); // another command drops it, as it drops REST
    assert.equal((await c.upload("STOR c", five)).final.code, "226");
    await c.expect("ALLO 5", "202");
    await c.expect("REST 2", "350");
    assert.equal((await c.upload("STOR a", five)).final.code, "226"); // an offset write: no size
    await c.expect("ALLO 5", "202");
    assert.equal((await c.upload("APPE a", five)).final.code, "226");
    await c.expect("TYPE A", "200");
    await c.expect("ALLO 5", "202");
    assert.equal((await c.upload("STOR d", five)).final.code, "226"); // ASCII: bytes on the wire ≠ file size
    assert.deepEqual(seen, [5, undefined, undefined, undefined, undefined, undefined]);
  });

  it("FEAT is a correctly formatted multi-line 211 with the features", async () => {
    await withAlice(async (c) => {
      await c.send("FEAT");
      // Read raw lines to check the wire format, not just the assembled reply.
      const r = await c.reply();
      assert.equal(r.code, "211");
      assert.equal(r.lines[0], "Features:");
      assert.equal(r.lines[r.lines.length - 1], "End");
      const feats = r.lines.slice(1, -1);
      for (const f of feats) assert.match(f, /^ \S/, "feature lines start with one space");
      for (const f of [" EPSV", " EPRT", " PASV", " SIZE", " MDTM", " MFMT", " REST STREAM", " UTF8", " TVFS"]) {
        assert.ok(feats.includes(f), f);
      }
      assert.ok(feats.some((f) => /^ MLST type\*;size\*;modify\*;perm\*;/.test(f)));
      assert.ok(!feats.some((f) => f.includes("AUTH")), "no AUTH without TLS");
    });
  });

  it("OPTS UTF8 ON, OPTS MLST selects facts, unknown OPTS is 501", async () => {
    await withAlice(async (c, srv) => {
      await putFile(srv.storage, "/f.txt", "12345");
      assert.equal((await c.cmd("OPTS UTF8 ON")).code, "200");
      const o = await c.cmd("OPTS MLST type;SIZE;bogus;");
      assert.equal(o.code, "200");
      assert.equal(o.lines[0], "MLST OPTS type;size;");
      const m = await c.cmd("MLST f.txt");
      assert.equal(m.code, "250");
      assert.equal(m.lines[1], " type=file;size=5; /f.txt");
      const feat = await c.cmd("FEAT");
      assert.ok(feat.lines.some((l) => l.startsWith(" MLST type*;size*;modify;perm;")));
      assert.equal((await c.cmd("OPTS FOO BAR")).code, "501");
      assert.equal((await c.cmd("OPTS UTF8 MAYBE")).code, "501");
    });
  });

  it("HELP lists commands; HELP <cmd> gives syntax; unknown is 502", async () => {
    await withAlice(async (c) => {
      const h = await c.cmd("HELP");
      assert.equal(h.code, "214");
      assert.ok(h.lines.length > 3);
      assert.ok(h.lines.join(" ").includes("RETR"));
      const r = await c.cmd("HELP retr");
      assert.equal(r.code, "214");
      assert.match(r.lines[0]!, /RETR <file>/);
      assert.equal((await c.cmd("HELP NOPE")).code, "502");
    });
  });

  it("STAT without argument is a multi-line 211; STAT <path> lists over the control connection", async () => {
    await withAlice(async (c, srv) => {
      await putFile(srv.storage, "/one.txt", "1");
      await srv.storage.mkdir("/dir");
      const s = await c.cmd("STAT");
      assert.equal(s.code, "211");
      assert.ok(s.lines.some((l) => l.includes("Logged in as alice")));
      const l = await c.cmd("STAT /");
      assert.equal(l.code, "213");
      assert.ok(l.lines.some((x) => /^-rw-r--r-- .* one\.txt$/.test(x)));
      assert.ok(l.lines.some((x) => /^d.* dir$/.test(x)));
      const f = await c.cmd("STAT -la one.txt");
      assert.equal(f.code, "213");
      assert.ok(f.lines.some((x) => x.endsWith(" one.txt")));
      assert.equal((await c.cmd("STAT /missing")).code, "550");
    });
  });

  it("SITE HELP 214, SITE CHMOD 200 (storage permitting), bad usage 501, unknown 504", async () => {
    await withAlice(async (c, srv) => {
      await putFile(srv.storage, "/f", "x");
      assert.equal((await c.cmd("SITE HELP")).code, "214");
      assert.equal((await c.cmd("SITE CHMOD 600 f")).code, "200");
      assert.equal((await srv.storage.stat("/f")).mode! & 0o777, 0o600);
      assert.equal((await c.cmd("SITE CHMOD rwx f")).code, "501");
      assert.equal((await c.cmd("SITE CHMOD 600 missing")).code, "550");
      assert.equal((await c.cmd("SITE EXEC ls")).code, "504");
    });
  });

  it("TYPE A/I/L 8 200, TYPE E 504, TYPE X 501; MODE S only; STRU F only", async () => {
    await withAlice(async (c) => {
      for (const t of ["A", "A N", "I", "L 8", "i"]) assert.equal((await c.cmd(`TYPE ${t}`)).code, "200", t);
      assert.equal((await c.cmd("TYPE E")).code, "504");
      assert.equal((await c.cmd("TYPE A T")).code, "504");
      assert.equal((await c.cmd("TYPE X")).code, "501");
      assert.equal((await c.cmd("TYPE")).code, "501");
      assert.equal((await c.cmd("MODE S")).code, "200");
      assert.equal((await c.cmd("MODE B")).code, "504");
      assert.equal((await c.cmd("MODE Q")).code, "501");
      assert.equal((await c.cmd("STRU F")).code, "200");
      assert.equal((await c.cmd("STRU R")).code, "504");
      assert.equal((await c.cmd("STRU Q")).code, "501");
    });
  });

  it("AUTH without a TLS certificate is 502; PBSZ/PROT before AUTH are 503", async () => {
    await withAlice(async (c) => {
      assert.equal((await c.cmd("AUTH TLS")).code, "502");
      assert.equal((await c.cmd("PBSZ 0")).code, "503");
      assert.equal((await c.cmd("PROT P")).code, "503");
    });
  });

  it("disabled commands answer 502 and leave FEAT", async () => {
    await using srv = await startMemoryServer({ users: [ALICE], disabledCommands: ["mlsd", "MLST", "EPSV"] });
    await using c = await Control.login(srv, "alice", "pw");
    assert.equal((await c.cmd("MLSD")).code, "502");
    assert.equal((await c.cmd("MLST /")).code, "502");
    assert.equal((await c.cmd("EPSV")).code, "502");
    const feat = await c.cmd("FEAT");
    assert.ok(!feat.lines.some((l) => l.includes("MLST") || l.includes("EPSV")));
  });
});

describe("server: directory and file commands", () => {
  it("CWD/CDUP/PWD/XPWD", async () => {
    await withAlice(async (c, srv) => {
      await srv.storage.mkdir("/a/b", { parents: true });
      await putFile(srv.storage, "/a/f", "x");
      assert.equal((await c.cmd("CWD a/b")).code, "250");
      assert.match((await c.cmd("PWD")).lines[0]!, /^"\/a\/b"/);
      assert.equal((await c.cmd("CDUP")).code, "250");
      assert.match((await c.cmd("XPWD")).lines[0]!, /^"\/a"/);
      assert.equal((await c.cmd("CWD missing")).code, "550");
      assert.equal((await c.cmd("CWD f")).code, "550");
      assert.equal((await c.cmd("CWD")).code, "501");
      assert.equal((await c.cmd("XCWD /")).code, "250");
      assert.equal((await c.cmd("CDUP")).code, "250");
      assert.match((await c.cmd("PWD")).lines[0]!, /^"\/"/);
    });
  });

  it("MKD 257 with quoted path (quotes doubled), existing or parentless 550; RMD", async () => {
    await withAlice(async (c, srv) => {
      const m = await c.cmd("MKD new");
      assert.equal(m.code, "257");
      assert.match(m.lines[0]!, /^"\/new" /);
      const q = await c.cmd('MKD say "hi"');
      assert.equal(q.code, "257");
      assert.match(q.lines[0]!, /^"\/say ""hi""" /);
      assert.ok(await srv.storage.isDir('/say "hi"'));
      assert.equal((await c.cmd("MKD new")).code, "550");
      assert.equal((await c.cmd("MKD no/such/parent")).code, "550");
      assert.equal((await c.cmd("XMKD other")).code, "257");
      await putFile(srv.storage, "/new/f", "x");
      assert.equal((await c.cmd("RMD new")).code, "550", "not empty");
      assert.equal((await c.cmd("RMD new/f")).code, "550", "not a directory");
      assert.equal((await c.cmd("RMD /")).code, "550");
      assert.equal((await c.cmd("RMD gone")).code, "550");
      assert.equal((await c.cmd("RMD other")).code, "250");
      assert.equal(await srv.storage.exists("/other"), false);
      assert.equal((await c.cmd("MKD")).code, "501");
    });
  });

  it("DELE 250; missing or directory 550", async () => {
    await withAlice(async (c, srv) => {
      await putFile(srv.storage, "/f", "x");
      await srv.storage.mkdir("/d");
      assert.equal((await c.cmd("DELE f")).code, "250");
      assert.equal(await srv.storage.exists("/f"), false);
      assert.equal((await c.cmd("DELE f")).code, "550");
      assert.equal((await c.cmd("DELE d")).code, "550");
      assert.equal((await c.cmd("DELE")).code, "501");
    });
  });

  it("RNFR 350 + RNTO 250; RNTO without RNFR 503; RNFR is cleared by another command", async () => {
    await withAlice(async (c, srv) => {
      await putFile(srv.storage, "/f", "data");
      await srv.storage.mkdir("/d");
      assert.equal((await c.cmd("RNFR f")).code, "350");
      assert.equal((await c.cmd("RNTO d/g")).code, "250");
      assert.equal(text(await getFile(srv.storage, "/d/g")), "data");
      assert.equal((await c.cmd("RNTO x")).code, "503");
      assert.equal((await c.cmd("RNFR missing")).code, "550");
      assert.equal((await c.cmd("RNFR d/g")).code, "350");
      await c.expect("NOOP", "200");
      assert.equal((await c.cmd("RNTO h")).code, "503");
      assert.equal((await c.cmd("RNFR d")).code, "350");
      assert.equal((await c.cmd("RNTO d/inner")).code, "550", "into itself");
      assert.equal((await c.cmd("RNFR /")).code, "550");
    });
  });

  it("SIZE 213, MDTM 213 YYYYMMDDHHMMSS, MFMT sets the time", async () => {
    await withAlice(async (c, srv) => {
      await putFile(srv.storage, "/f", "12345");
      await srv.storage.mkdir("/d");
      assert.deepEqual(await c.cmd("SIZE f"), { code: "213", lines: ["5"] });
      assert.equal((await c.cmd("SIZE d")).code, "550");
      assert.equal((await c.cmd("SIZE nope")).code, "550");
      const md = await c.cmd("MDTM f");
      assert.equal(md.code, "213");
      assert.match(md.lines[0]!, /^\d{14}$/);
      const mf = await c.cmd("MFMT 20200102030405 f");
      assert.deepEqual(mf, { code: "213", lines: ["Modify=20200102030405; /f"] });
      assert.deepEqual(await c.cmd("MDTM f"), { code: "213", lines: ["20200102030405"] });
      assert.equal((await srv.storage.stat("/f")).mtime.toISOString(), "2020-01-02T03:04:05.000Z");
      assert.equal((await c.cmd("MFMT yesterday f")).code, "501");
      assert.equal((await c.cmd("MFMT 20200102030405 nope")).code, "550");
      assert.equal((await c.cmd("MDTM nope")).code, "550");
    });
  });

  it("MLST 250 with one entry line starting with a space; missing 550", async () => {
    await withAlice(async (c, srv) => {
      await putFile(srv.storage, "/f.txt", "abc");
      await srv.storage.mkdir("/d");
      const m = await c.cmd("MLST f.txt");
      assert.equal(m.code, "250");
      assert.equal(m.lines.length, 3);
      assert.match(m.lines[1]!, /^ type=file;size=3;modify=\d{14};perm=rawdf;unix\.mode=0644; \/f\.txt$/);
      const d = await c.cmd("MLST");
      assert.match(d.lines[1]!, /^ type=dir;modify=\d{14};perm=elcmpdf;unix\.mode=0755; \/$/);
      assert.equal((await c.cmd("MLST nope")).code, "550");
    });
  });
});

describe("server: data connection commands", () => {
  it("PASV 227 with the control address; EPSV 229; EPSV 1 ok, 2 and 3 are 522", async () => {
    await withAlice(async (c) => {
      const p = await c.cmd("PASV");
      assert.equal(p.code, "227");
      assert.match(p.lines[0]!, /\(127,0,0,1,\d+,\d+\)/);
      assert.equal((await c.cmd("EPSV")).code, "229");
      assert.match((await c.cmd("EPSV 1")).lines[0]!, /\(\|\|\|\d+\|\)/);
      assert.equal((await c.cmd("EPSV 2")).code, "522");
      assert.equal((await c.cmd("EPSV 3")).code, "522");
      assert.equal((await c.cmd("EPSV junk")).code, "522");
    });
  });

  it("EPSV ALL: afterwards PASV, PORT and EPRT are refused, EPSV works", async () => {
    await withAlice(async (c) => {
      assert.equal((await c.cmd("EPSV ALL")).code, "200");
      assert.equal((await c.cmd("PASV")).code, "503");
      assert.equal((await c.cmd("PORT 127,0,0,1,200,10")).code, "503");
      assert.equal((await c.cmd("EPRT |1|127.0.0.1|51210|")).code, "503");
      assert.equal((await c.cmd("EPSV")).code, "229");
    });
  });

  it("PORT and EPRT: malformed 501, unknown protocol 522, wrong family 522", async () => {
    await withAlice(async (c) => {
      assert.equal((await c.cmd("PORT 1,2,3")).code, "501");
      assert.equal((await c.cmd("PORT 127,0,0,1,300,1")).code, "501");
      assert.equal((await c.cmd("PORT")).code, "501");
      assert.equal((await c.cmd("EPRT garbage")).code, "501");
      assert.equal((await c.cmd("EPRT |1|127.0.0.1|0|")).code, "501");
      assert.equal((await c.cmd("EPRT |3|127.0.0.1|5000|")).code, "522");
      assert.equal((await c.cmd("EPRT |2|::1|5000|")).code, "522");
    });
  });

  it("active mode RETR/STOR over PORT and EPRT", async () => {
    await withAlice(async (c, srv) => {
      await putFile(srv.storage, "/f", "active data");
      for (const command of ["PORT", "EPRT"] as const) {
        const { accept } = await c.active(command);
        await c.expect("RETR f", "150");
        const conn = await guard(accept, "active accept");
        assert.equal(text(await readAll(conn.readable)), "active data");
        conn.close();
        assert.equal((await c.reply()).code, "226");
      }
      const { accept } = await c.active("PORT");
      await c.expect("STOR up", "150");
      const conn = await guard(accept, "active accept");
      const w = conn.writable.getWriter();
      await w.write(bytes("uploaded actively"));
      await w.close();
      assert.equal((await c.reply()).code, "226");
      conn.close();
      assert.equal(text(await getFile(srv.storage, "/up")), "uploaded actively");
    });
  });

  it("a transfer without PASV/PORT is 425; REST needs a number (501)", async () => {
    await withAlice(async (c, srv) => {
      await putFile(srv.storage, "/f", "x");
      assert.equal((await c.cmd("RETR f")).code, "425");
      assert.equal((await c.cmd("STOR g")).code, "425");
      assert.equal((await c.cmd("LIST")).code, "425");
      assert.equal((await c.cmd("REST abc")).code, "501");
      assert.equal((await c.cmd("REST -1")).code, "501");
      assert.equal((await c.cmd("REST 5")).code, "350");
    });
  });

  it("ABOR with nothing to abort is 226", async () => {
    await withAlice(async (c) => {
      assert.equal((await c.cmd("ABOR")).code, "226");
      await c.expect("PASV", "227");
      assert.equal((await c.cmd("ABOR")).code, "226");
    });
  });
});

describe("server: transfer commands", () => {
  it("RETR of a missing file or a directory is 550; STOR into a missing directory is 550", async () => {
    await withAlice(async (c, srv) => {
      await srv.storage.mkdir("/d");
      await c.expect("EPSV", "229");
      assert.equal((await c.cmd("RETR nope")).code, "550");
      assert.equal((await c.cmd("RETR d")).code, "550");
      assert.equal((await c.cmd("STOR no/dir/f")).code, "550");
      assert.equal((await c.cmd("STOR d")).code, "550");
      assert.equal((await c.cmd("RETR")).code, "501");
    });
  });

  it("APPE appends; STOU picks unique names and says FILE: name", async () => {
    await withAlice(async (c, srv) => {
      await putFile(srv.storage, "/log", "one;");
      await c.expect("TYPE I", "200");
      assert.equal((await c.upload("APPE log", bytes("two;"))).final.code, "226");
      assert.equal(text(await getFile(srv.storage, "/log")), "one;two;");
      assert.equal((await c.upload("APPE fresh", bytes("new"))).final.code, "226");
      assert.equal(text(await getFile(srv.storage, "/fresh")), "new");
      const a = await c.upload("STOU", bytes("A"));
      const b = await c.upload("STOU", bytes("B"));
      const nameA = /FILE: (\S+)/.exec(a.preliminary.lines[0]!)![1]!;
      const nameB = /FILE: (\S+)/.exec(b.preliminary.lines[0]!)![1]!;
      assert.notEqual(nameA, nameB);
      assert.equal(a.final.code, "226");
      assert.equal(text(await getFile(srv.storage, `/${nameA}`)), "A");
      assert.equal(text(await getFile(srv.storage, `/${nameB}`)), "B");
      const named = await c.upload("STOU log", bytes("C"));
      assert.match(named.preliminary.lines[0]!, /FILE: log\.1/);
    });
  });

  it("LIST accepts -a/-l options, lists a file as one line; NLST gives names; MLSD gives facts", async () => {
    await withAlice(async (c, srv) => {
      await srv.storage.mkdir("/d");
      await putFile(srv.storage, "/d/x.txt", "12345");
      await srv.storage.mkdir("/d/sub");
      for (const cmd of ["LIST -a d", "LIST -la d", "LIST -l -a d"]) {
        const l = await c.download(cmd);
        assert.equal(l.final.code, "226", cmd);
        const lines = text(l.data).split("\r\n").filter(Boolean);
        assert.equal(lines.length, 2, cmd);
        assert.ok(lines.some((x) => /^-rw-r--r-- +1 \S+ +\S+ +5 \w{3} [ \d]\d [ \d]\d:\d\d x\.txt$/.test(x)), lines.join("|"));
        assert.ok(lines.some((x) => /^drwxr-xr-x .* sub$/.test(x)));
      }
      await c.expect("CWD d", "250");
      const one = await c.download("LIST x.txt");
      assert.match(text(one.data), /^-rw-r--r--.* x\.txt\r\n$/);
      const n = await c.download("NLST");
      assert.deepEqual(text(n.data).split("\r\n").filter(Boolean).sort(), ["sub", "x.txt"]);
      const m = await c.download("MLSD");
      const ml = text(m.data).split("\r\n").filter(Boolean).sort();
      assert.match(ml[0]!, /^type=dir;modify=\d{14};perm=elcmpdf;unix\.mode=0755; sub$/);
      assert.match(ml[1]!, /^type=file;size=5;modify=\d{14};perm=rawdf;unix\.mode=0644; x\.txt$/);
      await c.expect("EPSV", "229");
      assert.equal((await c.cmd("MLSD x.txt")).code, "501");
      assert.equal((await c.cmd("LIST nope")).code, "550");
    });
  });

  it("TYPE A converts LF to CRLF on RETR and CRLF to LF on STOR; TYPE I is byte exact", async () => {
    await withAlice(async (c, srv) => {
      await putFile(srv.storage, "/t.txt", "a\nb\r\nc\n");
      await c.expect("TYPE A", "200");
      assert.equal(text((await c.download("RETR t.txt")).data), "a\r\nb\r\nc\r\n");
      await c.upload("STOR u.txt", bytes("x\r\ny\rz\r\n"));
      assert.equal(text(await getFile(srv.storage, "/u.txt")), "x\ny\rz\n");
      await c.expect("TYPE I", "200");
      assert.equal(text((await c.download("RETR t.txt")).data), "a\nb\r\nc\n");
      await c.upload("STOR v.txt", bytes("x\r\ny"));
      assert.equal(text(await getFile(srv.storage, "/v.txt")), "x\r\ny");
    });
  });

  it("REST offsets RETR; STOR after REST writes in place", async () => {
    await withAlice(async (c, srv) => {
      await putFile(srv.storage, "/f", "0123456789");
      await c.expect("TYPE I", "200");
      await c.expect("REST 4", "350");
      assert.equal(text((await c.download("RETR f")).data), "456789");
      await c.expect("REST 2", "350");
      await c.upload("STOR f", bytes("ab"));
      assert.equal(text(await getFile(srv.storage, "/f")), "01ab456789");
    });
  });

  it("a listing leaves out names with CR or LF", async () => {
    await withAlice(async (c, srv) => {
      await putFile(srv.storage, "/ok", "1");
      await putFile(srv.storage, "/evil\r\n226 fake", "1");
      const l = await c.download("NLST");
      assert.deepEqual(text(l.data).split("\r\n").filter(Boolean), ["ok"]);
    });
  });
});

describe("server: events", () => {
  it("reports session, login, command, reply, transfer and close events without the password", async () => {
    await using srv = await startMemoryServer({ users: [{ login: "ev", password: "hunter2" }] });
    await putFile(srv.storage, "/f", "12345");
    const c = await Control.login(srv, "ev", "hunter2");
    await c.expect("TYPE I", "200");
    await c.download("RETR f");
    await c.upload("STOR g", bytes("abc"));
    await c.expect("QUIT", "221");
    c.close();
    await srv.server.close();
    const ev = srv.events;
    const types = new Set(ev.map((e) => e.type));
    for (const t of ["listening", "session-open", "login", "command", "reply", "transfer", "session-close", "server-close"]) {
      assert.ok(types.has(t as never), t);
    }
    assert.ok(!JSON.stringify(ev).includes("hunter2"), "password never appears");
    const pass = ev.find((e) => e.type === "command" && e.name === "PASS");
    assert.ok(pass && pass.type === "command" && pass.arg === "********");
    const transfers = ev.filter((e) => e.type === "transfer");
    assert.equal(transfers.length, 2);
    const [down, up] = transfers as Extract<typeof ev[number], { type: "transfer" }>[];
    assert.equal(down!.direction, "download");
    assert.equal(down!.bytes, 5);
    assert.equal(down!.ok, true);
    assert.equal(down!.user, "ev");
    assert.equal(up!.direction, "upload");
    assert.equal(up!.bytes, 3);
    assert.equal(up!.path, "/g");
    assert.ok(down!.durationMs >= 0);
    const close = ev.find((e) => e.type === "session-close");
    assert.ok(close && close.type === "session-close" && close.reason === "quit");
  });
});

describe("server: listing patterns", () => {
  it("NLST and LIST accept * and ? patterns in the last name", async () => {
    await withAlice(async (c, srv) => {
      for (const n of ["a.txt", "b.txt", "c.log", "d.txt.bak"]) await putFile(srv.storage, `/d/${n}`, "x");
      const n = await c.download("NLST d/*.txt");
      assert.deepEqual(text(n.data).split("\r\n").filter(Boolean).sort(), ["a.txt", "b.txt"]);
      const l = await c.download("LIST /d/?.log");
      assert.match(text(l.data), /^-.* c\.log\r\n$/);
      await c.expect("EPSV", "229");
      assert.equal((await c.cmd("NLST nodir/*.txt")).code, "550");
      const none = await c.download("NLST d/*.none");
      assert.equal(none.data.length, 0);
    });
  });
});

describe("server: lifecycle and adapters", () => {
  it("runs over any Net adapter (the in-memory one here) and closes with await using", async () => {
    const net = createMemoryNet();
    const storage = new MemoryPathIO();
    await putFile(storage, "/f", "in memory");
    let port: number;
    {
      await using server = new Server({ net, storage, users: [{ anonymous: true }] });
      port = (await server.listen({ hostname: "127.0.0.1", port: 2121 })).port;
      assert.equal(server.address.port, port);
      const conn = await net.connect({ hostname: "127.0.0.1", port });
      const { control: c, greeting } = await Control.over(conn, net);
      assert.equal(greeting.code, "220");
      await c.expect("USER anonymous", "331");
      await c.expect("PASS x", "230");
      assert.equal(text((await c.download("RETR f")).data), "in memory");
      c.close();
    }
    await assert.rejects(net.connect({ hostname: "127.0.0.1", port }));
  });

  it("listen on a second port adds a listener; on a bound port or after close is an error; address before listen throws", async () => {
    const server = new Server();
    assert.throws(() => server.address);
    const first = await server.listen({ port: 0 });
    const second = await server.listen({ port: 0 });
    assert.notEqual(first.port, second.port);
    assert.deepEqual(server.addresses, [first, second]);
    await assert.rejects(server.listen({ port: first.port }));
    await server.close();
    await assert.rejects(server.listen({ port: 0 }));
    await server.close();
    assert.throws(() => new Server({ idleTimeout: -1 }), RangeError);
    assert.throws(() => new Server({ passivePorts: { min: 2, max: 1 } }), RangeError);
  });
});

describe("server: encoding and socket options", () => {
  it("latin1 encoding: names and replies in Latin-1, no UTF8 feature", async () => {
    const storage = new MemoryPathIO();
    await putFile(storage, "/caf\u00e9.txt", "x");
    await using srv = await startMemoryServer({ users: [ALICE], storage, encoding: "latin1" });
    await using c = await Control.login(srv, "alice", "pw");
    const feat = await c.cmd("FEAT");
    assert.ok(!feat.lines.includes(" UTF8"));
    assert.equal((await c.cmd("OPTS UTF8 ON")).code, "504");
    const n = await c.download("NLST");
    assert.deepEqual([...n.data], [...bytes("caf"), 0xe9, ...bytes(".txt\r\n")]);
    // The command line is decoded as Latin-1 too.
    await c.sendRaw(new Uint8Array([...bytes("SIZE caf"), 0xe9, ...bytes(".txt\r\n")]));
    assert.deepEqual(await c.reply(), { code: "213", lines: ["1"] });
  });

  it("switches Nagle off on control connections", async () => {
    const real = await defaultNet();
    const noDelay: boolean[] = [];
    const spy = {
      name: "spy",
      connect: real.connect.bind(real),
      async listen(options: Parameters<typeof real.listen>[0]) {
        const listener = await real.listen(options);
        return {
          get addr() {
            return listener.addr;
          },
          close: () => listener.close(),
          [Symbol.asyncDispose]: () => listener[Symbol.asyncDispose](),
          async *[Symbol.asyncIterator]() {
            for await (const conn of listener) {
              const original = conn.setNoDelay.bind(conn);
              conn.setNoDelay = (v: boolean) => (noDelay.push(v), original(v));
              yield conn;
            }
          },
        };
      },
    };
    await using srv = await startServer({ users: [ALICE], net: spy });
    const c = await Control.login(srv.port, "alice", "pw");
    c.close();
    assert.deepEqual(noDelay, [true]);
  });
});
