// FTPS from the client: explicit (AUTH TLS, PBSZ 0, PROT P) and implicit TLS against vsftpd,
// and explicit TLS against our own server, in passive and active mode.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import process from "node:process";
import { Client } from "../src/client/mod.ts";
import { UnsupportedError } from "../src/errors.ts";
import { havePeer, type RealServer, sha256 as sha, startAnyftp, startVsftpd } from "./_support/mod.ts";

// Deno cannot resume TLS sessions (see the net adapter): the client does full handshakes there.
const onDeno = (globalThis as { Deno?: unknown }).Deno !== undefined;
function haveOpenssl(): boolean {
  const ok = existsSync("/usr/bin/openssl");
  if (!ok && process.env.CI) throw new Error("openssl is not installed (CI requires it)");
  return ok;
}

const certDir = mkdtempSync(join(tmpdir(), "anyftp-cert-"));
const certPath = join(certDir, "cert.pem");
const keyPath = join(certDir, "key.pem");
let ca = "";
const canRun = haveOpenssl();

before(() => {
  if (!canRun) return;
  const r = spawnSync("/usr/bin/openssl", [
    "req",
    "-x509",
    "-newkey",
    "rsa:2048",
    "-nodes",
    "-keyout",
    keyPath,
    "-out",
    certPath,
    "-days",
    "2",
    "-subj",
    "/CN=localhost",
    "-addext",
    "subjectAltName=IP:127.0.0.1,DNS:localhost",
    // A self-signed leaf, not a CA: rustls (Deno) refuses a CA certificate as end entity.
    "-addext",
    "basicConstraints=critical,CA:FALSE",
  ]);
  assert.equal(r.status, 0, String(r.stderr));
  ca = readFileSync(certPath, "utf8");
});
after(() => rmSync(certDir, { recursive: true, force: true }));

const vsftpdTls = (implicit: boolean) =>
  startVsftpd({
    extra: [
      "ssl_enable=YES",
      `rsa_cert_file=${certPath}`,
      `rsa_private_key_file=${keyPath}`,
      "allow_anon_ssl=YES",
      "force_anon_logins_ssl=YES",
      "force_anon_data_ssl=YES",
      "require_ssl_reuse=YES",
      ...(implicit ? ["implicit_ssl=YES"] : []),
    ],
  });

const cases: [string, () => Promise<RealServer>, "explicit" | "implicit", boolean][] = [
  ["vsftpd", () => vsftpdTls(false), "explicit", canRun && havePeer("vsftpd")],
  ["vsftpd", () => vsftpdTls(true), "implicit", canRun && havePeer("vsftpd")],
  [
    "anyftp",
    () =>
      startAnyftp({
        tls: { cert: readFileSync(certPath, "utf8"), key: readFileSync(keyPath, "utf8") },
      }),
    "explicit",
    canRun,
  ],
];

for (const [name, start, tls, ok] of cases) {
  for (const mode of ["passive", "active"] as const) {
    describe(`FTPS ${tls} with ${name} (${mode})`, { skip: !ok }, () => {
      it("transfers and lists inside TLS, hashes equal", async () => {
        await using s = await start();
        await using c = await Client.connect(
          { host: s.host, port: s.port, user: s.user, password: s.password },
          {
            tls,
            tlsOptions: { caCerts: [ca] },
            mode,
            socketTimeout: 10_000,
            dataTimeout: 10_000,
          },
        );
        const data = new Uint8Array(randomBytes(2 * 1024 * 1024 + 5));
        if (onDeno && name === "vsftpd") {
          // vsftpd demands that data connections resume the control session, which Deno
          // cannot do: the first transfer says so with a typed error (not a lost connection).
          await assert.rejects(c.uploadData(data, "secret.bin"), (e) => {
            assert.ok(e instanceof UnsupportedError, String(e));
            assert.match(e.message, /session reuse.*Node or Bun/);
            return true;
          });
          return;
        }
        await c.uploadData(data, "secret.bin");
        assert.equal(sha(readFileSync(join(s.root, "secret.bin"))), sha(data));
        assert.equal(sha(await c.downloadData("secret.bin")), sha(data));
        assert.deepEqual((await c.list()).map((e) => e.name), ["secret.bin"]);
      });
    });
  }
}

describe("FTPS certificate checks", { skip: !(canRun && havePeer("vsftpd")) }, () => {
  it("refuses a server certificate it does not trust", async () => {
    await using s = await vsftpdTls(false);
    await assert.rejects(Client.connect(s.url, { tls: "explicit", socketTimeout: 10_000 }));
  });
});
