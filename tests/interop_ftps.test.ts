/**
 * Explicit FTPS (RFC 4217) against our server, driven by real clients in this test's runtime:
 * curl --ssl-reqd, lftp with ftp:ssl-force, and Python's ftplib.FTP_TLS. The server gets a
 * fresh self-signed certificate (openssl) for 127.0.0.1; the clients verify it against it.
 */

import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { mkdir, readFile, rm } from "node:fs/promises";
import { join } from "node:path";
import {
  failed,
  type InteropServer,
  killPeers,
  ok,
  PASSWORD,
  PYTHON,
  removeDir,
  runFtplib,
  runTool,
  sha256File,
  skipUnless,
  snapshotTree,
  startInteropServer,
  tempDir,
  type ToolResult,
  USER,
  writeRandomFile,
} from "./_support/mod.ts";

const code = (reply: unknown) => String(reply).slice(0, 3);

/** A self-signed certificate for 127.0.0.1 / localhost, made with openssl. */
async function makeCert(dir: string): Promise<{ cert: string; key: string; certPath: string }> {
  const certPath = join(dir, "cert.pem");
  const keyPath = join(dir, "key.pem");
  const r = await runTool("openssl", [
    "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
    "-keyout", keyPath, "-out", certPath, "-days", "2", "-subj", "/CN=localhost",
    "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost",
  ], { timeoutMs: 30_000 });
  assert.equal(r.code, 0, `openssl failed: ${r.err}`);
  return { cert: await readFile(certPath, "utf8"), key: await readFile(keyPath, "utf8"), certPath };
}

const skip = skipUnless("openssl", ["version"]) || skipUnless("curl", ["--version"]) ||
  skipUnless("lftp", ["--version"]) || skipUnless(PYTHON, ["-c", "import ftplib, ssl"]);

describe("interop: explicit FTPS (AUTH TLS) with curl, lftp and ftplib", { skip }, () => {
  let s: InteropServer;
  let certDir: string;
  let certPath: string;
  let local: string;

  before(async () => {
    certDir = await tempDir("cert");
    const c = await makeCert(certDir);
    certPath = c.certPath;
    // Python's ftplib never resumes the control session on its data connections, and the
    // server requires that by default (requireTls.sessionReuse): off for this suite, whose
    // ftplib case drives PROT P; tests/server_tls_reuse.test.ts runs curl and lftp under it.
    s = await startInteropServer({
      label: "ftps",
      serverOptions: { tls: { cert: c.cert, key: c.key }, requireTls: { sessionReuse: false } },
    });
    local = join(s.dir, "client");
    await mkdir(local);
  });
  after(async () => {
    killPeers();
    await s?.close();
    await removeDir(certDir);
  });

  const curl = (args: string[]): Promise<ToolResult> =>
    runTool("curl", [
      "-sS", "-v", "--connect-timeout", "10", "--max-time", "50", "--ssl-reqd", "--cacert", certPath,
      "--user", `${USER}:${PASSWORD}`, ...args,
    ]);
  const sent = (r: ToolResult) =>
    r.err.split(/\r?\n/).filter((l) => l.startsWith("> ")).map((l) => l.slice(2));

  // Passive only: curl 7.87–7.88 (Debian 12 ships 7.88.1) cannot do active-mode FTPS against
  // any server (curl/curl#10666, fixed in 8.x); lftp and ftplib cover active FTPS below.
  it("curl --ssl-reqd: upload, download, listing, all over TLS (passive)", async () => {
    const src = join(local, "c.bin");
    const digest = await writeRandomFile(src, 3 * 1024 * 1024 + 5);
    const up = await curl(["-T", src, `ftp://127.0.0.1:${s.port}/c.bin`]);
    assert.equal(up.code, 0, up.err);
    assert.ok(sent(up).includes("AUTH TLS") || sent(up).includes("AUTH SSL"), sent(up).join(" | "));
    assert.ok(sent(up).includes("PROT P"), sent(up).join(" | "));
    assert.equal(await sha256File(join(s.root, "c.bin")), digest);
    for (const extra of [[], ["--disable-epsv"]]) {
      const out = join(local, "c.back");
      const down = await curl([...extra, "-o", out, `ftp://127.0.0.1:${s.port}/c.bin`]);
      assert.equal(down.code, 0, down.err);
      assert.equal(await sha256File(out), digest);
    }
    const list = await curl(["-l", `ftp://127.0.0.1:${s.port}/`]);
    assert.equal(list.code, 0, list.err);
    assert.ok(list.out.split(/\r?\n/).includes("c.bin"), list.out);
  });

  it("lftp with ftp:ssl-force and protected data: mirror -R and mirror back", async () => {
    const tree = join(local, "tree");
    await writeRandomFile(join(tree, "a", "x.bin"), 200_000);
    await writeRandomFile(join(tree, "y.bin"), 1);
    await mkdir(join(tree, "empty"), { recursive: true });
    const expected = await snapshotTree(tree);
    for (const passive of ["on", "off"]) {
      const settings = [
        "set cmd:fail-exit yes", `set ftp:passive-mode ${passive}`, "set net:max-retries 1",
        "set net:timeout 10", "set net:reconnect-interval-base 1", "set ftp:ssl-force yes",
        "set ftp:ssl-protect-data yes", "set ftp:ssl-protect-list yes", `set ssl:ca-file ${certPath}`,
        "set ssl:verify-certificate yes", `open -u '${USER},${PASSWORD}' -p ${s.port} 127.0.0.1`,
      ];
      const r = await runTool("lftp", [
        "-d", "-c", `${settings.join("; ")}; mirror -R client/tree lftp-${passive}; mirror lftp-${passive} client/back-${passive}`,
      ], { cwd: s.dir });
      assert.equal(r.code, 0, `${r.out}\n${r.err}`);
      const cmds = `${r.out}\n${r.err}`.split(/\r?\n/).filter((l) => l.startsWith("---> ")).map((l) => l.slice(5));
      assert.ok(cmds.includes("AUTH TLS") && cmds.includes("PROT P"), cmds.join(" | "));
      assert.deepEqual(await snapshotTree(join(s.root, `lftp-${passive}`)), expected);
      assert.deepEqual(await snapshotTree(join(local, `back-${passive}`)), expected);
    }
  });

  it("ftplib FTP_TLS: auth, prot_p, STOR/RETR/REST, storlines/retrlines, nlst, mlsd, prot_c, ccc", async () => {
    await writeRandomFile(join(local, "payload.bin"), 500_001);
    for (const pasv of [true, false]) {
      await rm(join(s.root, "tls.bin"), { force: true });
      await rm(join(s.root, "tls.txt"), { force: true });
      const r = await runFtplib({
        host: "127.0.0.1", port: s.port, user: USER, password: PASSWORD, scenario: "tls", pasv,
        workdir: local, payload: "payload.bin", cafile: certPath, timeout: 15,
      });
      assert.equal(r.fatal, null, `fatal: ${r.fatal}`);
      assert.equal(code(ok(r, "auth")), "234");
      assert.match(ok(r, "tls_version"), /^TLSv1\.[23]$/);
      assert.equal(code(ok(r, "login")), "230");
      assert.equal(code(ok(r, "prot_p")), "200");
      assert.equal(code(ok(r, "stor")), "226");
      assert.equal(ok(r, "size"), 500_001);
      assert.equal(await sha256File(join(s.root, "tls.bin")), ok(r, "expect_sha256"));
      assert.equal(ok(r, "retr_sha256"), ok(r, "expect_sha256"));
      assert.equal(ok(r, "retr_rest_sha256"), ok(r, "expect_rest_sha256"));
      assert.equal(code(ok(r, "storlines")), "226");
      assert.equal(await readFile(join(s.root, "tls.txt"), "utf8"), "a\nb\n");
      assert.deepEqual(ok(r, "retrlines_lines"), ["a", "b"]);
      assert.ok((ok(r, "nlst") as string[]).includes("tls.bin"));
      assert.ok((ok(r, "mlsd") as string[]).includes("tls.txt"));
      assert.equal(code(ok(r, "prot_c")), "200");
      assert.equal(ok(r, "retr_clear_sha256"), ok(r, "expect_sha256"));
      // CCC is optional (RFC 4217 §12.3): either it works and the control goes on in clear,
      // or it is refused with a 5xx and the session goes on encrypted.
      const ccc = r.steps["ccc"];
      if (ccc?.ok !== undefined) assert.equal(code(ok(r, "NOOP_after_ccc")), "200");
      else assert.match(failed(r, "ccc"), /error_perm: 5\d\d/);
      assert.equal(code(ok(r, "quit")), "221");
    }
  });
});
