// `anyftp serve` as a real process on the running runtime (node: dist/, deno run, bun run),
// driven by real clients (Python ftplib, curl), stopped with Ctrl-C (SIGINT to its process
// group, as a terminal does). Plus `npx anyftp` / `bunx anyftp` from a packed tarball.
import { after, describe, it } from "node:test";
import assert from "node:assert/strict";
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { connect } from "node:net";
import { join } from "node:path";
import process from "node:process";
import { cleanup, cliCommand, IN_CI, ROOT, runtime, temp } from "./_support/mod.ts";

const PYTHON = existsSync("/usr/bin/python3") ? "/usr/bin/python3" : "python3";

function present(cmd: string, args: string[]): boolean {
  try {
    return spawnSync(cmd, args, { stdio: "ignore", timeout: 10_000 }).status === 0;
  } catch {
    return false;
  }
}
function skipUnless(cmd: string, args: string[]): false | string {
  return present(cmd, args) || IN_CI ? false : `${cmd} is not installed (fails in CI)`;
}

interface Running {
  proc: ChildProcess;
  port: number;
  output: () => string;
  exited: Promise<number | null>;
  interrupt: (signal?: NodeJS.Signals) => void;
}

const running: ChildProcess[] = [];
after(() => {
  for (const p of running) {
    if (p.exitCode === null && p.signalCode === null) {
      try {
        process.kill(-p.pid!, "SIGKILL");
      } catch {
        // gone already
      }
    }
  }
  cleanup();
});

/** Start a command that prints an ftp:// URL, in its own process group; wait for the URL. */
async function start(cmd: string, args: string[], cwd = ROOT): Promise<Running> {
  const proc = spawn(cmd, args, { cwd, detached: true, stdio: ["ignore", "pipe", "pipe"] });
  running.push(proc);
  let text = "";
  const exited = new Promise<number | null>((resolve) => proc.on("exit", (code) => resolve(code)));
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`no URL printed within 60 s by ${cmd} ${args.join(" ")}:\n${text}`)),
      60_000,
    );
    const onData = (d: Buffer) => {
      text += d.toString();
      const m = /at ftp:\/\/127\.0\.0\.1:(\d+)\//.exec(text);
      if (m) {
        clearTimeout(timer);
        resolve(Number(m[1]));
      }
    };
    proc.stdout!.on("data", onData);
    proc.stderr!.on("data", onData);
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`exited with ${code} before listening:\n${text}`));
    });
  });
  return {
    proc,
    port,
    output: () => text,
    exited,
    // Ctrl-C in a terminal signals the whole foreground process group (npx → node, etc.)
    interrupt: (signal = "SIGINT") => process.kill(-proc.pid!, signal),
  };
}

async function exitWithin(r: Running, ms: number): Promise<number | null> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`still running after ${ms} ms:\n${r.output()}`)), ms);
  });
  try {
    return await Promise.race([r.exited, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

async function waitForOutput(r: Running, re: RegExp, ms: number): Promise<void> {
  for (let waited = 0; !re.test(r.output()); waited += 50) {
    if (waited > ms) assert.fail(`no ${re} in output:\n${r.output()}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

function run(cmd: string, args: string[], input?: string): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(cmd, args, { encoding: "utf8", timeout: 60_000, input });
  return { status: r.status, stdout: r.stdout ?? "", stderr: r.stderr ?? "" };
}

const FTPLIB_READ = `
import ftplib, io, sys
port = int(sys.argv[1])
f = ftplib.FTP()
f.connect("127.0.0.1", port, timeout=20)
f.login()
print("NLST", sorted(f.nlst()))
buf = io.BytesIO()
f.retrbinary("RETR sub/hello.txt", buf.write)
print("RETR", buf.getvalue().decode())
try:
    f.storbinary("STOR new.txt", io.BytesIO(b"x"))
    print("STOR accepted")
except ftplib.error_perm as e:
    print("STOR refused", str(e)[:3])
f.quit()
`;

/** Hold an idle logged-in control connection; resolve with everything the server sends. */
function idleControl(port: number): { ready: Promise<void>; transcript: Promise<string> } {
  const socket = connect(port, "127.0.0.1");
  let text = "";
  let markReady!: () => void;
  const ready = new Promise<void>((r) => (markReady = r));
  const transcript = new Promise<string>((resolve) => {
    socket.on("data", (d) => {
      text += d.toString();
      if (/^220 /m.test(text) && !text.includes("USER sent")) {
        text += "USER sent\n";
        socket.write("USER anonymous\r\n");
      } else if (/^331 /m.test(text) && !text.includes("PASS sent")) {
        text += "PASS sent\n";
        socket.write("PASS guest@\r\n");
      } else if (/^230 /m.test(text)) {
        markReady();
      }
    });
    socket.on("close", () => resolve(text));
    socket.on("error", () => {});
  });
  return { ready, transcript };
}

describe(`anyftp serve as a process (${runtime})`, { skip: skipUnless(PYTHON, ["--version"]) }, () => {
  it("serves a directory read-only to Python ftplib, and Ctrl-C closes sessions with 421 and exits 0", async () => {
    const dir = temp("anyftp-cli-");
    mkdirSync(join(dir, "sub"));
    writeFileSync(join(dir, "sub", "hello.txt"), "hello from the CLI");
    writeFileSync(join(dir, "top.txt"), "top");
    const [cmd, args] = cliCommand();
    const server = await start(cmd, [...args, "serve", dir, "--port", "0"]);
    assert.match(server.output(), new RegExp(`serving ${dir.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")} \\(read-only, dot-files hidden\\)`));
    const py = run(PYTHON, ["-c", FTPLIB_READ, String(server.port)]);
    assert.equal(py.status, 0, py.stderr);
    assert.match(py.stdout, /NLST \['sub', 'top.txt'\]/);
    assert.match(py.stdout, /RETR hello from the CLI/);
    assert.match(py.stdout, /STOR refused 550/);
    assert.equal(existsSync(join(dir, "new.txt")), false);

    const idle = idleControl(server.port);
    await idle.ready;
    server.interrupt("SIGINT");
    const transcript = await idle.transcript;
    assert.match(transcript, /^421 /m, "the idle client is told the server shuts down");
    assert.equal(await exitWithin(server, 20_000), 0);
    const out = server.output();
    assert.match(out, /anonymous RETR \/sub\/hello\.txt 18 B in \d+ ms ok \(226\)/);
    assert.match(out, /SIGINT: shutting down/);
    assert.match(out, /anyftp: stopped/);
  });

  it("--memory --write --user with curl uploads and lists; SIGTERM stops it", {
    skip: skipUnless("curl", ["--version"]),
  }, async () => {
    const [cmd, args] = cliCommand();
    const server = await start(cmd, [
      ...args,
      "serve",
      "--memory",
      "--write",
      "--user",
      "alice:s3cret",
      "--port",
      "0",
      "--passive-ports",
      `${40000 + (process.pid % 20000)}-${40010 + (process.pid % 20000)}`,
    ]);
    const base = `ftp://alice:s3cret@127.0.0.1:${server.port}`;
    const up = run("curl", ["-sS", "--ftp-create-dirs", "-T", "-", `${base}/docs/note.txt`], "curl was here");
    assert.equal(up.status, 0, up.stderr);
    const list = run("curl", ["-sS", "-l", `${base}/docs/`]);
    assert.equal(list.status, 0, list.stderr);
    assert.equal(list.stdout.trim(), "note.txt");
    const back = run("curl", ["-sS", `${base}/docs/note.txt`]);
    assert.equal(back.stdout, "curl was here");
    const anon = run("curl", ["-sS", `ftp://127.0.0.1:${server.port}/docs/note.txt`]);
    assert.notEqual(anon.status, 0, "anonymous is off when --user is given");
    server.interrupt("SIGTERM");
    assert.equal(await exitWithin(server, 20_000), 0);
    assert.match(server.output(), /alice STOR \/docs\/note\.txt 13 B/);
    assert.match(server.output(), /SIGTERM: shutting down/);
  });

  it("get, put and ls as processes against a served directory", async () => {
    const dir = temp("anyftp-cli-rw-");
    writeFileSync(join(dir, "a.txt"), "alpha");
    const [cmd, args] = cliCommand();
    const server = await start(cmd, [...args, "serve", dir, "--write", "--port", "0", "-q"]);
    const url = `ftp://127.0.0.1:${server.port}`;
    const ls = run(cmd, [...args, "ls", `${url}/`]);
    assert.equal(ls.status, 0, ls.stderr);
    assert.match(ls.stdout, /^-\s+5 .* a\.txt$/m);
    const get = run(cmd, [...args, "get", `${url}/a.txt`, "-", "-q"]);
    assert.equal(get.status, 0, get.stderr);
    assert.equal(get.stdout, "alpha");
    const local = join(temp("anyftp-cli-local-"), "b.txt");
    writeFileSync(local, "bravo");
    const put = run(cmd, [...args, "put", local, `${url}/uploaded.txt`]);
    assert.equal(put.status, 0, put.stderr);
    assert.match(put.stderr, /uploaded .* to \/uploaded\.txt: 5 B in /);
    assert.equal(readFileSync(join(dir, "uploaded.txt"), "utf8"), "bravo");
    const into = temp("anyftp-cli-get-");
    const getFile = run(cmd, [...args, "get", `${url}/uploaded.txt`, into]);
    assert.equal(getFile.status, 0, getFile.stderr);
    assert.equal(readFileSync(join(into, "uploaded.txt"), "utf8"), "bravo");
    const missing = run(cmd, [...args, "get", `${url}/missing.txt`, "-"]);
    assert.equal(missing.status, 6);
    assert.match(missing.stderr, /anyftp get: No such remote file or directory: \/missing\.txt \(550 /);
    server.interrupt();
    assert.equal(await exitWithin(server, 20_000), 0);
  });
});

// The published package: pack it, install the tarball into an empty project (no registry
// needed: it has no dependencies), and run the installed bin the way users do.
describe(`anyftp from the packed package (${runtime})`, {
  skip: runtime === "deno"
    ? "deno runs the source: covered above"
    : skipUnless("npm", ["--version"]) || skipUnless(PYTHON, ["--version"]),
}, () => {
  let project = "";
  let work = "";
  function install() {
    if (project) return;
    assert.ok(existsSync(join(ROOT, "dist/src/cli/main.js")), "build dist/ first (tsc)");
    work = temp("anyftp-pack-");
    const packed = run("npm", ["pack", "--silent", "--ignore-scripts", "--pack-destination", work, ROOT]);
    assert.equal(packed.status, 0, packed.stderr);
    const tarball = join(work, packed.stdout.trim().split("\n").pop()!);
    project = join(work, "project");
    mkdirSync(project);
    writeFileSync(join(project, "package.json"), JSON.stringify({ name: "try-anyftp", private: true }));
    const installed = spawnSync("npm", [
      "install",
      "--offline",
      "--ignore-scripts",
      "--no-audit",
      "--no-fund",
      tarball,
    ], { cwd: project, encoding: "utf8", timeout: 120_000 });
    assert.equal(installed.status, 0, installed.stderr);
  }

  const variants: [string, string, string[]][] = runtime === "node"
    ? [["npx anyftp serve", "npx", ["--offline", "anyftp"]]]
    : [
      ["bunx anyftp serve (its node shebang)", process.execPath, ["x", "anyftp"]],
      ["bunx --bun anyftp serve (on Bun)", process.execPath, ["x", "--bun", "anyftp"]],
    ];
  for (const [name, cmd, prefix] of variants) {
    it(name, async () => {
      install();
      const served = temp("anyftp-served-");
      mkdirSync(join(served, "sub"), { recursive: true });
      writeFileSync(join(served, "sub", "hello.txt"), "hello from the CLI");
      writeFileSync(join(served, "top.txt"), "top");
      const server = await start(cmd, [...prefix, "serve", served, "--port", "0"], project);
      const py = run(PYTHON, ["-c", FTPLIB_READ, String(server.port)]);
      assert.equal(py.status, 0, py.stderr);
      assert.match(py.stdout, /RETR hello from the CLI/);
      server.interrupt("SIGINT");
      const code = await exitWithin(server, 20_000);
      // A launcher (npm, bun x) may itself die of the SIGINT it also received, as in a
      // terminal; what matters is that anyftp under it shut down cleanly.
      assert.ok(code === 0 || code === null, `exit code ${code}`);
      await waitForOutput(server, /anyftp: stopped/, 20_000);
    });
  }
});
