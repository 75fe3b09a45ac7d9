// deno-lint-ignore-file no-control-regex
// `anyftp serve` options as a process of the running runtime: the users file, --log-format
// json, censored passwords and escaped control characters in every log line, refusals on
// standard error by default, --quota, --max-per-ip, options from ANYFTP_SERVE_* variables,
// --dotfiles, --tls-cert/--tls-key with curl, and every address printed at startup.
import { after, describe, it } from "node:test";
import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { connect } from "node:net";
import { join } from "node:path";
import { hashPassword } from "../src/cli/password_hash.ts";
import { cleanup, cli, peer, run, runtime, serve, temp, TLS_CERT, TLS_KEY, waitForOutput } from "./_support/mod.ts";

after(cleanup);

/** A raw control connection: send lines, collect replies (bounded waits). */
function rawSession(port: number) {
  const socket = connect(port, "127.0.0.1");
  socket.on("error", () => {});
  let text = "";
  socket.on("data", (d) => (text += d.toString("latin1")));
  const closed = new Promise<void>((resolve) => socket.on("close", () => resolve()));
  return {
    text: () => text,
    /** Wait until the transcript has `count` final reply lines (`NNN text`). */
    async replies(count: number): Promise<string> {
      await waitForOutput(() => text, new RegExp(`(^\\d{3} .*\\r?\\n[\\s\\S]*){${count}}`, "m"));
      return text;
    },
    send(line: string) {
      socket.write(Buffer.from(line + "\r\n", "latin1"));
    },
    async close() {
      socket.end();
      await Promise.race([closed, new Promise((r) => setTimeout(r, 2000))]);
      socket.destroy();
    },
  };
}

describe(`anyftp serve options (${runtime})`, () => {
  it("--log-format json: every line is JSON, passwords never appear, names keep no raw control bytes", async () => {
    const users = join(temp("anyftp-cli-json-"), "users.json");
    writeFileSync(users, JSON.stringify({
      users: [{ login: "alice", password: await hashPassword("alice-pw", "pbkdf2-sha256"), write: true }],
    }));
    const server = await serve(["--memory", "--users-file", users, "--log-format", "json", "-v", "--port", "0"]);
    const s = rawSession(server.port);
    await s.replies(1);
    s.send("USER alice");
    s.send("PASS\tsecret-tab");
    await s.replies(3);
    s.send("USER alice");
    s.send("pass alice-pw");
    await s.replies(5);
    assert.match(s.text(), /^230 /m);
    s.send("MKD evil\x1b[2J\x07name");
    await s.replies(6);
    s.send("QUIT");
    await s.replies(7);
    await s.close();
    const ls = await cli(["ls", "-u", "alice:alice-pw", `${server.url}/`]);
    assert.equal(ls.status, 0, ls.stderr);
    await waitForOutput(server.output, /"type":"transfer"/);
    assert.equal(await server.stop(), 0);
    const lines = server.output().split("\n").filter((l) => l !== "");
    const events = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
    assert.ok(events.length > 10);
    for (const l of lines) {
      assert.doesNotMatch(l, /alice-pw|secret-tab|SECRET-TAB/, "no password in the log");
      assert.doesNotMatch(l, /[\x00-\x1f\x7f]/, "no raw control characters");
    }
    const passes = events.filter((e) => e.type === "command" && e.name === "PASS");
    assert.equal(passes.length, 3, "two raw logins and the ls");
    for (const p of passes) assert.equal(p.arg, "********");
    assert.ok(events.some((e) => e.type === "login" && e.user === "alice"));
    assert.ok(events.some((e) => e.type === "login-failed" && e.login === "alice"));
    assert.ok(events.some((e) => e.type === "command" && e.name === "MKD" && e.arg === "evil\x1b[2J\x07name"));
    assert.ok(events.some((e) => e.type === "transfer" && e.command === "MLSD"));
    assert.ok(events.some((e) => e.type === "anyftp" && Array.isArray(e.urls)));
  });

  it("text log: refusals on stderr by default, control characters escaped; -v censors PASS however spelled", async () => {
    const dir = temp("anyftp-cli-log-");
    const quiet = await serve([dir, "--port", "0"]);
    const s = rawSession(quiet.port);
    await s.replies(1);
    s.send("USER anonymous");
    s.send("PASS guest");
    await s.replies(3);
    s.send("MKD red\x1b[31mname\x07");
    await s.replies(4);
    s.send("QUIT");
    await s.replies(5);
    await s.close();
    await waitForOutput(quiet.stderr, /refused MKD/);
    assert.equal(await quiet.stop(), 0);
    // The server refuses the name itself (553, control characters) before any permission check.
    assert.match(quiet.stderr(), /#1 127\.0\.0\.1:\d+ anonymous refused MKD red\\x1b\[31mname\\x07: 553 .*control characters/);
    assert.doesNotMatch(quiet.output(), /[\x07\x1b]/);
    assert.doesNotMatch(quiet.stdout(), /refused/, "refusals go to stderr");

    const verbose = await serve(["--memory", "--user", "bob:right", "-v", "--port", "0"]);
    const v = rawSession(verbose.port);
    await v.replies(1);
    const spellings = ["PASS\tsecret-one", "pass  secret-two", "Pass secret-three"];
    let n = 1;
    for (const spelling of spellings) {
      v.send("USER bob");
      v.send(spelling);
      n += 2;
      await v.replies(n);
    }
    await v.close();
    assert.equal(await verbose.stop(), 0);
    const log = verbose.output();
    assert.doesNotMatch(log, /secret|SECRET/);
    assert.equal(log.match(/> PASS \*{8}$/gm)?.length, 3, log);
  });

  it("ANYFTP_SERVE_* variables, --quota, --max-per-ip, and the default quota", async () => {
    const server = await serve(["--memory", "--port", "0"], {
      env: { ANYFTP_SERVE_WRITE: "1", ANYFTP_SERVE_QUOTA: "1M", ANYFTP_SERVE_MAX_PER_IP: "2" },
    });
    try {
      assert.match(server.output(), /serving memory \(read-write, quota 1048576 bytes\)/);
      const sessions = [rawSession(server.port), rawSession(server.port)];
      for (const s of sessions) await s.replies(1);
      const third = rawSession(server.port);
      await waitForOutput(third.text, /^421 /m);
      await third.close();
      for (const s of sessions) await s.close();
      const over = await cli(["put", "-", `${server.url}/big.bin`], { input: "z".repeat(1_200_000) });
      assert.equal(over.status, 1, over.stderr);
      assert.match(over.stderr, /552/);
    } finally {
      assert.equal(await server.stop(), 0);
    }
    const defaults = await serve(["--memory", "--port", "0", "-q"]);
    assert.match(defaults.output(), /serving memory \(read-only, quota 268435456 bytes\)/);
    assert.equal(await defaults.stop(), 0);
    const bad = await cli(["serve", "--memory", "--port", "0"], { env: { ANYFTP_SERVE_WRITE: "maybe" } });
    assert.equal(bad.status, 2);
    assert.match(bad.stderr, /ANYFTP_SERVE_WRITE must be 1 or 0/);
  });

  it("--dotfiles shows dot-files; a plain-text password in the users file is refused", async () => {
    const dir = temp("anyftp-cli-dot-");
    writeFileSync(join(dir, ".env"), "X=1");
    writeFileSync(join(dir, "seen.txt"), "y");
    const server = await serve([dir, "--dotfiles", "--port", "0", "-q"]);
    try {
      assert.match(server.output(), /dot-files shown/);
      const ls = await cli(["ls", `${server.url}/`]);
      assert.match(ls.stdout, /\.env$/m);
      const cat = await cli(["cat", `${server.url}/.env`]);
      assert.equal(cat.stdout, "X=1");
    } finally {
      assert.equal(await server.stop(), 0);
    }
    const users = join(dir, "users.json");
    writeFileSync(users, JSON.stringify({ users: [{ login: "bob", password: "plain" }] }));
    const refused = await cli(["serve", dir, "--users-file", users, "--port", "0"]);
    assert.equal(refused.status, 1);
    assert.match(refused.stderr, /users\[0\] \(bob\): the password is not a \$scrypt\$ or \$pbkdf2-sha256\$ hash \(make one with anyftp passwd\)/);
  });

  it("--tls-cert/--tls-key: curl lists over explicit FTPS; --host 0.0.0.0 prints every address", {
    skip: peer("curl"),
  }, async () => {
    const server = await serve(["--memory", "--tls-cert", TLS_CERT, "--tls-key", TLS_KEY, "--host", "0.0.0.0", "--port", "0"]);
    try {
      assert.match(server.output(), /\(read-only, quota \d+ bytes, explicit FTPS \(AUTH TLS\) available\) at ftp:\/\/0\.0\.0\.0:\d+\/ and ftp:\/\/127\.0\.0\.1:\d+\//);
      const curl = await run("curl", ["-sS", "--ssl-reqd", "--cacert", TLS_CERT, "-l", `ftp://127.0.0.1:${server.port}/`]);
      assert.equal(curl.status, 0, curl.stderr);
    } finally {
      assert.equal(await server.stop(), 0);
    }
  });

  it("--tls-required refuses plain logins; --implicit-tls-port serves ftps:// and is printed", {
    skip: peer("curl"),
  }, async () => {
    const server = await serve([
      "--memory", "--write", "--user", "alice:pw", "--tls-cert", TLS_CERT, "--tls-key", TLS_KEY,
      "--tls-required", "--implicit-tls-port", "0", "--port", "0",
    ]);
    try {
      const implicit = /ftps:\/\/127\.0\.0\.1:(\d+)\//.exec(server.output());
      assert.ok(implicit, server.output());
      assert.match(server.output(), /TLS required/);
      const plain = await run("curl", ["-sS", "--user", "alice:pw", "-l", `ftp://127.0.0.1:${server.port}/`]);
      assert.equal(plain.status, 67, plain.stderr); // login refused: 530 before AUTH TLS
      const secured = await run("curl", ["-sS", "--ssl-reqd", "--cacert", TLS_CERT, "--user", "alice:pw", "-T", "-", `ftp://127.0.0.1:${server.port}/up.txt`], { input: "over tls" });
      assert.equal(secured.status, 0, secured.stderr);
      const back = await run("curl", ["-sS", "--cacert", TLS_CERT, "--user", "alice:pw", `ftps://127.0.0.1:${implicit[1]}/up.txt`]);
      assert.equal(back.status, 0, back.stderr);
      assert.equal(back.stdout, "over tls");
    } finally {
      assert.equal(await server.stop(), 0);
    }
  });
});
