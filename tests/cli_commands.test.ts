// deno-lint-ignore-file no-control-regex
// The client commands as processes of the running runtime (deno run, bun, node dist/) against
// `anyftp serve` of a temp directory with a users file (hashed passwords written by
// `anyftp passwd`, a read-write and a read-only user), driven also by curl; and against
// vsftpd as a second server for get, ls and mirror.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync, readdirSync, readFileSync, statSync, truncateSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { randomBytes } from "node:crypto";
import {
  cleanup,
  cli,
  cliShell,
  havePeer,
  peer,
  type RealServer,
  run,
  runtime,
  serve,
  type Served,
  shellQuote,
  startVsftpd,
  temp,
} from "./_support/mod.ts";

after(cleanup);

const BIG = randomBytes(3 * 1024 * 1024 + 123);

describe(`anyftp client commands against anyftp serve (${runtime})`, () => {
  let dir = "";
  let server: Served;
  let alice = "";
  let viewer = "";
  let anon = "";

  before(async () => {
    dir = temp("anyftp-cli-served-");
    mkdirSync(join(dir, "sub"));
    mkdirSync(join(dir, ".git"));
    writeFileSync(join(dir, "a.txt"), "alpha");
    writeFileSync(join(dir, "sub", "b.txt"), "bravo");
    writeFileSync(join(dir, "big.bin"), BIG);
    writeFileSync(join(dir, ".env"), "SECRET=1");
    writeFileSync(join(dir, ".git", "config"), "[core]");
    const scrypt = await cli(["passwd"], { input: "alice-pw\n" });
    assert.equal(scrypt.status, 0, scrypt.stderr);
    assert.match(scrypt.stdout, /^\$scrypt\$ln=15,r=8,p=1\$[A-Za-z0-9+/]+\$[A-Za-z0-9+/]+\n$/);
    const pbkdf2 = await cli(["passwd", "--pbkdf2"], { input: "viewer-pw\n" });
    assert.equal(pbkdf2.status, 0, pbkdf2.stderr);
    assert.match(pbkdf2.stdout, /^\$pbkdf2-sha256\$i=600000\$/);
    const users = join(temp("anyftp-cli-users-"), "users.json");
    writeFileSync(users, JSON.stringify({
      users: [
        { login: "alice", password: scrypt.stdout.trim(), write: true },
        { login: "viewer", password: pbkdf2.stdout.trim() },
        { anonymous: true },
      ],
    }));
    server = await serve([dir, "--users-file", users, "--port", "0"]);
    alice = `ftp://alice:alice-pw@127.0.0.1:${server.port}`;
    viewer = `ftp://viewer:viewer-pw@127.0.0.1:${server.port}`;
    anon = server.url;
    assert.match(server.output(), /dot-files hidden.* for alice, viewer, anonymous/);
  });

  after(async () => {
    if (server) assert.equal(await server.stop(), 0);
  });

  it("curl uploads and lists; dot-files are neither listed nor served", { skip: peer("curl") }, async () => {
    const up = await run("curl", ["-sS", "-T", "-", `${alice}/curl.txt`], { input: "from curl" });
    assert.equal(up.status, 0, up.stderr);
    assert.equal(readFileSync(join(dir, "curl.txt"), "utf8"), "from curl");
    const list = await run("curl", ["-sS", "-l", `${anon}/`]);
    assert.equal(list.status, 0, list.stderr);
    assert.deepEqual(list.stdout.trim().split(/\r?\n/).sort(), ["a.txt", "big.bin", "curl.txt", "sub"]);
    const env = await run("curl", ["-sS", `${anon}/.env`]);
    assert.notEqual(env.status, 0, "curl cannot fetch .env");
    const git = await run("curl", ["-sS", `${anon}/.git/config`]);
    assert.notEqual(git.status, 0);
  });

  it("ls (grouped -rq), cat, get to a file, a directory and stdout, put", async () => {
    const ls = await cli(["ls", "-rq", `${anon}/`]);
    assert.equal(ls.status, 0, ls.stderr);
    assert.match(ls.stdout, /^d\s+.*\/sub$/m);
    assert.match(ls.stdout, /^-\s+5 .*\/sub\/b\.txt$/m);
    assert.doesNotMatch(ls.stdout, /\.env|\.git/);
    const lsFile = await cli(["ls", `${anon}/sub/b.txt`]);
    assert.equal(lsFile.status, 0, lsFile.stderr);
    assert.match(lsFile.stdout, /^-\s+5 .* b\.txt\n$/);
    const cat = await cli(["cat", `${anon}/sub/b.txt`]);
    assert.equal(cat.status, 0, cat.stderr);
    assert.equal(cat.stdout, "bravo");
    const local = temp("anyftp-cli-local-");
    const get = await cli(["get", `${anon}/a.txt`, join(local, "renamed.txt")]);
    assert.equal(get.status, 0, get.stderr);
    assert.equal(readFileSync(join(local, "renamed.txt"), "utf8"), "alpha");
    assert.match(get.stderr, /downloaded \/a\.txt to .*renamed\.txt: 5 B in [\d.]+ s \([\d.]+ (K|M)?i?B\/s\)/);
    const into = await cli(["get", `${anon}/sub`, local, "-q"]);
    assert.equal(into.status, 0, into.stderr);
    assert.equal(into.stderr, "");
    assert.equal(readFileSync(join(local, "sub", "b.txt"), "utf8"), "bravo");
    const whole = temp("anyftp-cli-whole-");
    const root = await cli(["get", `${anon}/`, whole, "-q"]);
    assert.equal(root.status, 0, root.stderr);
    assert.equal(readFileSync(join(whole, "sub", "b.txt"), "utf8"), "bravo", "the root's contents land in DIR");
    assert.equal(readdirSync(whole).some((n) => n.startsWith(".")), false);
    const dash = await cli(["get", `${anon}/a.txt`, "-", "-q"]);
    assert.equal(dash.stdout, "alpha");
    writeFileSync(join(local, "up.txt"), "uploaded");
    const put = await cli(["put", "-u", "alice:alice-pw", join(local, "up.txt"), `${anon}/sub/`]);
    assert.equal(put.status, 0, put.stderr);
    assert.equal(readFileSync(join(dir, "sub", "up.txt"), "utf8"), "uploaded");
    const stdin = await cli(["put", "-", `${alice}/stdin.txt`], { input: "piped" });
    assert.equal(stdin.status, 0, stdin.stderr);
    assert.equal(readFileSync(join(dir, "stdin.txt"), "utf8"), "piped");
  });

  it("mkdir -p, mv, rm, rm -r", async () => {
    const mk = await cli(["mkdir", "-p", `${alice}/t/u/v`]);
    assert.equal(mk.status, 0, mk.stderr);
    assert.ok(statSync(join(dir, "t", "u", "v")).isDirectory());
    const again = await cli(["mkdir", "-p", `${alice}/t/u/v`]);
    assert.equal(again.status, 0, "mkdir -p accepts an existing directory");
    writeFileSync(join(dir, "t", "u", "f.txt"), "f");
    const mv = await cli(["mv", `${alice}/t/u/f.txt`, "g.txt"]);
    assert.equal(mv.status, 0, mv.stderr);
    assert.deepEqual(readdirSync(join(dir, "t", "u")).sort(), ["g.txt", "v"]);
    const mvAbs = await cli(["mv", `${alice}/t/u/g.txt`, "/t/h.txt"]);
    assert.equal(mvAbs.status, 0, mvAbs.stderr);
    assert.equal(readFileSync(join(dir, "t", "h.txt"), "utf8"), "f");
    const rmFile = await cli(["rm", `${alice}/t/h.txt`]);
    assert.equal(rmFile.status, 0, rmFile.stderr);
    const rmDir = await cli(["rm", `${alice}/t`]);
    assert.equal(rmDir.status, 1, "rm of a directory without -r is refused");
    assert.match(rmDir.stderr, /\/t is a directory: use rm -r/);
    const rmTree = await cli(["rm", "-r", `${alice}/t`]);
    assert.equal(rmTree.status, 0, rmTree.stderr);
    assert.equal(readdirSync(dir).includes("t"), false);
  });

  it("get --continue and put --continue finish partial files", async () => {
    const local = temp("anyftp-cli-resume-");
    writeFileSync(join(local, "big.bin"), BIG.subarray(0, 1_000_000));
    const get = await cli(["get", "--continue", `${anon}/big.bin`, local]);
    assert.equal(get.status, 0, get.stderr);
    assert.ok(Buffer.compare(readFileSync(join(local, "big.bin")), BIG) === 0, "resumed download is whole");
    writeFileSync(join(dir, "partial.bin"), BIG.subarray(0, 777_777));
    writeFileSync(join(local, "partial.bin"), BIG);
    const put = await cli(["put", "-c", join(local, "partial.bin"), `${alice}/`]);
    assert.equal(put.status, 0, put.stderr);
    assert.match(put.stderr, /resumed at 777777/);
    assert.ok(Buffer.compare(readFileSync(join(dir, "partial.bin")), BIG) === 0, "resumed upload is whole");
    truncateSync(join(local, "partial.bin"), 10);
    const larger = await cli(["put", "-c", join(local, "partial.bin"), `${alice}/partial.bin`]);
    assert.equal(larger.status, 1);
    assert.match(larger.stderr, /larger than .*not resumed/);
  });

  it("mirror down and up: a second run transfers nothing; --delete --dry-run only reports", async () => {
    const local = join(temp("anyftp-cli-mirror-"), "copy");
    const down = await cli(["mirror", `${anon}/sub`, local]);
    assert.equal(down.status, 0, down.stderr);
    assert.equal(readFileSync(join(local, "b.txt"), "utf8"), "bravo");
    assert.match(down.stderr, /copied [1-9]\d* file\(s\), 0 unchanged/);
    const again = await cli(["mirror", `${anon}/sub`, local]);
    assert.equal(again.status, 0, again.stderr);
    assert.match(again.stderr, /copied 0 file\(s\), [1-9]\d* unchanged/);

    const tree = temp("anyftp-cli-tree-");
    mkdirSync(join(tree, "d1", "d2"), { recursive: true });
    writeFileSync(join(tree, "top.txt"), "top");
    writeFileSync(join(tree, "d1", "d2", "deep.txt"), "deep");
    const up = await cli(["mirror", tree, `${alice}/mirrored`]);
    assert.equal(up.status, 0, up.stderr);
    assert.equal(readFileSync(join(dir, "mirrored", "d1", "d2", "deep.txt"), "utf8"), "deep");
    const upAgain = await cli(["mirror", tree, `${alice}/mirrored`]);
    assert.equal(upAgain.status, 0, upAgain.stderr);
    assert.match(upAgain.stderr, /copied 0 file\(s\), 2 unchanged, 0 deleted/);

    writeFileSync(join(tree, "top.txt"), "changed, longer");
    writeFileSync(join(dir, "mirrored", "extra.txt"), "not in the source");
    const dry = await cli(["mirror", "--delete", "-n", tree, `${alice}/mirrored`]);
    assert.equal(dry.status, 0, dry.stderr);
    assert.match(dry.stdout, /would delete extra\.txt/);
    assert.match(dry.stdout, /would copy top\.txt \(15 bytes\)/);
    assert.equal(readFileSync(join(dir, "mirrored", "top.txt"), "utf8"), "top", "dry run changed nothing");
    const sync = await cli(["mirror", "--delete", tree, `${alice}/mirrored`]);
    assert.equal(sync.status, 0, sync.stderr);
    assert.equal(readFileSync(join(dir, "mirrored", "top.txt"), "utf8"), "changed, longer");
    assert.deepEqual(readdirSync(join(dir, "mirrored")).sort(), ["d1", "top.txt"]);
  });

  it("exit codes: read-only user 7, wrong password 5, missing remote 6, missing local dir 10", async () => {
    const local = join(temp("anyftp-cli-ro-"), "x.txt");
    writeFileSync(local, "x");
    const denied = await cli(["put", local, `${viewer}/x.txt`]);
    assert.equal(denied.status, 7, denied.stderr);
    assert.match(denied.stderr, /^anyftp put: Permission denied: \/x\.txt \(550 /m);
    const wrong = await cli(["ls", `ftp://alice:nope@127.0.0.1:${server.port}/`]);
    assert.equal(wrong.status, 5, wrong.stderr);
    assert.match(wrong.stderr, /Login refused \(530 .*check the user name and password/);
    const missing = await cli(["get", `${anon}/missing.txt`, "-"]);
    assert.equal(missing.status, 6, missing.stderr);
    assert.match(missing.stderr, /No such remote file or directory: \/missing\.txt/);
    const noDir = join(temp("anyftp-cli-nodir-"), "no", "such", "y.bin");
    const local10 = await cli(["get", `${anon}/a.txt`, noDir]);
    assert.equal(local10.status, 10, local10.stderr);
    assert.match(local10.stderr, /No such local directory: .*\/no\/such/);
    const noFile = await cli(["put", "/no/such/file.txt", `${alice}/`]);
    assert.equal(noFile.status, 10, noFile.stderr);
    assert.match(noFile.stderr, /Cannot read \/no\/such\/file\.txt: no such file or directory \(ENOENT\)/);
  });

  it("credentials from -u with ANYFTP_PASSWORD, from ~/.netrc; none and no terminal is a usage error", async () => {
    const env = await cli(["ls", "-u", "alice", `${anon}/sub/`], { env: { ANYFTP_PASSWORD: "alice-pw" } });
    assert.equal(env.status, 0, env.stderr);
    const home = temp("anyftp-cli-home-");
    writeFileSync(join(home, ".netrc"), `machine 127.0.0.1 login alice password "alice-pw"\n`);
    const netrc = await cli(["put", "-", `${anon}/netrc.txt`], { input: "n", env: { HOME: home } });
    assert.equal(netrc.status, 0, netrc.stderr);
    assert.equal(readFileSync(join(dir, "netrc.txt"), "utf8"), "n", "logged in as alice (anonymous cannot write)");
    const none = await cli(["ls", "-u", "alice", `${anon}/`], { env: { HOME: temp("anyftp-cli-empty-") } });
    assert.equal(none.status, 2);
    assert.match(none.stderr, /no password for alice: give -u alice:PASSWORD, set ANYFTP_PASSWORD, or add it to ~\/\.netrc/);
  });

  it("a progress bar in a pseudo-terminal, none when piped", { skip: peer("script", ["-V"]) }, async () => {
    const local = temp("anyftp-cli-pty-");
    const command = `${cliShell()} get --limit-rate 4m ${shellQuote(`${anon}/big.bin`)} ${shellQuote(local)}`;
    const tty = await run("script", ["-qec", command, "/dev/null"]);
    assert.equal(tty.status, 0, tty.stdout + tty.stderr);
    assert.match(tty.stdout, /\r\x1b\[K\/big\.bin\s+\[[#-]{20}\]\s+\d+%\s+[\d.]+ (KiB|MiB)\/3\.0 MiB\s+[\d.]+ (KiB|MiB)\/s\s+\d+:\d\d left/);
    assert.match(tty.stdout, /downloaded \/big\.bin .*3\.0 MiB in/);
    const piped = await cli(["get", "--limit-rate", "4m", `${anon}/big.bin`, join(local, "again.bin")]);
    assert.equal(piped.status, 0, piped.stderr);
    assert.doesNotMatch(piped.stderr, /\r|\x1b|%/);
    assert.match(piped.stderr, /^anyftp: downloaded \/big\.bin to .*: 3\.0 MiB in [\d.]+ s \([\d.]+ (KiB|MiB)\/s\)\n$/);
  });

  it("-u USER without a password asks on the terminal", { skip: peer("script", ["-V"]) }, async () => {
    // A wrong password would exit 5: status 0 shows the typed one was used.
    const command = `${cliShell()} ls -u alice ${shellQuote(`${anon}/sub/`)}; echo "status=$?"`;
    const tty = await run("script", ["-qec", command, "/dev/null"], { input: "alice-pw\r" });
    assert.match(tty.stdout, /Password for alice@127\.0\.0\.1: /);
    assert.match(tty.stdout, /b\.txt/);
    assert.match(tty.stdout, /status=0/, tty.stdout);
  });

  it("ls | head -1 exits quietly", async () => {
    for (let i = 0; i < 200; i++) writeFileSync(join(dir, `many-${i}.txt`), "x");
    const r = await run("bash", ["-c", `${cliShell()} ls ${shellQuote(`${anon}/`)} | head -1; echo "status=\${PIPESTATUS[0]}"`]);
    const lines = r.stdout.trim().split("\n");
    assert.equal(lines.length, 2, r.stdout);
    assert.match(lines[0] ?? "", /^[-d] /);
    assert.equal(lines[1], "status=0");
    assert.equal(r.stderr, "", "no EPIPE stack trace");
  });
});

describe(`anyftp client commands against vsftpd (${runtime})`, { skip: havePeer("vsftpd") ? false : "vsftpd is not installed (fails in CI)" }, () => {
  let vsftpd: RealServer;
  before(async () => {
    vsftpd = await startVsftpd();
    mkdirSync(join(vsftpd.root, "pub", "deep"), { recursive: true });
    writeFileSync(join(vsftpd.root, "pub", "one.txt"), "one");
    writeFileSync(join(vsftpd.root, "pub", "deep", "two.txt"), "two!");
  });
  after(async () => {
    await vsftpd?.close();
  });

  it("get, ls (a missing directory is exit 6, not an empty listing) and mirror twice", async () => {
    // vsftpd run unprivileged does not chroot: the login directory is its root's real path,
    // and anyftp URLs name absolute paths.
    const base = `ftp://127.0.0.1:${vsftpd.port}${vsftpd.root}`;
    const ls = await cli(["ls", "-r", `${base}/pub/`]);
    assert.equal(ls.status, 0, ls.stderr);
    assert.match(ls.stdout, /^-\s+3 .*\/pub\/one\.txt$/m);
    assert.match(ls.stdout, /^-\s+4 .*\/pub\/deep\/two\.txt$/m);
    assert.match(ls.stdout, /^d\s+.*\/pub\/deep$/m);
    const missing = await cli(["ls", `${base}/nope/`]);
    assert.equal(missing.status, 6, missing.stdout + missing.stderr);
    assert.match(missing.stderr, /No such remote (file or )?directory: \/.*\/nope/);
    const get = await cli(["get", `${base}/pub/one.txt`, "-"]);
    assert.equal(get.stdout, "one");
    const local = join(temp("anyftp-cli-vs-"), "m");
    const m1 = await cli(["mirror", `${base}/pub`, local]);
    assert.equal(m1.status, 0, m1.stderr);
    assert.equal(readFileSync(join(local, "deep", "two.txt"), "utf8"), "two!");
    const m2 = await cli(["mirror", `${base}/pub`, local]);
    assert.equal(m2.status, 0, m2.stderr);
    assert.match(m2.stderr, /copied 0 file\(s\), 2 unchanged/);
  });
});
