/**
 * The server's explicit FTPS hook (AUTH TLS, PBSZ, PROT P) driven by curl --ssl-reqd, on the
 * running runtime's socket adapter. Full FTPS coverage belongs to the FTPS issue; this proves
 * the control upgrade and protected data connections work.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { execFile, execFileSync, spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import process from "node:process";
import { Control, getFile, putFile, startServer, text } from "./_support/mod.ts";

function have(cmd: string): boolean {
  return spawnSync(cmd, ["--version"]).status === 0 || spawnSync(cmd, ["version"]).status === 0;
}

describe("server: explicit FTPS (AUTH TLS)", () => {
  it("curl --ssl-reqd lists, downloads and uploads over TLS", async (t) => {
    if (!have("curl") || !have("openssl")) {
      if (process.env.CI) assert.fail("curl and openssl are required on CI");
      t.skip("curl or openssl missing");
      return;
    }
    const dir = mkdtempSync(join(tmpdir(), "anyftp-srv-tls-"));
    try {
      execFileSync("openssl", [
        "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=localhost",
        "-keyout", join(dir, "key.pem"), "-out", join(dir, "cert.pem"),
      ], { stdio: "ignore" });
      await using srv = await startServer({
        users: [{ login: "u", password: "p" }],
        tls: { cert: readFileSync(join(dir, "cert.pem"), "utf8"), key: readFileSync(join(dir, "key.pem"), "utf8") },
      });
      await putFile(srv.storage, "/secret.txt", "over tls");
      const url = `ftp://u:p@127.0.0.1:${srv.port}`;
      // Async spawn: the server runs in this process and must keep serving meanwhile.
      const curl = (...args: string[]) =>
        new Promise<string>((resolve, reject) => {
          execFile("curl", ["-sS", "--ssl-reqd", "-k", "--max-time", "20", ...args], (err, out) =>
            err ? reject(err) : resolve(out));
        });
      assert.equal(await curl(`${url}/secret.txt`), "over tls");
      assert.match(await curl(`${url}/`), /secret\.txt/);
      const up = join(dir, "up.txt");
      execFileSync("sh", ["-c", `printf 'uploaded' > '${up}'`]);
      await curl("-T", up, `${url}/up.txt`);
      assert.equal(text(await getFile(srv.storage, "/up.txt")), "uploaded");
      const commands = srv.events.filter((e) => e.type === "command").map((e) => e.type === "command" ? e.name : "");
      for (const c of ["AUTH", "PBSZ", "PROT"]) assert.ok(commands.includes(c), c);
      // FEAT advertises it; a second AUTH on a secured connection is refused.
      await using c = await Control.open(srv.port);
      const feat = await c.control.cmd("FEAT");
      assert.ok(feat.lines.includes(" AUTH TLS"));
      assert.equal((await c.control.cmd("PBSZ 0")).code, "503");
      assert.equal((await c.control.cmd("AUTH KERBEROS")).code, "504");
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
