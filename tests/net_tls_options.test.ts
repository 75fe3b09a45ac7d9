/**
 * Client TLS options on the running runtime's adapter, against Python's `ssl` (OpenSSL) as a
 * strict TLS server: a client certificate for a server that requires one (mutual TLS), a
 * minimum version a TLS 1.2-only server cannot meet, a wrong server name and an untrusted
 * certificate refused by default, and `rejectUnauthorized: false` accepting the latter (on
 * Deno too, which only had a process-wide switch before).
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { defaultNet } from "../src/net/auto.ts";
import type { ClientTlsOptions } from "../src/net/types.ts";
import { PYTHON, repoFile, skipUnless, TEST_CERT } from "./_support/mod.ts";

const SERVER = `
import socket, ssl, sys
mode, cert, key, client_ca = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4]
ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
ctx.load_cert_chain(cert, key)
if mode == "mtls":
    ctx.verify_mode = ssl.CERT_REQUIRED
    ctx.load_verify_locations(client_ca)
if mode == "tls12":
    ctx.maximum_version = ssl.TLSVersion.TLSv1_2
s = socket.socket(); s.bind(("127.0.0.1", 0)); s.listen(5)
print(s.getsockname()[1], flush=True)
c, _ = s.accept()
c.settimeout(10)
try:
    t = ctx.wrap_socket(c, server_side=True)
    t.sendall(b"ok " + t.version().encode())
    t.unwrap()
except Exception as e:
    pass
c.close()
`;

const skip = skipUnless(PYTHON, ["-c", "import ssl"]) || skipUnless("openssl", ["version"]);
const serverCert = repoFile("tests/fixtures/tls/cert.pem");
const serverKey = repoFile("tests/fixtures/tls/key.pem");

describe("client TLS options", { skip }, () => {
  let dir: string;
  let clientCert: string;
  let clientKey: string;

  before(() => {
    dir = mkdtempSync(join(tmpdir(), "anyftp-mtls-"));
    const r = spawnSync("openssl", [
      "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
      "-keyout", join(dir, "client.key"), "-out", join(dir, "client.pem"), "-days", "2",
      "-subj", "/CN=anyftp test client", "-addext", "basicConstraints=critical,CA:FALSE",
      "-addext", "keyUsage=digitalSignature", "-addext", "extendedKeyUsage=clientAuth",
    ]);
    assert.equal(r.status, 0, String(r.stderr));
    clientCert = readFileSync(join(dir, "client.pem"), "utf8");
    clientKey = readFileSync(join(dir, "client.key"), "utf8");
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  /** Start the strict server in `mode`, connect with `tls`, return what it sent or the error. */
  async function attempt(mode: string, tls: Omit<ClientTlsOptions, "role">): Promise<string> {
    const child = spawn(PYTHON, ["-c", SERVER, mode, serverCert, serverKey, join(dir, "client.pem")]);
    try {
      const port = await new Promise<number>((resolve, reject) => {
        child.stdout.once("data", (d) => resolve(Number(String(d).trim())));
        child.once("error", reject);
      });
      const net = await defaultNet();
      try {
        const conn = await net.connect({ hostname: "127.0.0.1", port, tls: { role: "client", ...tls } });
        const reader = conn.readable.getReader();
        const { value } = await reader.read();
        conn.close();
        return new TextDecoder().decode(value);
      } catch (e) {
        return `error: ${(e as Error).name}`;
      }
    } finally {
      child.kill();
    }
  }

  it("mutual TLS: a client certificate is sent when given, and the server needs it", async () => {
    assert.match(await attempt("mtls", { caCerts: [TEST_CERT], cert: clientCert, key: clientKey }), /^ok TLSv1\.[23]$/);
    assert.match(await attempt("mtls", { caCerts: [TEST_CERT] }), /^error|^$/);
  });

  it("minVersion TLSv1.3 refuses a TLS 1.2-only server; the default accepts it", async () => {
    assert.match(await attempt("tls12", { caCerts: [TEST_CERT], minVersion: "TLSv1.3" }), /^error/);
    assert.equal(await attempt("tls12", { caCerts: [TEST_CERT] }), "ok TLSv1.2");
  });

  it("by default a certificate for another name, or an untrusted one, is refused", async () => {
    assert.match(await attempt("plain", { caCerts: [TEST_CERT], serverName: "other.example" }), /^error/);
    assert.match(await attempt("plain", {}), /^error/);
  });

  it("rejectUnauthorized: false accepts the untrusted certificate (every runtime)", async () => {
    assert.match(await attempt("plain", { rejectUnauthorized: false }), /^ok TLSv1\.[23]$/);
  });
});
