/**
 * FTPS beyond explicit AUTH TLS, against our server on the running runtime's adapter, driven by
 * real clients: implicit TLS listeners (curl `ftps://`, lftp `ftps://`, passive and active),
 * TLS-required policies (vsftpd's force_local_logins_ssl / force_local_data_ssl, anonymous
 * exempt, per-user override), session reuse on data connections, and REIN clearing PROT.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import {
  Control,
  type InteropServer,
  killPeers,
  PASSWORD,
  putFile,
  PYTHON,
  removeDir,
  repoFile,
  runTool,
  sha256File,
  skipUnless,
  snapshotTree,
  startInteropServer,
  startServer,
  tempDir,
  TEST_CERT,
  TEST_KEY,
  text,
  type ToolResult,
  USER,
  writeRandomFile,
} from "./_support/mod.ts";

const TLS = { cert: TEST_CERT, key: TEST_KEY };
const CERT_PATH = repoFile("tests/fixtures/tls/cert.pem");
const skip = skipUnless("curl", ["--version"]) || skipUnless("lftp", ["--version"]) ||
  skipUnless(PYTHON, ["-c", "import ftplib, ssl"]);

const curl = (args: string[]): Promise<ToolResult> =>
  runTool("curl", ["-sS", "-v", "--connect-timeout", "10", "--max-time", "50", "--cacert", CERT_PATH, ...args]);
const sent = (r: ToolResult) => r.err.split(/\r?\n/).filter((l) => l.startsWith("> ")).map((l) => l.slice(2));
const received = (r: ToolResult) => r.err.split(/\r?\n/).filter((l) => l.startsWith("< ")).map((l) => l.slice(2));

describe("interop: implicit FTPS listener (TLS from the first byte)", { skip }, () => {
  let s: InteropServer;
  let implicitPort: number;
  let local: string;

  before(async () => {
    // A 3 s handshake bound (default 10 s): the plain-text client below waits it out; a real
    // handshake on loopback takes milliseconds.
    s = await startInteropServer({ label: "implicit", serverOptions: { tls: TLS, tlsHandshakeTimeout: 3000 } });
    implicitPort = (await s.server.listen({ hostname: "127.0.0.1", port: 0, implicitTls: true })).port;
    local = join(s.dir, "client");
    await mkdir(local);
  });
  after(async () => {
    killPeers();
    await s?.close();
  });

  it("the server listens on both ports: explicit (AUTH TLS) and implicit", () => {
    assert.deepEqual(s.server.addresses.map((a) => a.port), [s.port, implicitPort]);
  });

  it("curl ftps://: upload, download and listing with hashes, no AUTH on the wire", async () => {
    const src = join(local, "i.bin");
    const digest = await writeRandomFile(src, 2 * 1024 * 1024 + 3);
    const url = `ftps://127.0.0.1:${implicitPort}`;
    const up = await curl(["--user", `${USER}:${PASSWORD}`, "-T", src, `${url}/i.bin`]);
    assert.equal(up.code, 0, up.err);
    assert.ok(!sent(up).some((l) => l.startsWith("AUTH")), sent(up).join(" | "));
    assert.equal(await sha256File(join(s.root, "i.bin")), digest);
    const out = join(local, "i.back");
    const down = await curl(["--user", `${USER}:${PASSWORD}`, "-o", out, `${url}/i.bin`]);
    assert.equal(down.code, 0, down.err);
    assert.equal(await sha256File(out), digest);
    const list = await curl(["--user", `${USER}:${PASSWORD}`, "-l", `${url}/`]);
    assert.equal(list.code, 0, list.err);
    assert.ok(list.out.split(/\r?\n/).includes("i.bin"), list.out);
  });

  it("lftp ftps://: mirror -R and back, passive and active", async () => {
    const tree = join(local, "tree");
    await writeRandomFile(join(tree, "a", "x.bin"), 300_000);
    await writeRandomFile(join(tree, "y.bin"), 7);
    const expected = await snapshotTree(tree);
    for (const passive of ["on", "off"]) {
      const settings = [
        "set cmd:fail-exit yes", `set ftp:passive-mode ${passive}`, "set net:max-retries 1",
        "set net:timeout 10", "set ftp:ssl-protect-data yes", `set ssl:ca-file ${CERT_PATH}`,
        "set ssl:verify-certificate yes", `open -u '${USER},${PASSWORD}' ftps://127.0.0.1:${implicitPort}`,
      ];
      const r = await runTool("lftp", [
        "-d", "-c", `${settings.join("; ")}; mirror -R client/tree imp-${passive}; mirror imp-${passive} client/back-${passive}`,
      ], { cwd: s.dir });
      assert.equal(r.code, 0, `${r.out}\n${r.err}`);
      assert.deepEqual(await snapshotTree(join(s.root, `imp-${passive}`)), expected);
      assert.deepEqual(await snapshotTree(join(local, `back-${passive}`)), expected);
    }
  });

  it("curl --ftp-ssl-control on the explicit port: login over TLS, data in clear, hashes equal", async () => {
    const src = join(local, "c.bin");
    const digest = await writeRandomFile(src, 1024 * 1024 + 11);
    const url = `ftp://127.0.0.1:${s.port}`;
    const up = await curl(["--user", `${USER}:${PASSWORD}`, "--ftp-ssl-control", "-T", src, `${url}/c.bin`]);
    assert.equal(up.code, 0, up.err);
    assert.ok(sent(up).includes("AUTH TLS") || sent(up).includes("AUTH SSL"), sent(up).join(" | "));
    assert.ok(!sent(up).includes("PROT P"), sent(up).join(" | "));
    assert.equal(await sha256File(join(s.root, "c.bin")), digest);
    const out = join(local, "c.back");
    const down = await curl(["--user", `${USER}:${PASSWORD}`, "--ftp-ssl-control", "-o", out, `${url}/c.bin`]);
    assert.equal(down.code, 0, down.err);
    assert.equal(await sha256File(out), digest);
  });

  it("a plain-text client on the implicit port gets nothing it can read as FTP", async () => {
    const r = await curl(["--user", `${USER}:${PASSWORD}`, "--max-time", "15", `ftp://127.0.0.1:${implicitPort}/`]);
    assert.notEqual(r.code, 0);
  });
});

describe("interop: TLS-required policies", { skip }, () => {
  let s: InteropServer;
  let local: string;

  before(async () => {
    s = await startInteropServer({
      label: "tls-required",
      anonymous: true,
      serverOptions: { tls: TLS, requireTls: { login: true, data: true } },
    });
    local = join(s.dir, "client");
    await mkdir(local);
    await writeFile(join(s.root, "pub.txt"), "public\n");
  });
  after(async () => {
    killPeers();
    await s?.close();
  });

  it("plain-text USER/PASS is refused with 530 before the password is sent", async () => {
    const r = await curl(["--user", `${USER}:${PASSWORD}`, `ftp://127.0.0.1:${s.port}/pub.txt`]);
    assert.equal(r.code, 67, r.err); // curl: "the user name, password, or similar was not accepted"
    assert.ok(received(r).some((l) => /^530 .*AUTH TLS/.test(l)), received(r).join(" | "));
    assert.ok(!sent(r).some((l) => l.startsWith("PASS")), "the password never went out in clear");
  });

  it("TLS on the control connection only (PROT C): transfers refused with 521", async () => {
    const r = await curl(["--user", `${USER}:${PASSWORD}`, "--ftp-ssl-control", `ftp://127.0.0.1:${s.port}/pub.txt`]);
    assert.notEqual(r.code, 0);
    assert.ok(received(r).some((l) => l.startsWith("521 ")), received(r).join(" | "));
  });

  it("curl --ssl-reqd (AUTH TLS + PROT P) works", async () => {
    const r = await curl(["--user", `${USER}:${PASSWORD}`, "--ssl-reqd", `ftp://127.0.0.1:${s.port}/pub.txt`]);
    assert.equal(r.code, 0, r.err);
    assert.equal(r.out, "public\n");
  });

  it("anonymous users are exempt unless the policy says so", async () => {
    const r = await curl([`ftp://127.0.0.1:${s.port}/pub.txt`]);
    assert.equal(r.code, 0, r.err);
    assert.equal(r.out, "public\n");
  });

  it("lftp with ftp:ssl-allow off is refused; with ssl-force it mirrors", async () => {
    const plain = await runTool("lftp", ["-c", [
      // lftp waits net:reconnect-interval-base (default 30 s, ~15 s here) before giving up on
      // the refused login; 1 s gives the same refusal sooner.
      "set cmd:fail-exit yes", "set net:max-retries 1", "set net:reconnect-interval-base 1", "set ftp:ssl-allow no",
      `open -u '${USER},${PASSWORD}' -p ${s.port} 127.0.0.1`, "cls /",
    ].join("; ")]);
    assert.notEqual(plain.code, 0);
    const secured = await runTool("lftp", ["-c", [
      "set cmd:fail-exit yes", "set net:max-retries 1", "set ftp:ssl-force yes", "set ftp:ssl-protect-data yes",
      `set ssl:ca-file ${CERT_PATH}`, `open -u '${USER},${PASSWORD}' -p ${s.port} 127.0.0.1`, "cls -1 /",
    ].join("; ")]);
    assert.equal(secured.code, 0, secured.err);
    assert.match(secured.out, /pub\.txt/);
  });
});

describe("server: TLS policy details over raw sockets", () => {
  it("a user may be exempted, and REIN sends PROT back to clear (PBSZ/PROT needed again)", async () => {
    await using srv = await startServer({
      tls: TLS,
      requireTls: { login: true, data: true },
      users: [
        { login: "strict", password: "pw" },
        { login: "legacy", password: "pw", requireTls: { login: false, data: false } },
      ],
    });
    await putFile(srv.storage, "/f.txt", "body");
    // The exempted user logs in and transfers in clear.
    {
      await using legacy = await Control.login(srv.port, "legacy", "pw");
      assert.equal(text((await legacy.download("RETR /f.txt")).data), "body");
    }
    const { control: plain } = await Control.open(srv.port);
    assert.equal((await plain.cmd("USER strict")).code, "530");
    await using c = await plain.secure([TEST_CERT]);
    await c.expect("USER strict", "331");
    await c.expect("PASS pw", "230");
    await c.expect("EPSV", "229");
    assert.equal((await c.cmd("RETR /f.txt")).code, "521");
    await c.expect("PBSZ 0", "200");
    await c.expect("PROT P", "200");
    await c.expect("REIN", "220");
    await c.expect("USER strict", "331");
    await c.expect("PASS pw", "230");
    await c.expect("EPSV", "229");
    assert.equal((await c.cmd("RETR /f.txt")).code, "521", "PROT is clear again after REIN");
    assert.notEqual((await c.cmd("CCC")).code.charAt(0), "2", "CCC stays refused");
    assert.equal((await c.cmd("NOOP")).code, "200");
  });

  it("requireTls without a certificate is a configuration error", async () => {
    const { Server } = await import("../src/server/server.ts");
    assert.throws(() => new Server({ requireTls: { login: true } }), TypeError);
    await assert.rejects(new Server().listen({ implicitTls: true }), TypeError);
  });

  it("FEAT lists AUTH TLS, PBSZ and PROT only when TLS is configured", async () => {
    for (const tls of [undefined, TLS]) {
      await using srv = await startServer(tls ? { tls } : {});
      await using c = await Control.login(srv.port);
      const feat = (await c.cmd("FEAT")).lines;
      for (const line of [" AUTH TLS", " PBSZ", " PROT"]) assert.equal(feat.includes(line), tls !== undefined, line);
    }
  });
});

describe("interop: session reuse required on data connections", { skip }, () => {
  let dir: string;
  before(async () => {
    dir = await tempDir("reuse");
  });
  after(async () => {
    killPeers();
    await removeDir(dir);
  });

  // Deno's node:tls, which our Deno server runs TLS on, cannot tell whether a session was
  // resumed: there the check is skipped, and a client that does not resume still transfers.
  const canTell = !("Deno" in globalThis);

  it(`ftplib (which does not resume sessions) is ${canTell ? "refused with 425" : "let through (the runtime cannot tell)"}; curl (which resumes) transfers`, async () => {
    await using srv = await startServer({
      tls: TLS, // session reuse is required by default
      users: [{ login: USER, password: PASSWORD }],
    });
    await putFile(srv.storage, "/f.txt", "resumed");
    const script = [
      "import ftplib, ssl",
      `ctx = ssl.create_default_context(cafile=${JSON.stringify(CERT_PATH)})`,
      "f = ftplib.FTP_TLS(context=ctx)",
      `f.connect("127.0.0.1", ${srv.port}, timeout=15)`,
      `f.auth(); f.login(${JSON.stringify(USER)}, ${JSON.stringify(PASSWORD)}); f.prot_p()`,
      "out = []",
      "try:",
      "    f.retrbinary('RETR /f.txt', out.append)",
      "    print('ok', b''.join(out).decode())",
      "except ftplib.error_temp as e:",
      "    print('refused', e)",
      "f.quit()",
    ].join("\n");
    const r = await runTool(PYTHON, ["-c", script]);
    assert.equal(r.code, 0, r.err);
    if (canTell) assert.match(r.out, /^refused 425 TLS session reuse required on the data connection/);
    else assert.equal(r.out.trim(), "ok resumed");
    // curl keeps the control connection's session and offers it on the data connection.
    const c = await curl(["--ssl-reqd", "--user", `${USER}:${PASSWORD}`, `ftp://127.0.0.1:${srv.port}/f.txt`]);
    assert.equal(c.code, 0, c.err);
    assert.equal(c.out, "resumed");
  });
});
