/**
 * curl (a real, independent FTP client) drives our server running in this test's runtime:
 * passive (EPSV, PASV) and active (EPRT, PORT) transfers, uploads, resume both ways,
 * --ftp-create-dirs, LIST/NLST, quote commands, -I (SIZE + MDTM), a 100 MiB SHA-256 round
 * trip, and path-escape attempts that must stay inside the served root.
 */

import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { closeSync, existsSync, openSync } from "node:fs";
import { mkdir, readdir, readFile, rm, stat, utimes, writeFile } from "node:fs/promises";
import { join } from "node:path";
import {
  type InteropServer,
  killPeers,
  OUTSIDE_SECRET,
  PASSWORD,
  readBytes,
  runTool,
  sha256,
  sha256File,
  skipIPv6,
  skipUnless,
  startInteropServer,
  type ToolResult,
  USER,
  writeRandomFile,
} from "./_support/mod.ts";

const BIG = 100 * 1024 * 1024;

/** curl with bounded waits, our credentials and errors on stderr. */
function curl(args: string[], timeoutMs = 60_000): Promise<ToolResult> {
  return runTool("curl", [
    "-sS",
    "--globoff", // [::1] is an address, not a URL range

    "--connect-timeout",
    "10",
    "--max-time",
    String(Math.floor(timeoutMs / 1000) - 2),
    "--user",
    `${USER}:${PASSWORD}`,
    ...args,
  ], { timeoutMs });
}

/** Commands curl sent, from its -v output (`> CMD args`). */
function sent(r: ToolResult): string[] {
  return r.err.split(/\r?\n/).filter((l) => l.startsWith("> ")).map((l) => l.slice(2));
}

function okCurl(r: ToolResult, what: string): void {
  assert.equal(r.timedOut, false, `${what}: curl timed out\n${r.err}`);
  assert.equal(r.code, 0, `${what}: curl exit ${r.code}\n${r.err}`);
}

describe("interop: curl drives our server", { skip: skipUnless("curl", ["--version"]) }, () => {
  let s: InteropServer;
  let local: string;

  before(async () => {
    s = await startInteropServer({ label: "curl" });
    local = join(s.dir, "client");
    await mkdir(local);
  });
  after(async () => {
    killPeers();
    await s?.close();
  });

  it("curl is installed", async () => {
    const r = await runTool("curl", ["--version"]);
    assert.equal(r.code, 0);
  });

  it("passive download uses EPSV by default and returns the exact bytes", async () => {
    const digest = await writeRandomFile(join(s.root, "pasv", "epsv.bin"), 300_001);
    const out = join(local, "epsv.bin");
    const r = await curl(["-v", "-o", out, `${s.url}/pasv/epsv.bin`]);
    okCurl(r, "EPSV download");
    assert.ok(sent(r).includes("EPSV"), sent(r).join(" | "));
    assert.ok(!sent(r).includes("PASV"), "curl had to fall back to PASV");
    assert.equal(await sha256File(out), digest);
  });

  it("--ftp-pasv --disable-epsv downloads over PASV", async () => {
    const digest = await writeRandomFile(join(s.root, "pasv", "pasv.bin"), 65_537);
    const out = join(local, "pasv.bin");
    const r = await curl(["-v", "--ftp-pasv", "--disable-epsv", "-o", out, `${s.url}/pasv/pasv.bin`]);
    okCurl(r, "PASV download");
    assert.ok(sent(r).includes("PASV"), sent(r).join(" | "));
    assert.ok(!sent(r).includes("EPSV"));
    assert.equal(await sha256File(out), digest);
  });

  it("active -P 127.0.0.1 downloads over EPRT", async () => {
    const digest = await writeRandomFile(join(s.root, "active", "eprt.bin"), 200_000);
    const out = join(local, "eprt.bin");
    const r = await curl(["-v", "-P", "127.0.0.1", "-o", out, `${s.url}/active/eprt.bin`]);
    okCurl(r, "EPRT download");
    assert.ok(sent(r).some((c) => c.startsWith("EPRT |1|127.0.0.1|")), sent(r).join(" | "));
    assert.ok(!sent(r).some((c) => c.startsWith("PORT ")), "curl had to fall back to PORT");
    assert.equal(await sha256File(out), digest);
  });

  it("active -P - --disable-eprt uploads and downloads over PORT", async () => {
    const src = join(local, "port-src.bin");
    const digest = await writeRandomFile(src, 150_000);
    const up = await curl(["-v", "-P", "-", "--disable-eprt", "-T", src, `${s.url}/active/port.bin`]);
    okCurl(up, "PORT upload");
    assert.ok(sent(up).some((c) => c.startsWith("PORT 127,0,0,1,")), sent(up).join(" | "));
    assert.equal(await sha256File(join(s.root, "active", "port.bin")), digest);
    const out = join(local, "port-back.bin");
    const down = await curl(["-v", "-P", "-", "--disable-eprt", "-o", out, `${s.url}/active/port.bin`]);
    okCurl(down, "PORT download");
    assert.ok(sent(down).some((c) => c.startsWith("PORT ")));
    assert.equal(await sha256File(out), digest);
  });

  it("-T uploads a binary file and an empty file", async () => {
    await mkdir(join(s.root, "up"));
    const src = join(local, "up.bin");
    const digest = await writeRandomFile(src, 1_048_583);
    const r = await curl(["-T", src, `${s.url}/up/up.bin`]);
    okCurl(r, "upload");
    assert.equal(await sha256File(join(s.root, "up", "up.bin")), digest);
    const empty = join(local, "empty.bin");
    await writeFile(empty, "");
    okCurl(await curl(["-T", empty, `${s.url}/up/empty.bin`]), "empty upload");
    assert.equal((await stat(join(s.root, "up", "empty.bin"))).size, 0);
    // A trailing slash uploads under the local file's name.
    okCurl(await curl(["-T", src, `${s.url}/up/`]), "upload into dir");
    assert.equal(await sha256File(join(s.root, "up", "up.bin")), digest);
  });

  it("-C - resumes a download from the partial local file (REST)", async () => {
    const remote = join(s.root, "resume", "down.bin");
    await writeRandomFile(remote, 500_000);
    const full = await readBytes(remote);
    const partial = join(local, "down.part");
    await writeFile(partial, full.subarray(0, 123_457));
    const r = await curl(["-v", "-C", "-", "-o", partial, `${s.url}/resume/down.bin`]);
    okCurl(r, "resumed download");
    assert.ok(sent(r).includes("REST 123457"), sent(r).join(" | "));
    assert.equal(sha256(await readBytes(partial)), sha256(full));
  });

  it("-C - resumes an upload onto the partial remote file (SIZE + APPE)", async () => {
    const src = join(local, "up-resume.bin");
    const digest = await writeRandomFile(src, 400_000);
    const full = await readBytes(src);
    await mkdir(join(s.root, "resume"), { recursive: true });
    await writeFile(join(s.root, "resume", "up.bin"), full.subarray(0, 77_777));
    const r = await curl(["-v", "-C", "-", "-T", src, `${s.url}/resume/up.bin`]);
    okCurl(r, "resumed upload");
    assert.ok(sent(r).includes("SIZE up.bin"), sent(r).join(" | "));
    assert.ok(sent(r).includes("APPE up.bin"), sent(r).join(" | "));
    assert.equal(await sha256File(join(s.root, "resume", "up.bin")), digest);
  });

  it("-r byte ranges: REST, then curl aborts the rest (ABOR → 426/226) and exits cleanly", async () => {
    const remote = join(s.root, "range", "r.bin");
    await writeRandomFile(remote, 300_000);
    const full = await readBytes(remote);
    for (const [from, to] of [[0, 99], [100, 199], [250_000, 299_999], [123_456, 200_000]] as const) {
      const out = join(local, `range-${from}.bin`);
      const r = await curl(["-v", "-r", `${from}-${to}`, "-o", out, `${s.url}/range/r.bin`]);
      okCurl(r, `range ${from}-${to}`);
      assert.equal(sha256(await readBytes(out)), sha256(full.subarray(from, to + 1)), `range ${from}-${to}`);
      if (from > 0) assert.ok(sent(r).includes(`REST ${from}`), sent(r).join(" | "));
    }
  });

  it("--ftp-method singlecwd and nocwd reach nested paths", async () => {
    const digest = await writeRandomFile(join(s.root, "n1", "n2", "n3", "deep.bin"), 33_333);
    for (const method of ["multicwd", "singlecwd", "nocwd"]) {
      const out = join(local, `deep-${method}.bin`);
      const r = await curl(["-v", "--ftp-method", method, "-o", out, `${s.url}/n1/n2/n3/deep.bin`]);
      okCurl(r, method);
      assert.equal(await sha256File(out), digest, method);
      const cmds = sent(r);
      if (method === "singlecwd") assert.ok(cmds.includes("CWD n1/n2/n3"), cmds.join(" | "));
      if (method === "nocwd") assert.ok(cmds.includes("RETR n1/n2/n3/deep.bin"), cmds.join(" | "));
      const up = await curl(["--ftp-method", method, "-T", out, `${s.url}/n1/n2/n3/up-${method}.bin`]);
      okCurl(up, `${method} upload`);
      assert.equal(await sha256File(join(s.root, "n1", "n2", "n3", `up-${method}.bin`)), digest);
    }
  });

  it("-B (TYPE A): text uploads store LF, downloads come back as the same LF text", async () => {
    const text = "first line\nsecond line\n\nlast line without newline";
    const src = join(local, "ascii.txt");
    await writeFile(src, text);
    const up = await curl(["-v", "-B", "-T", src, `${s.url}/ascii.txt`]);
    okCurl(up, "ASCII upload");
    assert.ok(sent(up).includes("TYPE A"), sent(up).join(" | "));
    assert.equal(await readFile(join(s.root, "ascii.txt"), "utf8"), text);
    // --crlf sends CRLF line ends; TYPE A turns them back into LF on disk.
    const upCrlf = await curl(["-B", "--crlf", "-T", src, `${s.url}/ascii-crlf.txt`]);
    okCurl(upCrlf, "ASCII upload with --crlf");
    assert.equal(await readFile(join(s.root, "ascii-crlf.txt"), "utf8"), text);
    const down = await curl(["-v", "-B", `${s.url}/ascii.txt`]);
    okCurl(down, "ASCII download");
    assert.ok(sent(down).includes("TYPE A"), sent(down).join(" | "));
    assert.equal(down.out, text);
  });

  it("--ftp-create-dirs creates the missing path for an upload; without it the upload fails", async () => {
    const src = join(local, "deep.txt");
    await writeFile(src, "deep\n");
    const without = await curl(["-T", src, `${s.url}/c1/c2/c3/deep.txt`]);
    assert.notEqual(without.code, 0, "upload into a missing directory must fail");
    assert.equal(existsSync(join(s.root, "c1")), false);
    const r = await curl(["-T", src, "--ftp-create-dirs", `${s.url}/c1/c2/c3/deep.txt`]);
    okCurl(r, "create dirs");
    assert.equal(await readFile(join(s.root, "c1", "c2", "c3", "deep.txt"), "utf8"), "deep\n");
  });

  it("lists a directory with LIST and names it with -l (NLST)", async () => {
    const d = join(s.root, "listing");
    await mkdir(join(d, "sub dir"), { recursive: true });
    await writeFile(join(d, "a.txt"), "aaa");
    await writeFile(join(d, "with space.bin"), new Uint8Array(4242));
    await writeFile(join(d, "ünïcødé.txt"), "u");
    const list = await curl([`${s.url}/listing/`]);
    okCurl(list, "LIST");
    const lines = list.out.split(/\r?\n/).filter((l) => l.length > 0);
    assert.equal(lines.length, 4, list.out);
    const line = (name: string) => lines.find((l) => l.endsWith(` ${name}`));
    assert.match(line("sub dir") ?? "", /^d/, list.out);
    assert.match(line("a.txt") ?? "", /^-.*\s3\s/, list.out);
    assert.match(line("with space.bin") ?? "", /^-.*\s4242\s/, list.out);
    assert.ok(line("ünïcødé.txt"), list.out);
    const nlst = await curl(["-l", `${s.url}/listing/`]);
    okCurl(nlst, "NLST");
    assert.deepEqual(
      nlst.out.split(/\r?\n/).filter((l) => l.length > 0).sort(),
      ["a.txt", "sub dir", "with space.bin", "ünïcødé.txt"].sort(),
    );
  });

  it("a directory of 1000 entries lists completely with LIST and NLST", async () => {
    const d = join(s.root, "many");
    await mkdir(d);
    const names: string[] = [];
    for (let i = 0; i < 1000; i++) names.push(`entry-${String(i).padStart(4, "0")}.dat`);
    for (const n of names) closeSync(openSync(join(d, n), "w"));
    const nlst = await curl(["-l", `${s.url}/many/`]);
    okCurl(nlst, "NLST");
    assert.deepEqual(nlst.out.split(/\r?\n/).filter(Boolean).sort(), names);
    const list = await curl([`${s.url}/many/`]);
    okCurl(list, "LIST");
    const lines = list.out.split(/\r?\n/).filter(Boolean);
    assert.equal(lines.length, 1000);
    assert.deepEqual(lines.map((l) => l.split(/\s+/).pop()).sort(), names);
  });

  it("a wrong password gets 530 and curl reports a login failure", async () => {
    const r = await runTool("curl", ["-sS", "-v", "--max-time", "20", "--user", `${USER}:wrong`, `${s.url}/`]);
    assert.equal(r.code, 67, `expected CURLE_LOGIN_DENIED: ${r.err}`);
    assert.match(r.err, /< 530/);
  });

  it("quote commands: -Q MKD before, -Q -DELE after a transfer, RNFR/RNTO", async () => {
    await mkdir(join(s.root, "quote"));
    okCurl(await curl(["-Q", "MKD quote/made", "-l", `${s.url}/`]), "MKD");
    assert.ok((await stat(join(s.root, "quote", "made"))).isDirectory());

    await writeFile(join(s.root, "quote", "y.txt"), "delete me after download\n");
    const out = join(local, "y.txt");
    okCurl(await curl(["-Q", "-DELE y.txt", "-o", out, `${s.url}/quote/y.txt`]), "-DELE");
    assert.equal(await readFile(out, "utf8"), "delete me after download\n");
    assert.equal(existsSync(join(s.root, "quote", "y.txt")), false);

    await writeFile(join(s.root, "quote", "old.txt"), "renamed\n");
    okCurl(
      await curl(["-Q", "RNFR quote/old.txt", "-Q", "RNTO quote/made/new.txt", "-l", `${s.url}/`]),
      "RNFR/RNTO",
    );
    assert.equal(existsSync(join(s.root, "quote", "old.txt")), false);
    assert.equal(await readFile(join(s.root, "quote", "made", "new.txt"), "utf8"), "renamed\n");

    // A failing quote command makes curl fail (the server's 550 reaches the client).
    const bad = await curl(["-Q", "DELE quote/no-such-file", "-l", `${s.url}/`]);
    assert.equal(bad.code, 21, `expected CURLE_QUOTE_ERROR, got ${bad.code}: ${bad.err}`);
  });

  it("-I reports SIZE as Content-Length and MDTM as Last-Modified", async () => {
    const f = join(s.root, "head.bin");
    await writeFile(f, new Uint8Array(12_345));
    const when = new Date(Date.UTC(2021, 1, 3, 4, 5, 6));
    await utimes(f, when, when);
    const r = await curl(["-v", "-I", `${s.url}/head.bin`]);
    okCurl(r, "-I");
    assert.ok(sent(r).includes("MDTM head.bin"), sent(r).join(" | "));
    assert.ok(sent(r).includes("SIZE head.bin"), sent(r).join(" | "));
    assert.match(r.out, /^Content-Length: 12345\r?$/m, r.out);
    assert.match(r.out, /^Last-Modified: Wed, 03 Feb 2021 04:05:06 GMT\r?$/m, r.out);
  });

  it("a 100 MiB random file survives upload, passive and active download (SHA-256)", { timeout: 240_000 }, async () => {
    const src = join(local, "big.bin");
    const digest = await writeRandomFile(src, BIG);
    try {
      const up = await curl(["-T", src, `${s.url}/big.bin`], 120_000);
      okCurl(up, "100 MiB upload");
      assert.equal((await stat(join(s.root, "big.bin"))).size, BIG);
      assert.equal(await sha256File(join(s.root, "big.bin")), digest);
      const out = join(local, "big.back");
      const down = await curl(["-o", out, `${s.url}/big.bin`], 120_000);
      okCurl(down, "100 MiB download");
      assert.equal(await sha256File(out), digest);
      await rm(out, { force: true });
      const active = await curl(["-P", "-", "-o", out, `${s.url}/big.bin`], 120_000);
      okCurl(active, "100 MiB active download");
      assert.equal(await sha256File(out), digest);
      await rm(out, { force: true });
    } finally {
      await rm(src, { force: true });
      await rm(join(s.root, "big.bin"), { force: true });
    }
  });

  describe("path escapes stay inside the served root", () => {
    const leaked = (r: ToolResult) =>
      r.out.includes(OUTSIDE_SECRET.trim()) || /^root:.*:0:0:/m.test(r.out);

    it("../ in the URL (curl's CWD per segment) cannot reach a file next to the root", async () => {
      const r = await curl(["--path-as-is", `${s.url}/../outside.txt`]);
      assert.equal(leaked(r), false, "the file outside the root leaked");
      assert.notEqual(r.code, 0, r.out);
    });

    it("../../etc/passwd, //etc/passwd and %2e%2e forms fail", async () => {
      for (
        const path of ["/../../../../../../etc/passwd", "//etc/passwd", "/%2e%2e/%2e%2e/etc/passwd", "/%2e%2e/outside.txt"]
      ) {
        const r = await curl(["--path-as-is", `${s.url}${path}`]);
        assert.equal(leaked(r), false, `${path} leaked`);
        assert.notEqual(r.code, 0, `${path}: ${r.out}`);
      }
    });

    it("raw ../ paths in SIZE/RETR (--ftp-method nocwd) fail", async () => {
      for (const path of ["/../outside.txt", "/../../../../etc/passwd"]) {
        const r = await curl(["--path-as-is", "--ftp-method", "nocwd", `${s.url}${path}`]);
        assert.equal(leaked(r), false, `${path} leaked`);
        assert.notEqual(r.code, 0, `${path}: ${r.out}`);
      }
    });

    it('-Q "CWD ../../.." stays at the root', async () => {
      await writeFile(join(s.root, "root-marker.txt"), "marker");
      const r = await curl(["-Q", "CWD ../../..", "-l", `${s.url}/`]);
      okCurl(r, "CWD ../../..");
      const names = r.out.split(/\r?\n/).filter((l) => l.length > 0).sort();
      assert.deepEqual(names, (await readdir(s.root)).sort(), "the listing is not the served root");
      const r2 = await curl(["-Q", "CWD ../../../etc", `${s.url}/passwd`]);
      assert.equal(leaked(r2), false);
      assert.notEqual(r2.code, 0);
    });

    it("uploads with ../ land inside the root or fail, never outside", async () => {
      const src = join(local, "escape.txt");
      await writeFile(src, "escape attempt\n");
      await curl(["--path-as-is", "-T", src, `${s.url}/../escape.txt`]);
      await curl(["--path-as-is", "--ftp-method", "nocwd", "-T", src, `${s.url}/../escape2.txt`]);
      await curl(["--path-as-is", "--ftp-create-dirs", "-T", src, `${s.url}/../../escdir/escape3.txt`]);
      const outside = (await readdir(s.dir)).sort();
      assert.deepEqual(outside, ["client", "outside.txt", "root"], "something was written outside the root");
      assert.equal(await readFile(join(s.dir, "outside.txt"), "utf8"), OUTSIDE_SECRET);
    });
  });
});

describe("interop: curl — fallbacks, IPv6, connection reuse, concurrency", { skip: skipUnless("curl", ["--version"]) }, () => {
  after(() => killPeers());

  it("EPSV answered 502 (disabled on the server): curl falls back to PASV", async () => {
    await using s = await startInteropServer({ label: "curl-noepsv", serverOptions: { disabledCommands: ["EPSV"] } });
    const digest = await writeRandomFile(join(s.root, "f.bin"), 100_000);
    const out = join(s.dir, "f.bin");
    const r = await curl(["-v", "-o", out, `${s.url}/f.bin`]);
    okCurl(r, "fallback");
    const cmds = sent(r);
    assert.ok(cmds.includes("EPSV") && cmds.includes("PASV"), cmds.join(" | "));
    assert.ok(cmds.indexOf("EPSV") < cmds.indexOf("PASV"));
    assert.match(r.err, /< 502/);
    assert.equal(await sha256File(out), digest);
  });

  it("IPv6 ::1: passive over EPSV, active over EPRT |2|, upload and download", { skip: skipIPv6 }, async () => {
    await using s = await startInteropServer({ host: "::1", label: "curl6" });
    const src = join(s.dir, "v6.bin");
    const digest = await writeRandomFile(src, 654_321);
    const up = await curl(["-v", "-T", src, `${s.url}/v6.bin`]);
    okCurl(up, "IPv6 upload");
    assert.ok(sent(up).includes("EPSV"), sent(up).join(" | "));
    assert.equal(await sha256File(join(s.root, "v6.bin")), digest);
    const out = join(s.dir, "v6.back");
    const down = await curl(["-v", "-P", "::1", "-o", out, `${s.url}/v6.bin`]);
    okCurl(down, "IPv6 active download");
    assert.ok(sent(down).some((c) => c.startsWith("EPRT |2|::1|")), sent(down).join(" | "));
    assert.equal(await sha256File(out), digest);
    const list = await curl(["-l", `${s.url}/`]);
    okCurl(list, "IPv6 NLST");
    assert.deepEqual(list.out.split(/\r?\n/).filter(Boolean), ["v6.bin"]);
  });

  it("anonymous is read-only: downloads work, uploads, MKD and DELE get 550", async () => {
    const s = await startInteropServer({ label: "curl-anon", anonymous: true });
    const anon = (args: string[]) => runTool("curl", ["-sS", "-v", "--max-time", "30", ...args]);
    try {
      const digest = await writeRandomFile(join(s.root, "pub.bin"), 12_345);
      const out = join(s.dir, "pub.bin");
      const down = await anon(["-o", out, `${s.url}/pub.bin`]);
      okCurl(down, "anonymous download");
      assert.ok(sent(down).includes("USER anonymous"), sent(down).join(" | "));
      assert.equal(await sha256File(out), digest);
      const up = await anon(["-T", out, `${s.url}/up.bin`]);
      assert.equal(up.code, 25, `expected CURLE_UPLOAD_FAILED: ${up.err}`);
      assert.match(up.err, /< 550/);
      assert.equal(existsSync(join(s.root, "up.bin")), false);
      const mkd = await anon(["-Q", "MKD made", `${s.url}/`]);
      assert.equal(mkd.code, 21, mkd.err);
      assert.match(mkd.err, /< 550/);
      const dele = await anon(["-Q", "DELE pub.bin", `${s.url}/`]);
      assert.equal(dele.code, 21, dele.err);
      assert.ok(existsSync(join(s.root, "pub.bin")));
      // The same server still lets the real user write.
      okCurl(await curl(["-T", out, `${s.url}/up.bin`]), "user upload");
      assert.equal(await sha256File(join(s.root, "up.bin")), digest);
    } finally {
      await s.close();
    }
  });

  it("several transfers over one control connection, then 12 clients at once", async () => {
    await using s = await startInteropServer({ label: "curl-many" });
    const digests: string[] = [];
    for (let i = 0; i < 12; i++) digests.push(await writeRandomFile(join(s.root, `m${i}.bin`), 512 * 1024 + i));
    // One curl, three URLs: curl keeps the control connection and runs three transfers.
    const args = ["-v"];
    for (let i = 0; i < 3; i++) args.push("-o", join(s.dir, `seq${i}.bin`), `${s.url}/m${i}.bin`);
    const seq = await curl(args);
    okCurl(seq, "sequential transfers");
    assert.equal(sent(seq).filter((c) => c.startsWith("USER ")).length, 1, "curl had to log in again");
    for (let i = 0; i < 3; i++) assert.equal(await sha256File(join(s.dir, `seq${i}.bin`)), digests[i]);
    // 12 downloads and 12 uploads at the same time, half of them active.
    const jobs: Promise<ToolResult>[] = [];
    for (let i = 0; i < 12; i++) {
      const mode = i % 2 ? ["-P", "-"] : [];
      jobs.push(curl([...mode, "-o", join(s.dir, `par${i}.bin`), `${s.url}/m${i}.bin`]));
      jobs.push(curl([...mode, "-T", join(s.root, `m${i}.bin`), `${s.url}/copy${i}.bin`]));
    }
    const results = await Promise.all(jobs);
    results.forEach((r, i) => okCurl(r, `parallel job ${i}`));
    for (let i = 0; i < 12; i++) {
      assert.equal(await sha256File(join(s.dir, `par${i}.bin`)), digests[i], `download ${i}`);
      assert.equal(await sha256File(join(s.root, `copy${i}.bin`)), digests[i], `upload ${i}`);
    }
  });
});
