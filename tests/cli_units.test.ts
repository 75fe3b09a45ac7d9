// deno-lint-ignore-file no-control-regex
// Pure pieces of the CLI, in process: PASS censoring (src/protocol/command.ts), log escaping
// and JSON events, the log's routing, .netrc and credentials, the mirror plan, the users file
// and password hashes, the dot-file wrapper, option value parsers and environment options,
// failure classification, and the progress bar's drawing.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { censorCommand, parseCommandLine } from "../src/protocol/command.ts";
import { escapeControl, formatServerEvent, formatServerEventJson, ServerLog } from "../src/cli/log_format.ts";
import { parseNetrc, resolveCredentials } from "../src/cli/credentials.ts";
import { planMirror } from "../src/cli/mirror.ts";
import { parseUsersFile } from "../src/cli/users_file.ts";
import { checkPasswordHash, hashPassword, verifyPassword } from "../src/cli/password_hash.ts";
import { DotfileHidingPathIO } from "../src/cli/dotfile_hiding_path_io.ts";
import { applyEnv, parseArgs, parseSeconds, parseSize, UsageError } from "../src/cli/args.ts";
import { describeFailure, EXIT } from "../src/cli/exit_codes.ts";
import { formatBytes, formatDuration, formatSummary, ProgressBar } from "../src/cli/progress.ts";
import { MemoryPathIO } from "../src/fs/memory_path_io.ts";
import { ConnectError, FtpTimeoutError, PathIOError, StatusCodeError } from "../src/errors.ts";

const remote = { hostname: "127.0.0.1", port: 5000, family: "IPv4" as const };
const base = { time: 0, sessionId: 3, remote };

describe("PASS censoring (censorCommand)", () => {
  it("any case, tab, several spaces, leading whitespace, Telnet leftovers, ACCT", () => {
    for (const line of ["PASS s3cret", "pass s3cret", "Pass s3cret", "PASS\ts3cret", "PASS  s3cret", "  PASS s3cret", "\uFFFDPASS s3cret", "PASS:s3cret", "PASS", "ACCT s3cret", "acct\ts3cret"]) {
      const out = censorCommand(line);
      assert.doesNotMatch(out, /s3cret/, JSON.stringify(line));
      assert.match(out, /^(PASS|pass|Pass|ACCT|acct) \*{8}$/, JSON.stringify(line));
    }
    assert.equal(censorCommand("PASV"), "PASV");
    assert.equal(censorCommand("PASSIVE x"), "PASSIVE x");
    assert.equal(censorCommand("USER bob"), "USER bob");
  });

  it("a tab ends the verb, so the password is never part of the verb", () => {
    assert.deepEqual(parseCommandLine("PASS\tsecret"), { name: "PASS", arg: "secret" });
    assert.deepEqual(parseCommandLine("stor  two  spaces.txt"), { name: "STOR", arg: " two  spaces.txt" });
  });

  it("log lines censor command events whatever their fields hold", () => {
    const shown = formatServerEvent({ ...base, type: "command", name: "PASS\tSECRET", arg: "" }, { verbose: true })!;
    assert.doesNotMatch(shown, /SECRET/);
    assert.match(shown, /> PASS \*{8}$/);
    const json = JSON.parse(formatServerEventJson({ ...base, type: "command", name: "pass", arg: " hunter2" }));
    assert.equal(json.name, "PASS");
    assert.equal(json.arg, "********");
  });
});

describe("log escaping and routing", () => {
  it("escapes C0, DEL, C1 and backslashes in text; JSON escapes DEL and C1 too", () => {
    assert.equal(escapeControl("a\x1b[2Jb\x07c\x00d\x7fe\x9bf\\g\nh"), "a\\x1b[2Jb\\x07c\\x00d\\x7fe\\x9bf\\\\g\\x0ah");
    const line = formatServerEvent({ ...base, type: "transfer", command: "STOR", direction: "upload", path: "/x\x1b]0;pwned\x07", bytes: 1, durationMs: 1, ok: true, code: "226" })!;
    assert.doesNotMatch(line, /[\x00-\x1f\x7f]/);
    assert.match(line, /STOR \/x\\x1b\]0;pwned\\x07 1 B/);
    const json = formatServerEventJson({ ...base, type: "transfer", command: "STOR", direction: "upload", path: "/a\x7f\x9b", bytes: 1, durationMs: 1, ok: false, code: "451", error: new Error("disk") });
    assert.doesNotMatch(json, /[\x00-\x1f\x7f-\x9f]/);
    assert.equal(JSON.parse(json).path, "/a\x7f\x9b");
    assert.equal(JSON.parse(json).error, "disk");
  });

  it("errors, failed transfers, login failures and refusals go to stderr, even with quiet", () => {
    const out: string[] = [];
    const err: string[] = [];
    const log = new ServerLog({ quiet: true, out: (l) => void out.push(l), err: (l) => void err.push(l) });
    log.event({ ...base, type: "session-open", local: remote });
    log.event({ ...base, type: "command", name: "DELE", arg: "/a" });
    log.event({ ...base, type: "reply", code: "550", lines: ['"/a": Permission denied.'] });
    log.event({ ...base, type: "command", name: "RETR", arg: "/b" });
    log.event({ ...base, type: "reply", code: "550", lines: ['"/b": No such file or directory.'] });
    log.event({ ...base, type: "transfer", command: "RETR", direction: "download", path: "/c", bytes: 1, durationMs: 1, ok: false, code: "426" });
    log.event({ ...base, type: "login-failed", login: "x", reason: "bad-password" });
    log.event({ ...base, type: "reply", code: "226", lines: ["ok"] });
    assert.deepEqual(out, []);
    assert.equal(err.length, 4);
    assert.match(err[0] ?? "", /refused DELE \/a: 550 "\/a": Permission denied\.$/);
    assert.match(err[1] ?? "", /refused RETR \/b: 550/);
    assert.match(err[2] ?? "", /RETR \/c 1 B in 1 ms failed \(426\)/);
    assert.match(err[3] ?? "", /login failed for "x"/);
  });
});

describe("credentials", () => {
  it("parses .netrc (quotes, default, macdef)", () => {
    const entries = parseNetrc(`# comment\nmachine a.example login bob password "p w"\nmacdef init\ncd /\n\nmachine b login eve password 'x'\ndefault login anon password guest\n`);
    assert.deepEqual(entries, [
      { machine: "a.example", login: "bob", password: "p w" },
      { machine: "b", login: "eve", password: "x" },
      { login: "anon", password: "guest" },
    ]);
  });

  it("URL, then -u, then ANYFTP_USER/PASSWORD, then .netrc, then a prompt", async () => {
    const netrc = "machine h login bob password fromnetrc\n";
    const readFile = (path: string) => Promise.resolve(path === "/home/me/.netrc" ? netrc : undefined);
    const env = { HOME: "/home/me" };
    assert.deepEqual(await resolveCredentials({ host: "h", urlUser: "u", urlPassword: "p", userOption: "x:y", env, readFile }), { user: "u", password: "p" });
    assert.deepEqual(await resolveCredentials({ host: "h", userOption: "x:y", env, readFile }), { user: "x", password: "y" });
    assert.deepEqual(await resolveCredentials({ host: "h", env: { ...env, ANYFTP_USER: "bob", ANYFTP_PASSWORD: "e" }, readFile }), { user: "bob", password: "e" });
    assert.deepEqual(await resolveCredentials({ host: "h", env, readFile }), { user: "bob", password: "fromnetrc" });
    assert.deepEqual(await resolveCredentials({ host: "other", env, readFile }), {});
    const asked: string[] = [];
    const prompt = (q: string) => (asked.push(q), Promise.resolve("typed"));
    assert.deepEqual(await resolveCredentials({ host: "other", userOption: "carol", env, readFile, prompt }), { user: "carol", password: "typed" });
    assert.deepEqual(asked, ["Password for carol@other: "]);
    await assert.rejects(resolveCredentials({ host: "other", userOption: "carol", env, readFile }), UsageError);
  });
});

describe("mirror plan", () => {
  const t = (s: number) => new Date(s * 1000);
  it("copies what is missing, resized or newer; deletes only with --delete, deepest first", () => {
    const source = new Map([
      ["same.txt", { type: "file" as const, size: 1, mtime: t(100) }],
      ["newer.txt", { type: "file" as const, size: 1, mtime: t(200) }],
      ["resized.txt", { type: "file" as const, size: 2, mtime: t(100) }],
      ["new", { type: "dir" as const, size: 0 }],
      ["new/f.txt", { type: "file" as const, size: 3 }],
      ["was-file", { type: "dir" as const, size: 0 }],
    ]);
    const target = new Map([
      ["same.txt", { type: "file" as const, size: 1, mtime: t(101) }],
      ["newer.txt", { type: "file" as const, size: 1, mtime: t(100) }],
      ["resized.txt", { type: "file" as const, size: 1, mtime: t(300) }],
      ["was-file", { type: "file" as const, size: 1 }],
      ["gone", { type: "dir" as const, size: 0 }],
      ["gone/x", { type: "file" as const, size: 1 }],
    ]);
    const plan = planMirror(source, target, { delete: true });
    assert.deepEqual(plan.copy, ["new/f.txt", "newer.txt", "resized.txt"]);
    assert.deepEqual(plan.mkdir, ["new", "was-file"]);
    assert.deepEqual(plan.remove, ["was-file", "gone"]);
    assert.equal(plan.unchanged, 1);
    assert.deepEqual(planMirror(source, target, { delete: false }).remove, ["was-file"]);
  });
});

describe("users file and password hashes", () => {
  it("scrypt and PBKDF2 hashes verify; tampered or malformed ones do not", async () => {
    for (const kdf of ["scrypt", "pbkdf2-sha256"] as const) {
      const hash = await hashPassword("pw", kdf);
      assert.equal(checkPasswordHash(hash), undefined);
      assert.equal(await verifyPassword("pw", hash), true);
      assert.equal(await verifyPassword("pW", hash), false);
      assert.equal(await verifyPassword("pw", hash.slice(0, -2) + (hash.endsWith("AA") ? "BB" : "AA")), false);
    }
    assert.match(checkPasswordHash("$scrypt$ln=30,r=8,p=1$AAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAAAA")!, /out of range/);
    assert.equal(await verifyPassword("pw", "pw"), false);
  });

  it("accounts with root, home, write, rules, limits; clear errors", async () => {
    const hash = await hashPassword("pw", "pbkdf2-sha256");
    const users = parseUsersFile(JSON.stringify({
      users: [
        { login: "a", password: hash, root: "/a", home: "/in", write: true, maxConnections: 2, downloadLimit: "1m" },
        { login: "ro", password: hash, permissions: [{ path: "/drop", writable: true }] },
        { anonymous: true },
      ],
    }), { file: "u.json", write: false });
    assert.equal(users[0]?.basePath, "/a");
    assert.equal(users[0]?.homePath, "/in");
    assert.deepEqual(users[0]?.permissions, [{ path: "/", readable: true, writable: true }]);
    assert.deepEqual(users[0]?.speedLimits, { download: 1024 * 1024 });
    assert.equal(users[0]?.password, undefined, "the hash is checked by verifyPassword, never compared as text");
    assert.equal(await users[0]?.verifyPassword?.("pw", { sessionId: 1, remote }), true);
    assert.deepEqual(users[1]?.permissions, [{ path: "/", readable: true, writable: false }, { path: "/drop", writable: true }]);
    assert.equal(users[2]?.anonymous, true);
    const bad = (u: unknown, re: RegExp) =>
      assert.throws(() => parseUsersFile(JSON.stringify({ users: [u] }), { file: "u.json", write: false }), re);
    bad({ login: "x", password: "plain" }, /u\.json: users\[0\] \(x\): the password is not a \$scrypt\$/);
    bad({ login: "x" }, /needs a "password" hash from anyftp passwd/);
    bad({ password: hash }, /needs a "login"/);
    bad({ login: "x", password: hash, colour: 1 }, /unknown field "colour"/);
    bad({ login: "x", password: hash, root: "rel" }, /root must start with \//);
    assert.throws(() => parseUsersFile("{", { file: "u.json", write: false }), /u\.json is not valid JSON/);
  });
});

describe("DotfileHidingPathIO", () => {
  it("hides dot-files from listings and every operation", async () => {
    const inner = new MemoryPathIO();
    await inner.mkdir("/.git");
    await inner.mkdir("/pub");
    for (const p of ["/.env", "/pub/a.txt", "/.git/config"]) {
      const w = (await inner.openWrite(p)).getWriter();
      await w.write(new Uint8Array([1]));
      await w.close();
    }
    const fs = new DotfileHidingPathIO(inner);
    const names: string[] = [];
    for await (const e of fs.list("/")) names.push(e.name);
    assert.deepEqual(names.sort(), ["pub"]);
    assert.equal(await fs.exists("/.env"), false);
    assert.equal(await fs.isDir("/.git"), false);
    for (const op of [() => fs.stat("/.env"), () => fs.openRead("/.git/config"), () => fs.openWrite("/pub/.htaccess"), () => fs.unlink("/.env"), () => fs.rename("/pub/a.txt", "/.a"), () => fs.mkdir("/.ssh")]) {
      await assert.rejects(op(), (e: unknown) => e instanceof PathIOError && e.kind === "not-found");
    }
    assert.equal((await fs.stat("/pub/a.txt")).size, 1);
    await assert.rejects(async () => {
      for await (const _ of fs.list("/.git")) { /* nothing */ }
    }, PathIOError);
  });
});

describe("option values and the environment", () => {
  it("sizes, seconds, ANYFTP_* variables (the command line wins)", () => {
    assert.equal(parseSize("512M", "q"), 512 * 1024 ** 2);
    assert.equal(parseSize("1.5k", "q"), 1536);
    assert.equal(parseSize("2GiB", "q"), 2 * 1024 ** 3);
    assert.equal(parseSize("none", "q"), Infinity);
    assert.throws(() => parseSize("lots", "--quota"), /--quota must be a size/);
    assert.equal(parseSeconds("2.5", "t"), 2500);
    assert.throws(() => parseSeconds("0", "--timeout"), /--timeout must be a number of seconds/);
    const specs = { port: { type: "string" }, write: { type: "boolean" }, user: { type: "string", multiple: true } } as const;
    const env = { X_PORT: "21", X_WRITE: "yes", X_USER: "a:b  c:d" };
    assert.deepEqual(applyEnv(parseArgs(["--port", "99"], specs), specs, env, "X_"), { port: "99", write: true, user: ["a:b", "c:d"] });
    assert.deepEqual(applyEnv(parseArgs([], specs), specs, { X_WRITE: "0" }, "X_"), {});
    assert.throws(() => applyEnv(parseArgs([], specs), specs, { X_WRITE: "maybe" }, "X_"), /X_WRITE must be 1 or 0/);
  });
});

describe("failure classification", () => {
  it("maps each cause to its exit code and a line that starts with the cause", () => {
    const reply = (command: string, received: string, info: string) =>
      new StatusCodeError({ expected: ["2xx"], received, command, info: [`${received} ${info}`] });
    const cases: [unknown, number, RegExp][] = [
      [new ConnectError("h", 21, { code: "ECONNREFUSED" }), EXIT.connectFailed, /^Cannot reach h:21: connection refused/],
      [new ConnectError("h", 21, { code: "ENOTFOUND" }), EXIT.hostNotFound, /^Host not found/],
      [new Error("failed to lookup address information: Name or service not known"), EXIT.hostNotFound, /^Host not found/],
      [reply("PASS ********", "530", "Login incorrect."), EXIT.loginFailed, /^Login refused \(530 Login incorrect\.\)/],
      [reply("RETR /a", "550", "No such file."), EXIT.remoteNotFound, /^No such remote file or directory: \/a \(550 No such file\.\)/],
      [reply("STOR /a", "550", "Permission denied."), EXIT.permissionDenied, /^Permission denied: \/a/],
      [reply("AUTH TLS", "502", "no TLS"), EXIT.tls, /^The server refused AUTH TLS .*drop --tls/],
      [new FtpTimeoutError("waiting for a reply", 1000), EXIT.timeout, /^Timed out after 1 s: .*--timeout/],
      [new Error("self-signed certificate"), EXIT.tls, /^TLS certificate not trusted: .*--cacert/],
      [new PathIOError("openWrite", "/f", { kind: "permission" }), EXIT.localFile, /permission denied \(EACCES\)/],
      [reply("STOR /a", "552", "Quota exceeded."), EXIT.failure, /^The server refused STOR \/a \(552/],
      [reply("RETR /a", "550", '"/a": Not a regular file.'), EXIT.failure, /^Not a file: \/a .*use get DIR or mirror/],
    ];
    for (const [e, code, re] of cases) {
      const f = describeFailure(e, { remotePath: "/a", host: "h:21" });
      assert.equal(f.code, code, f.message);
      assert.match(f.message, re);
    }
  });
});

describe("progress bar", () => {
  it("draws bytes, percent, rate and time left at most every interval; nothing when disabled", () => {
    let now = 0;
    const drawn: string[] = [];
    const bar = new ProgressBar({ write: (t) => void drawn.push(t), enabled: true, now: () => now, interval: 100, columns: 100 });
    now = 1000;
    bar.update("f.bin", 1024 * 1024, 4 * 1024 * 1024);
    now = 1050;
    bar.update("f.bin", 2 * 1024 * 1024, 4 * 1024 * 1024); // too soon: not drawn
    now = 2000;
    bar.update("f.bin", 2 * 1024 * 1024, 4 * 1024 * 1024);
    assert.equal(drawn.length, 2);
    assert.equal(drawn[1], "\r\x1b[Kf.bin  [##########----------]   50%  2.0 MiB/4.0 MiB  2.0 MiB/s  0:01 left");
    bar.setTotals(3, 6 * 1024 * 1024);
    bar.fileDone(2 * 1024 * 1024);
    now = 3000;
    bar.update("g.bin", 1024 * 1024, 4 * 1024 * 1024);
    assert.match(drawn.at(-1)!, /\(file 2\/3 50%\)$/);
    bar.clear();
    assert.equal(drawn.at(-1), "\r\x1b[K");
    now = 4000;
    bar.update("evil\x1b]0;title\x07.bin", 1, 2);
    assert.match(drawn.at(-1)!, /\\x1b\]0;title\\x07\.bin /, "server-chosen names are escaped");
    assert.doesNotMatch(drawn.at(-1)!.slice(4), /[\x00-\x1f]/);
    const off: string[] = [];
    const none = new ProgressBar({ write: (t) => void off.push(t), enabled: false });
    none.update("x", 1, 2);
    none.clear();
    assert.deepEqual(off, []);
    assert.equal(formatBytes(1536), "1.5 KiB");
    assert.equal(formatDuration(3725), "1:02:05");
    assert.equal(formatSummary(3 * 1024 * 1024, 2000), "3.0 MiB in 2.00 s (1.5 MiB/s)");
  });
});
