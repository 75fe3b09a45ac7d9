/**
 * Python's standard ftplib (a real, independent client) drives our server running in this
 * test's runtime. The driver script (tests/fixtures/interop/ftplib_client.py) runs one
 * scenario per child process and reports every step as JSON; the assertions live here and
 * also check what landed on disk.
 */

import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { Buffer } from "node:buffer";
import { existsSync } from "node:fs";
import { mkdir, readdir, readFile, stat, utimes, writeFile } from "node:fs/promises";
import { join } from "node:path";
import {
  failed,
  type FtplibResult,
  type InteropServer,
  killPeers,
  ok,
  OUTSIDE_SECRET,
  PASSWORD,
  PYTHON,
  runFtplib,
  runTool,
  sha256File,
  skipIPv6,
  skipUnless,
  startInteropServer,
  USER,
  writeRandomFile,
} from "./_support/mod.ts";


const code = (reply: unknown) => String(reply).slice(0, 3);

function scenario(s: InteropServer, name: string, extra: Record<string, unknown> = {}): Promise<FtplibResult> {
  return runFtplib({
    host: s.host,
    port: s.port,
    user: USER,
    password: PASSWORD,
    scenario: name,
    workdir: s.dir,
    timeout: 15,
    ...extra,
  });
}

/** Asserts the basic scenario: directories, STOR/RETR/REST/APPE, listings, rename, delete. */
async function checkBasic(s: InteropServer, r: FtplibResult, dirname: string, payloadSize: number) {
  assert.equal(r.fatal, null, `fatal: ${r.fatal}`);
  assert.equal(code(ok(r, "welcome")), "220");
  assert.equal(code(ok(r, "login")), "230");
  assert.equal(ok(r, "pwd0"), "/");
  assert.equal(ok(r, "mkd"), `/${dirname}`);
  assert.equal(code(ok(r, "cwd")), "250");
  assert.equal(ok(r, "pwd1"), `/${dirname}`);
  assert.equal(code(ok(r, "stor")), "226");
  assert.equal(ok(r, "size"), payloadSize);
  assert.deepEqual(ok(r, "nlst"), ["data.bin", "kept.bin"]);
  const dirLines: string[] = ok(r, "dir_lines");
  assert.equal(dirLines.length, 2, dirLines.join("\n"));
  for (const l of dirLines) assert.match(l, new RegExp(`^-[rwx-]{9}\\s+\\d+\\s+\\S+\\s+\\S+\\s+${payloadSize}\\s`));
  const mlsd: Array<[string, Record<string, string>]> = ok(r, "mlsd");
  assert.deepEqual(mlsd.map(([n]) => n), ["data.bin", "kept.bin"], "MLSD must not list . or ..");
  for (const [, facts] of mlsd) {
    assert.equal(facts.type, "file");
    assert.equal(facts.size, String(payloadSize));
    assert.match(facts.modify ?? "", /^\d{14}(\.\d+)?$/);
  }
  assert.equal(ok(r, "retr_sha256"), ok(r, "expect_sha256"));
  assert.equal(ok(r, "retr_rest_sha256"), ok(r, "expect_rest_sha256"));
  assert.equal(code(ok(r, "appe")), "226");
  assert.equal(ok(r, "size_after_appe"), payloadSize + 4);
  assert.equal(code(ok(r, "rename")), "250");
  assert.deepEqual(ok(r, "nlst_after_rename"), ["kept.bin", "renamed.bin"]);
  assert.equal(code(ok(r, "delete")), "250");
  assert.equal(ok(r, "mkd_empty"), `/${dirname}/empty`);
  assert.equal(code(ok(r, "rmd")), "250");
  assert.match(failed(r, "rmd_nonempty"), /error_perm: 550/);
  assert.equal(code(ok(r, "cwd_up")), "250");
  assert.equal(ok(r, "pwd2"), "/");
  assert.equal(code(ok(r, "quit")), "221");
  // On disk: kept.bin is the payload, everything else is gone.
  assert.deepEqual((await readdir(join(s.root, dirname))).sort(), ["kept.bin"]);
  assert.equal(await sha256File(join(s.root, dirname, "kept.bin")), ok(r, "expect_sha256"));
}

describe("interop: Python ftplib drives our server", { skip: skipUnless(PYTHON, ["-c", "import ftplib"]) }, () => {
  let s: InteropServer;
  let payloadSize: number;

  before(async () => {
    s = await startInteropServer({ label: "ftplib" });
    payloadSize = 777_777;
    await writeRandomFile(join(s.dir, "payload.bin"), payloadSize);
  });
  after(async () => {
    killPeers();
    await s?.close();
  });

  it("python3 with ftplib is installed", async () => {
    assert.equal((await runTool(PYTHON, ["-c", "import ftplib"])).code, 0);
  });

  it("passive (PASV): login, pwd, cwd, mkd, rmd, delete, rename, size, nlst, dir, mlsd, STOR, RETR with rest, APPE", async () => {
    const r = await scenario(s, "basic", { pasv: true, payload: "payload.bin", dirname: "basic-pasv", rest: 4321 });
    await checkBasic(s, r, "basic-pasv", payloadSize);
    assert.ok(r.commands.includes("PASV"), r.commands.join(" | "));
    assert.ok(r.commands.includes("REST 4321"));
  });

  it("active (PORT): the same command set", async () => {
    const r = await scenario(s, "basic", { pasv: false, payload: "payload.bin", dirname: "basic-port", rest: 1 });
    await checkBasic(s, r, "basic-port", payloadSize);
    assert.ok(r.commands.some((c) => c.startsWith("PORT 127,0,0,1,")), r.commands.join(" | "));
    assert.ok(!r.commands.includes("PASV"));
  });

  it("TYPE A: storlines/retrlines, LF on disk and CRLF on the wire; TYPE I keeps bytes", async () => {
    await writeFile(join(s.root, "lf.txt"), "x\ny\n");
    const r = await scenario(s, "text", { pasv: true });
    assert.equal(r.fatal, null);
    assert.equal(code(ok(r, "storlines")), "226");
    assert.equal(await readFile(join(s.root, "lines.txt"), "latin1"), "one\ntwo\n\nfour\n");
    assert.equal(code(ok(r, "retrlines")), "226");
    assert.deepEqual(ok(r, "retrlines_lines"), ["one", "two", "", "four"]);
    assert.equal(Buffer.from(ok(r, "raw_ascii_retr_hex"), "hex").toString("latin1"), "x\r\ny\r\n");
    assert.equal(code(ok(r, "raw_ascii_stor")), "226");
    assert.equal(await readFile(join(s.root, "crlf_up.txt"), "latin1"), "alpha\nbeta\n");
    assert.equal(Buffer.from(ok(r, "raw_binary_retr_hex"), "hex").toString("latin1"), "x\ny\n");
    assert.equal(code(ok(r, "raw_binary_stor")), "226");
    assert.equal(await readFile(join(s.root, "bin_crlf.bin"), "latin1"), "x\r\ny\r\n");
  });

  it("TYPE A on a 3 MB text with lines of every length: exact CRLF↔LF both ways", async () => {
    const client = join(s.dir, "client");
    await mkdir(client, { recursive: true });
    const r = await scenario(s, "text_big", { pasv: true, size: 3_000_000, seed: 7, workdir: client });
    assert.equal(r.fatal, null, `fatal: ${r.fatal}`);
    assert.equal(code(ok(r, "storlines")), "226");
    const want = ok(r, "expect_lf_sha256");
    assert.equal(await sha256File(join(client, "big_lf.txt")), want);
    assert.equal(await sha256File(join(s.root, "big_text.txt")), want, "STOR in TYPE A did not store LF lines");
    assert.equal(code(ok(r, "retrlines")), "226");
    assert.equal(ok(r, "retrlines_equal"), true, "RETR in TYPE A changed the lines");
    assert.equal(ok(r, "raw_ascii_equal"), true, "RETR in TYPE A is not exactly the CRLF form on the wire");
    assert.equal(code(ok(r, "raw_ascii_stor")), "226");
    assert.equal(await sha256File(join(s.root, "big_text_raw.txt")), want);
  });

  it("FEAT SYST NOOP STAT HELP MDTM MFMT OPTS SITE STOU ALLO MODE STRU REST APPE via sendcmd", async () => {
    const dir = join(s.root, "cmds");
    await mkdir(dir);
    const f = join(dir, "f.txt");
    await writeFile(f, "content");
    const when = new Date(Date.UTC(2020, 0, 2, 3, 4, 5));
    await utimes(f, when, when);
    await writeFile(join(dir, "append.txt"), "hello ");
    const r = await runFtplib({
      host: s.host,
      port: s.port,
      user: USER,
      password: PASSWORD,
      scenario: "commands",
      workdir: s.dir,
      file: "/cmds/f.txt",
      append: "/cmds/append.txt",
      dir: "/cmds",
      timeout: 15,
      pasv: true,
    });
    assert.equal(r.fatal, null, `fatal: ${r.fatal}`);
    const feat: string = ok(r, "FEAT");
    assert.match(feat, /^211-/);
    assert.match(feat, /\n211 /);
    const feats = feat.split("\n").slice(1, -1).map((l) => l.trim().toUpperCase());
    for (const want of ["SIZE", "MDTM", "MFMT", "REST STREAM", "UTF8", "EPSV", "EPRT"]) {
      assert.ok(feats.includes(want), `FEAT lacks ${want}: ${feat}`);
    }
    assert.ok(feats.some((l) => l.startsWith("MLST ")), `FEAT lacks MLST: ${feat}`);
    assert.match(ok(r, "SYST"), /^215 UNIX Type: L8/);
    assert.equal(code(ok(r, "NOOP")), "200");
    assert.match(ok(r, "STAT"), /^211-[\s\S]*\n211 /);
    assert.match(ok(r, "HELP"), /^214/);
    assert.equal(ok(r, "MDTM"), "213 20200102030405");
    assert.equal(code(ok(r, "MFMT")), "213");
    assert.equal(ok(r, "MDTM_after"), "213 20210203040506");
    assert.equal((await stat(f)).mtime.getTime(), Date.UTC(2021, 1, 3, 4, 5, 6));
    assert.match(ok(r, "OPTS_UTF8"), /^20[02]/);
    assert.match(ok(r, "SITE_HELP"), /^214/);
    assert.equal(code(ok(r, "SITE_CHMOD")), "200");
    assert.equal((await stat(f)).mode & 0o777, 0o600);
    assert.match(ok(r, "ALLO"), /^20[02]/);
    assert.equal(code(ok(r, "MODE_S")), "200");
    assert.match(failed(r, "MODE_B"), /error_perm: 504/);
    assert.equal(code(ok(r, "STRU_F")), "200");
    assert.match(failed(r, "STRU_R"), /error_perm: 504/);
    assert.equal(code(ok(r, "REST")), "350");
    assert.equal(code(ok(r, "NOOP_after_REST")), "200");
    assert.match(failed(r, "SIZE_missing"), /error_perm: 550/);
    assert.match(failed(r, "SIZE_dir"), /error_perm: 550/);
    assert.match(failed(r, "UNKNOWN"), /error_perm: 50[02]/);
    // APPE appends, STOU stores under a fresh name and says which.
    assert.equal(code(ok(r, "appe")), "226");
    assert.equal(await readFile(join(dir, "append.txt"), "utf8"), "hello world");
    const [stouPrelim, stouFinal]: [string, string] = ok(r, "stou");
    assert.equal(code(stouFinal), "226");
    const m = /^1\d\d FILE:\s*(\S+)/i.exec(stouPrelim);
    assert.ok(m, `STOU's 1xx reply must name the file (RFC 1123 4.1.2.9): ${stouPrelim}`);
    const created = m![1]!.split("/").pop()!;
    assert.equal(await readFile(join(s.root, created), "utf8"), "unique content");
    // Nothing to abort: 225 or 226, and the control connection stays in step.
    assert.match(ok(r, "abor_idle"), /^22[56]/);
    assert.equal(code(ok(r, "NOOP_after_abor")), "200");
    // ACCT is superfluous here (202), OPTS MLST narrows the facts, paths work for NLST/LIST.
    assert.match(ok(r, "acct"), /^20[02]/);
    const facts: Array<[string, Record<string, string>]> = ok(r, "mlsd_facts");
    assert.deepEqual(facts.map(([n]) => n), ["append.txt", "f.txt"]);
    assert.deepEqual(facts.find(([n]) => n === "f.txt")![1], { type: "file", size: "7" });
    // RFC 959 leaves open whether NLST <dir> names entries bare or with the path; both are common.
    assert.deepEqual((ok(r, "nlst_path") as string[]).map((n) => n.split("/").pop()), ["append.txt", "f.txt"]);
    const dirLines: string[] = ok(r, "dir_path_lines");
    assert.equal(dirLines.length, 2);
    assert.ok(dirLines.some((l) => / f\.txt$/.test(l)), dirLines.join("\n"));
    // The X* aliases of RFC 775 and REIN.
    assert.match(ok(r, "XMKD"), /^257 "\/xdir"/);
    assert.equal(code(ok(r, "XCWD")), "250");
    assert.match(ok(r, "XPWD"), /^257 "\/xdir"/);
    assert.equal(code(ok(r, "XCUP")), "250");
    assert.equal(code(ok(r, "XRMD")), "250");
    assert.equal(existsSync(join(s.root, "xdir")), false);
    assert.equal(code(ok(r, "REIN")), "220");
    assert.match(failed(r, "PWD_after_REIN"), /error_perm: 530/);
    assert.equal(code(ok(r, "login_after_REIN")), "230");
    assert.equal(ok(r, "pwd_after_relogin"), "/");
    assert.equal(code(ok(r, "quit")), "221");
  });

  it("IPv6 (::1): passive uses EPSV, active uses EPRT", { skip: skipIPv6 }, async () => {
    await using s6 = await startInteropServer({ host: "::1", label: "ftplib6" });
    await writeRandomFile(join(s6.dir, "payload.bin"), 99_999);
    for (const pasv of [true, false]) {
      const dirname = pasv ? "v6-epsv" : "v6-eprt";
      const r = await scenario(s6, "basic", { pasv, payload: "payload.bin", dirname, rest: 10 });
      assert.equal(ok(r, "family"), "IPv6");
      await checkBasic(s6, r, dirname, 99_999);
      if (pasv) {
        assert.ok(r.commands.includes("EPSV"), r.commands.join(" | "));
        assert.ok(!r.commands.includes("PASV"));
      } else {
        assert.ok(r.commands.some((c) => c.startsWith("EPRT |2|::1|")), r.commands.join(" | "));
        assert.ok(!r.commands.some((c) => c.startsWith("PORT ")));
      }
    }
  });

  it("paths: CWD ../../.., ../ and /etc/passwd stay inside the root", async () => {
    await writeFile(join(s.root, "marker-paths.txt"), "m");
    const rootNames = (await readdir(s.root)).sort();
    const r = await scenario(s, "paths", { pasv: true, outside: "outside.txt" });
    assert.equal(r.fatal, null);
    assert.equal(ok(r, "pwd_after_up3"), "/");
    assert.deepEqual(ok(r, "nlst_after_up3"), rootNames, "CWD ../../.. left the served root");
    assert.match(failed(r, "cwd_etc"), /error_perm: 550/);
    assert.match(failed(r, "size_outside"), /error_perm: 550/);
    assert.match(failed(r, "retr_outside"), /error_perm: 550/);
    assert.match(failed(r, "retr_passwd"), /error_perm: 550/);
    assert.equal(ok(r, "pwd_after_cdup"), "/");
    // STOR/MKD with ../ either fail or land inside the root: nothing new appears next to it.
    assert.deepEqual((await readdir(s.dir)).filter((n) => n !== "client").sort(), ["outside.txt", "payload.bin", "root"]);
    assert.equal(await readFile(join(s.dir, "outside.txt"), "utf8"), OUTSIDE_SECRET);
  });
});

describe("interop: ftplib security against our server", { skip: skipUnless(PYTHON, ["-c", "import ftplib"]) }, () => {
  let s: InteropServer;

  before(async () => {
    s = await startInteropServer({ label: "ftplib-sec" });
    await writeRandomFile(join(s.root, "small.bin"), 50_000);
    await writeFile(join(s.root, "listed.txt"), "x");
  });
  after(async () => {
    killPeers();
    await s?.close();
  });

  it("PORT/EPRT to another host or a port below 1024 is refused; a legitimate PORT works", async () => {
    const r = await scenario(s, "port_security", { pasv: false });
    assert.equal(r.fatal, null, `fatal: ${r.fatal}`);
    assert.match(failed(r, "port_other_host"), /error_perm: 5\d\d/);
    assert.equal(ok(r, "other_host_got_connection"), null, "the server dialled a third host (FTP bounce)");
    assert.match(failed(r, "eprt_other_host"), /error_perm: 5\d\d/);
    assert.equal(ok(r, "other_host_got_connection_eprt"), null, "the server dialled a third host (EPRT bounce)");
    assert.match(failed(r, "port_low"), /error_perm: 5\d\d/);
    assert.match(failed(r, "port_1023"), /error_perm: 5\d\d/);
    assert.match(failed(r, "eprt_low"), /error_perm: 5\d\d/);
    assert.match(failed(r, "port_garbage"), /error_perm: 501/);
    assert.deepEqual(ok(r, "active_nlst"), ["listed.txt", "small.bin"]);
    assert.equal(code(ok(r, "NOOP")), "200");
  });

  it("a passive data connection from 127.0.0.2 gets no data", async () => {
    const r = await scenario(s, "pasv_security", { pasv: true, file: "small.bin" });
    assert.equal(r.fatal, null, `fatal: ${r.fatal}`);
    assert.equal(ok(r, "intruder_connect"), true, "could not even connect from 127.0.0.2");
    assert.equal(ok(r, "intruder_received").bytes, 0, "file bytes went to the intruder");
    const reply: string = ok(r, "retr_reply");
    if (reply.startsWith("1")) {
      // The server ignored the intruder and served the real client instead.
      assert.equal(ok(r, "legit_after_intruder").bytes, 50_000);
      assert.equal(code(ok(r, "retr_final")), "226");
    } else {
      assert.match(reply, /^425/);
    }
    assert.equal(ok(r, "retr_legit_sha256"), await sha256File(join(s.root, "small.bin")));
  });
});

describe("interop: ftplib ABOR against a throttled server", { skip: skipUnless(PYTHON, ["-c", "import ftplib"]) }, () => {
  let s: InteropServer;
  const size = 4 * 1024 * 1024;

  before(async () => {
    s = await startInteropServer({ label: "ftplib-abor", downloadBytesPerSecond: 64 * 1024 });
    await writeRandomFile(join(s.root, "slow.bin"), size);
  });
  after(async () => {
    killPeers();
    await s?.close();
  });

  it("ABOR during a slow RETR: 426 then 226, the data connection closes, the session goes on", async () => {
    for (const pasv of [true, false]) {
      const r = await scenario(s, "abort", { pasv, file: "slow.bin", read_before_abort: 8192 });
      assert.equal(r.fatal, null, `fatal: ${r.fatal}`);
      assert.ok(ok(r, "read_before_abort") >= 8192);
      assert.match(ok(r, "abort_reply"), /^426/, "the transfer was running: ABOR must answer 426 first");
      assert.match(ok(r, "abort_second_reply"), /^226/);
      const rest = ok(r, "data_after_abort");
      assert.ok(rest.bytes < size / 2, `the server kept sending after ABOR (${rest.bytes} bytes)`);
      assert.notEqual(rest.end, "timeout", "the data connection stayed open after ABOR");
      assert.equal(code(ok(r, "NOOP_after_abort")), "200");
      assert.equal(ok(r, "size"), size);
      assert.equal(code(ok(r, "quit")), "221");
    }
  });
});
