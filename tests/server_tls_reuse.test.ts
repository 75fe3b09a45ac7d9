/**
 * TLS session reuse on data connections, required by default (`requireTls.sessionReuse`, as
 * vsftpd's require_ssl_reuse): real clients that resume the control connection's session
 * (curl with OpenSSL, TLS 1.2 and 1.3; lftp with GnuTLS, passive and active) transfer
 * several files per session, checked byte for byte; one that does not (Python's ftplib) is
 * refused with 425 and its session goes on, unless the operator turns the check off. On Deno,
 * whose node:tls cannot tell whether a session was resumed, the check is skipped.
 */
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { defaultNet } from "../src/net/auto.ts";
import type { Conn, Net } from "../src/net/types.ts";
import {
  getFile,
  killPeers,
  PASSWORD,
  putFile,
  PYTHON,
  removeDir,
  repoFile,
  runTool,
  skipUnless,
  startServer,
  tempDir,
  TEST_CERT,
  TEST_KEY,
  type ToolResult,
  USER,
  watchedNet,
} from "./_support/mod.ts";

const TLS = { cert: TEST_CERT, key: TEST_KEY };
const CERT_PATH = repoFile("tests/fixtures/tls/cert.pem");
const USERS = [{ login: USER, password: PASSWORD }];
const canTell = !("Deno" in globalThis);
const skip = skipUnless("curl", ["--version"]) || skipUnless("lftp", ["--version"]) ||
  skipUnless(PYTHON, ["-c", "import ftplib, ssl"]);

const curl = (args: string[], cwd: string): Promise<ToolResult> =>
  runTool("curl", [
    "-sS", "-v", "--connect-timeout", "10", "--max-time", "50", "--ssl-reqd", "--cacert", CERT_PATH,
    "--user", `${USER}:${PASSWORD}`, ...args,
  ], { cwd });
const received = (r: ToolResult) => r.err.split(/\r?\n/).filter((l) => l.startsWith("< ")).map((l) => l.slice(2));

/**
 * The runtime's network, recording for every TLS handshake the server runs (AUTH TLS, then
 * each PROT P data connection) whether it resumed a session.
 */
async function resumptionLog(): Promise<{ net: Net; resumed: (boolean | undefined)[] }> {
  const inner = await defaultNet();
  const resumed: (boolean | undefined)[] = [];
  const watch = (conn: Conn): void => {
    const startTls = conn.startTls.bind(conn);
    (conn as { startTls: Conn["startTls"] }).startTls = async (options, init) => {
      const secured = await startTls(options, init);
      resumed.push(secured.tlsSessionReused?.());
      return secured;
    };
  };
  return { net: watchedNet(inner, watch), resumed };
}

/**
 * The control connection's handshake is new, every data connection's resumed (where the
 * runtime can tell: `undefined` on Deno, and on Bun for TLS 1.2).
 */
function assertResumed(resumed: (boolean | undefined)[], dataConnections: number): void {
  assert.equal(resumed.length, dataConnections + 1, `handshakes: ${resumed.join(", ")}`);
  assert.notEqual(resumed[0], true, "the control connection's handshake");
  assert.ok(resumed.slice(1).every((r) => r !== false), `resumed: ${resumed.join(", ")}`);
}

describe("TLS session reuse required by default", { skip }, () => {
  let dir: string;
  const files: Record<string, Uint8Array> = {};
  before(async () => {
    dir = await tempDir("tlsreuse");
    for (const name of ["a.bin", "b.bin", "c.bin"]) files[name] = new Uint8Array(randomBytes(150_000));
    await mkdir(join(dir, "up"), { recursive: true });
    for (const name of ["u1.bin", "u2.bin", "u3.bin"]) {
      files[name] = new Uint8Array(randomBytes(120_000));
      await writeFile(join(dir, "up", name), files[name]!);
    }
  });
  after(async () => {
    killPeers();
    await removeDir(dir);
  });

  async function serverWithFiles() {
    const log = await resumptionLog();
    const srv = await startServer({ tls: TLS, users: USERS, net: log.net });
    for (const name of ["a.bin", "b.bin", "c.bin"]) await putFile(srv.storage, `/${name}`, files[name]!);
    return Object.assign(srv, { resumed: log.resumed });
  }

  for (const [label, versions] of [["TLS 1.2", ["--tlsv1.2", "--tls-max", "1.2"]], ["TLS 1.3", ["--tlsv1.3"]]] as const) {
    // Our server on Deno speaks TLS 1.2 at most (see src/net/node/_tls_over_conn.ts).
    const deno13 = !canTell && label === "TLS 1.3" && "the server speaks TLS 1.2 at most on Deno";
    it(`curl (${label}): a listing and three downloads, then uploads, each resuming the session`, { skip: deno13 }, async () => {
      await using srv = await serverWithFiles();
      const url = `ftp://127.0.0.1:${srv.port}`;
      const out = join(dir, `curl-${label.replace(" ", "")}`);
      await mkdir(out, { recursive: true });
      const down = await curl([
        ...versions, `${url}/`, "-o", "list.txt", `${url}/a.bin`, "-o", "a.bin", `${url}/b.bin`, "-o", "b.bin",
        `${url}/c.bin`, "-o", "c.bin",
      ], out);
      assert.equal(down.code, 0, down.err);
      assert.ok(!received(down).some((l) => l.startsWith("425")), received(down).join("\n"));
      assert.match(await readFile(join(out, "list.txt"), "utf8"), /c\.bin/);
      for (const name of ["a.bin", "b.bin", "c.bin"]) assert.deepEqual(new Uint8Array(await readFile(join(out, name))), files[name]);
      assertResumed(srv.resumed.splice(0), 4);
      // OpenSSL clients use a TLS 1.3 ticket once, and an upload's connection gets no new one
      // (see src/net/node/_session_store.ts): on TLS 1.3 curl's upload comes last.
      const uploads = label === "TLS 1.2" ? ["u1.bin", "u2.bin", "u3.bin"] : ["u1.bin"];
      const up = await curl([...versions, ...uploads.flatMap((name) => ["-T", join(dir, "up", name), `${url}/${name}`])], out);
      assert.equal(up.code, 0, up.err);
      for (const name of uploads) assert.deepEqual(await getFile(srv.storage, `/${name}`), files[name]);
      assertResumed(srv.resumed.splice(0), uploads.length);
    });
  }

  it("lftp (GnuTLS): uploads, downloads and listings, passive and active, each resuming the session", async () => {
    await using srv = await serverWithFiles();
    for (const passive of ["on", "off"]) {
      const out = join(dir, `lftp-${passive}`);
      await mkdir(out, { recursive: true });
      const settings = [
        "set cmd:fail-exit yes", `set ftp:passive-mode ${passive}`, "set net:max-retries 1",
        "set net:timeout 10", "set net:reconnect-interval-base 1", "set ftp:ssl-force yes",
        "set ftp:ssl-protect-data yes", "set ftp:ssl-protect-list yes", `set ssl:ca-file ${CERT_PATH}`,
        "set ssl:verify-certificate yes", `open -u '${USER},${PASSWORD}' -p ${srv.port} 127.0.0.1`,
      ];
      const steps = [
        `put ${join(dir, "up", "u1.bin")} -o ${passive}-u1.bin`, "get a.bin", `put ${join(dir, "up", "u2.bin")} -o ${passive}-u2.bin`,
        "cls -1 > list.txt", "get b.bin", `put ${join(dir, "up", "u3.bin")} -o ${passive}-u3.bin`, "get c.bin",
      ];
      const r = await runTool("lftp", ["-d", "-c", `${settings.join("; ")}; ${steps.join("; ")}`], { cwd: out });
      assert.equal(r.code, 0, `${r.out}\n${r.err}`);
      assert.ok(!/<--- 42[56]/.test(r.err), r.err);
      for (const name of ["a.bin", "b.bin", "c.bin"]) assert.deepEqual(new Uint8Array(await readFile(join(out, name))), files[name]);
      for (const name of ["u1.bin", "u2.bin", "u3.bin"]) assert.deepEqual(await getFile(srv.storage, `/${passive}-${name}`), files[name]);
      assert.match(await readFile(join(out, "list.txt"), "utf8"), /a\.bin/);
      assertResumed(srv.resumed.splice(0), 7);
    }
  });

  const ftplib = (port: number, login = USER) =>
    runTool(PYTHON, ["-c", [
      "import ftplib, io, ssl",
      `ctx = ssl.create_default_context(cafile=${JSON.stringify(CERT_PATH)})`,
      "f = ftplib.FTP_TLS(context=ctx)",
      `f.connect("127.0.0.1", ${port}, timeout=15)`,
      `f.auth(); f.login(${JSON.stringify(login)}, ${JSON.stringify(PASSWORD)}); f.prot_p()`,
      "for op in ('RETR', 'STOR'):",
      "    try:",
      "        if op == 'RETR':",
      "            out = []; f.retrbinary('RETR /a.bin', out.append); print('ok', len(b''.join(out)))",
      "        else:",
      "            f.storbinary('STOR /py.bin', io.BytesIO(b'x' * 1000)); print('ok stored')",
      "    except ftplib.error_temp as e:",
      "        print('refused', e)",
      // The server may close a refused upload's connection before ftplib's TLS shutdown:
      // the 425 is then still to be read.
      "    except OSError:",
      "        try:",
      "            print('ok?', f.getresp())",
      "        except ftplib.error_temp as e:",
      "            print('refused', e)",
      "print(f.voidcmd('NOOP'))",
      "f.quit()",
    ].join("\n")]);

  it(`a data connection that does not resume (ftplib) is ${canTell ? "refused with 425, the session goes on" : "let through (Deno cannot tell)"}`, async () => {
    await using srv = await serverWithFiles();
    const r = await ftplib(srv.port);
    assert.equal(r.code, 0, r.err);
    const lines = r.out.trim().split("\n");
    if (canTell) {
      assert.match(lines[0]!, /^refused 425 TLS session reuse required on the data connection: use a client that resumes/);
      assert.match(lines[1]!, /^refused 425 /);
    } else {
      assert.deepEqual(lines.slice(0, 2), ["ok 150000", "ok stored"]);
    }
    assert.match(lines[2]!, /^200/);
  });

  it("sessionReuse: false, for the server or for one user, lets it through", async () => {
    {
      await using srv = await startServer({ tls: TLS, users: USERS, requireTls: { sessionReuse: false } });
      await putFile(srv.storage, "/a.bin", files["a.bin"]!);
      const r = await ftplib(srv.port);
      assert.equal(r.code, 0, r.err);
      assert.deepEqual(r.out.trim().split("\n").slice(0, 2), ["ok 150000", "ok stored"]);
    }
    const legacy = { login: "legacy", password: PASSWORD, requireTls: { sessionReuse: false } };
    await using srv = await startServer({ tls: TLS, users: [...USERS, legacy] });
    await putFile(srv.storage, "/a.bin", files["a.bin"]!);
    const r = await ftplib(srv.port, "legacy");
    assert.equal(r.code, 0, r.err);
    assert.deepEqual(r.out.trim().split("\n").slice(0, 2), ["ok 150000", "ok stored"]);
    if (canTell) assert.match((await ftplib(srv.port)).out, /^refused 425 /, "the other users still must resume");
  });
});
