import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import {
  parseArgs,
  parsePort,
  parsePortRange,
  parsePositiveInt,
  parseRate,
  UsageError,
} from "../src/cli/args.ts";
import { parseServeArgs, runServe, serverOptionsFor } from "../src/cli/serve.ts";
import {
  formatEntry,
  parseClientArgs,
  runClientCommand,
  splitFtpUrl,
} from "../src/cli/client_commands.ts";
import { formatServerEvent } from "../src/cli/log_format.ts";
import { runCli, VERSION } from "../src/cli/main.ts";
import type { CliIO } from "../src/cli/io.ts";
import { Client } from "../src/client/client.ts";
import { Server } from "../src/server/server.ts";
import { MemoryPathIO } from "../src/fs/memory_path_io.ts";

/** A CliIO that records output and lets the test send signals. */
function fakeIO(args: string[], options: { dirs?: string[] } = {}) {
  const out: string[] = [];
  const err: string[] = [];
  const handlers = new Set<(s: "SIGINT" | "SIGTERM") => void>();
  const lineWaiters: { re: RegExp; resolve: (m: RegExpExecArray) => void }[] = [];
  const check = (line: string) => {
    for (const w of [...lineWaiters]) {
      const m = w.re.exec(line);
      if (m) {
        lineWaiters.splice(lineWaiters.indexOf(w), 1);
        w.resolve(m);
      }
    }
  };
  const io: CliIO = {
    args,
    out: (l) => {
      out.push(l);
      check(l);
    },
    err: (l) => {
      err.push(l);
      check(l);
    },
    onSignal(h) {
      handlers.add(h);
      return () => handlers.delete(h);
    },
    stdin: () => new Blob([new TextEncoder().encode("from stdin")]).stream(),
    stdout: () => new WritableStream(),
    cwd: () => "/work",
    isDirectory: (p) => Promise.resolve((options.dirs ?? []).includes(p)),
  };
  return {
    io,
    out,
    err,
    signal: (s: "SIGINT" | "SIGTERM") => [...handlers].forEach((h) => h(s)),
    get listeners() {
      return handlers.size;
    },
    waitFor(re: RegExp): Promise<RegExpExecArray> {
      for (const line of [...out, ...err]) {
        const m = re.exec(line);
        if (m) return Promise.resolve(m);
      }
      return new Promise((resolve) => lineWaiters.push({ re, resolve }));
    },
  };
}

describe("parseArgs", () => {
  const specs = {
    port: { type: "string", short: "p" },
    write: { type: "boolean", short: "w" },
    user: { type: "string", short: "u", multiple: true },
  } as const;

  it("long, short, inline and repeated options, positionals and --", () => {
    const r = parseArgs(
      ["dir", "--port", "21", "-w", "--user=a:b", "-u", "c:d", "-uE:F", "--", "--not-an-option"],
      specs,
    );
    assert.deepEqual(r.values, { port: "21", write: true, user: ["a:b", "c:d", "E:F"] });
    assert.deepEqual(r.positionals, ["dir", "--not-an-option"]);
    assert.deepEqual(parseArgs(["-p99"], specs).values, { port: "99" });
    assert.deepEqual(parseArgs(["-"], specs).positionals, ["-"]);
    assert.deepEqual(parseArgs(["--port=-1"], specs).values, { port: "-1" });
    assert.deepEqual(parseArgs(["-wp", "5"], specs).values, { write: true, port: "5" }, "grouped short flags");
  });

  it("errors say what is wrong", () => {
    assert.throws(() => parseArgs(["--nope"], specs), /unknown option --nope/);
    assert.throws(() => parseArgs(["-x"], specs), /unknown option -x/);
    assert.throws(() => parseArgs(["--port"], specs), /--port needs a value/);
    assert.throws(() => parseArgs(["--write=yes"], specs), /takes no value/);
    assert.throws(() => parseArgs(["--toString"], specs), UsageError);
    assert.throws(() => parseArgs(["--port", "-1"], specs), /--port needs a value \(write --port=-VALUE/);
    assert.throws(() => parseArgs(["-wx"], specs), /unknown option -x/);
  });

  it("value parsers", () => {
    assert.equal(parsePort("0", "--port"), 0);
    assert.equal(parsePort("65535", "--port"), 65535);
    for (const bad of ["65536", "-1", "x", "", "1e3"]) assert.throws(() => parsePort(bad, "--port"), UsageError);
    assert.deepEqual(parsePortRange("50000-50010", "r"), { min: 50000, max: 50010 });
    for (const bad of ["5-4", "0-10", "1-70000", "100", "a-b"]) {
      assert.throws(() => parsePortRange(bad, "r"), UsageError);
    }
    assert.equal(parsePositiveInt("7", "n"), 7);
    for (const bad of ["0", "-3", "1.5", "x"]) assert.throws(() => parsePositiveInt(bad, "n"), UsageError);
    assert.equal(parseRate("2048", "r"), 2048);
    assert.equal(parseRate("500k", "r"), 512_000);
    assert.equal(parseRate("1.5M", "r"), 1_572_864);
    assert.equal(parseRate("1g", "r"), 1024 ** 3);
    for (const bad of ["fast", "-1k", "10 mb"]) assert.throws(() => parseRate(bad, "r"), UsageError);
  });
});

describe("anyftp serve arguments", () => {
  it("defaults: cwd, 127.0.0.1:2121, anonymous read-only", () => {
    const c = parseServeArgs([], "/home/me");
    assert.equal(c.root, "/home/me");
    assert.equal(c.hostname, "127.0.0.1");
    assert.equal(c.port, 2121);
    assert.equal(c.write, false);
    assert.equal(c.anonymous, true);
    assert.equal(c.memory, false);
    const o = serverOptionsFor(c);
    assert.deepEqual(o.users, [{ anonymous: true, permissions: [{ path: "/", readable: true, writable: false }] }]);
    assert.equal(o.speedLimits, undefined);
  });

  it("--tls-no-session-reuse turns the data connections' session-reuse check off", () => {
    const tls = ["--tls-cert", "c.pem", "--tls-key", "k.pem"];
    assert.equal(serverOptionsFor(parseServeArgs(tls, "/")).requireTls, undefined); // the default: on
    assert.deepEqual(
      serverOptionsFor(parseServeArgs([...tls, "--tls-no-session-reuse"], "/")).requireTls,
      { sessionReuse: false },
    );
    assert.deepEqual(
      serverOptionsFor(parseServeArgs([...tls, "--tls-required", "--tls-no-session-reuse"], "/")).requireTls,
      { login: true, data: true, sessionReuse: false },
    );
    assert.throws(() => parseServeArgs(["--tls-no-session-reuse"], "/"), UsageError);
  });

  it("users, write, passive ports and address, limits", () => {
    const c = parseServeArgs(
      [
        "./pub",
        "--host",
        "::",
        "-p",
        "0",
        "--write",
        "--user",
        "alice:se:cret",
        "-u",
        "bob:",
        "--passive-ports",
        "50000-50009",
        "--passive-address",
        "203.0.113.5",
        "--max-connections",
        "20",
        "--download-limit",
        "1m",
      ],
      "/x",
    );
    assert.equal(c.root, "./pub");
    assert.equal(c.hostname, "::");
    assert.equal(c.port, 0);
    assert.deepEqual(c.users, [{ login: "alice", password: "se:cret" }, { login: "bob", password: "" }]);
    assert.equal(c.anonymous, false);
    const o = serverOptionsFor(c);
    const rw = [{ path: "/", readable: true, writable: true }];
    assert.deepEqual(o.users, [
      { login: "alice", password: "se:cret", permissions: rw },
      { login: "bob", password: "", permissions: rw },
    ]);
    assert.deepEqual(o.passivePorts, { min: 50000, max: 50009 });
    assert.equal(o.passiveAddress, "203.0.113.5");
    assert.equal(o.maxConnections, 20);
    assert.deepEqual(o.speedLimits, { download: 1024 * 1024, upload: 0 });
    assert.equal(parseServeArgs(["-u", "a:b", "--anonymous"], "/").anonymous, true);
  });

  it("bad usage", () => {
    assert.throws(() => parseServeArgs(["a", "b"], "/"), /one directory/);
    assert.throws(() => parseServeArgs(["a", "--memory"], "/"), /not both/);
    assert.throws(() => parseServeArgs(["--user", "nocolon"], "/"), /NAME:PASSWORD/);
    assert.throws(() => parseServeArgs(["--user", ":pw"], "/"), /NAME:PASSWORD/);
    assert.throws(() => parseServeArgs(["--user", "anonymous:x"], "/"), /--anonymous/);
    assert.throws(() => parseServeArgs(["--passive-address", "example.com"], "/"), /IPv4/);
    assert.throws(() => parseServeArgs(["--port", "99999"], "/"), /port/);
  });
});

describe("client command arguments", () => {
  it("splitFtpUrl", () => {
    assert.deepEqual(splitFtpUrl("ftp://bob:p%40ss@host:2121/pub/a%20b.txt"), {
      server: "ftp://bob:p%40ss@host:2121",
      path: "/pub/a b.txt",
      isDir: false,
    });
    assert.deepEqual(splitFtpUrl("ftp://host"), { server: "ftp://host", path: "/", isDir: true });
    assert.deepEqual(splitFtpUrl("ftps://[::1]:990/d/"), { server: "ftps://[::1]:990", path: "/d/", isDir: true });
    assert.equal(splitFtpUrl("ftp://h/f.bin;type=i").path, "/f.bin");
    assert.throws(() => splitFtpUrl("http://h/x"), /ftp:\/\//);
    assert.throws(() => splitFtpUrl("not a url"), /not a URL/);
    assert.throws(() => splitFtpUrl("ftp://h/a%00b"), /control characters/);
    assert.throws(() => splitFtpUrl("ftp://h/a%0d%0aDELE%20x"), /control characters/);
    assert.throws(() => splitFtpUrl("ftp://h/%zz"), /%-escape/);
  });

  it("parseClientArgs", () => {
    const g = parseClientArgs("get", ["ftp://h:21/a.txt", "-", "--active", "--limit-rate", "100k"]);
    assert.equal(g.remotePath, "/a.txt");
    assert.equal(g.local, "-");
    assert.deepEqual(g.clientOptions, { mode: "active", speedLimits: { download: 102_400, upload: 102_400 } });
    const p = parseClientArgs("put", ["./x", "ftp://h/up/", "--tls", "--insecure"]);
    assert.equal(p.local, "./x");
    assert.equal(p.remoteIsDir, true);
    assert.deepEqual(p.clientOptions, { tlsMode: "explicit", tls: { rejectUnauthorized: false } });
    assert.equal(parseClientArgs("ls", ["ftp://h/", "-r"]).recursive, true);
    assert.throws(() => parseClientArgs("put", ["ftp://h/x"]), /FILE URL/);
    assert.throws(() => parseClientArgs("ls", []), /URL/);
    assert.throws(() => parseClientArgs("get", ["a", "b", "c"]), /URL \[FILE\]/);
    assert.equal(parseClientArgs("get", ["--help"]).help, true);
    assert.equal(parseClientArgs("mv", ["ftp://h/a/b.txt", "c.txt"]).newPath, "/a/c.txt");
    assert.equal(parseClientArgs("mv", ["ftp://h/a/b.txt", "ftp://h/d/e.txt"]).newPath, "/d/e.txt");
    assert.throws(() => parseClientArgs("mv", ["ftp://h/a", "ftp://other/a"]), /one server/);
    assert.equal(parseClientArgs("mirror", ["./d", "ftp://h/x"]).direction, "upload");
    assert.equal(parseClientArgs("mirror", ["ftp://h/x", "./d"]).direction, "download");
    assert.throws(() => parseClientArgs("mirror", ["./a", "./b"]), /one ftp:\/\/ URL and one local directory/);
    assert.throws(() => parseClientArgs("ls", ["ftp://h/", "--insecure"]), /are for TLS/);
    assert.deepEqual(parseClientArgs("ls", ["ftp://h/"], { env: { ANYFTP_TIMEOUT: "5", ANYFTP_DELETE: "1" } }).clientOptions, {
      connectTimeout: 5000,
      socketTimeout: 5000,
      dataTimeout: 5000,
    });
    assert.equal(parseClientArgs("mirror", ["ftp://h/", "d"], { env: { ANYFTP_DELETE: "1" } }).delete, false, "what to do never comes from the environment");
  });

  it("formatEntry", () => {
    const line = formatEntry({
      name: "a.txt",
      path: "/d/a.txt",
      type: "file",
      size: 5,
      modified: new Date("2024-05-06T07:08:09Z"),
      facts: {},
    }, false);
    assert.equal(line, "-            5 2024-05-06 07:08  a.txt");
    assert.match(formatEntry({ name: "d", path: "/x/d", type: "dir", facts: {} }, true), /^d\s+\/x\/d$/);
    assert.match(
      formatEntry({ name: "l", path: "/l", type: "symlink", linkTarget: "/t", facts: {} }, false),
      /^l .* l -> \/t$/,
    );
  });
});

describe("server event log lines", () => {
  const remote = { hostname: "127.0.0.1", port: 5000, family: "IPv4" as const };
  const base = { time: Date.UTC(2024, 0, 2, 3, 4, 5), sessionId: 7, remote };
  it("one line per session event, none for commands unless verbose", () => {
    assert.equal(
      formatServerEvent({ ...base, type: "session-open", local: remote }),
      "2024-01-02T03:04:05.000Z #7 127.0.0.1:5000 connected",
    );
    assert.equal(
      formatServerEvent({
        ...base,
        user: "alice",
        type: "transfer",
        command: "RETR",
        direction: "download",
        path: "/a",
        bytes: 10,
        durationMs: 3.4,
        ok: true,
        code: "226",
      }),
      "2024-01-02T03:04:05.000Z #7 127.0.0.1:5000 alice RETR /a 10 B in 3 ms ok (226)",
    );
    assert.match(
      formatServerEvent({ ...base, type: "login-failed", login: "bob", reason: "bad-password" })!,
      /login failed for "bob" \(bad-password\)$/,
    );
    assert.match(formatServerEvent({ ...base, type: "session-close", reason: "quit" })!, /disconnected \(quit\)$/);
    assert.equal(formatServerEvent({ ...base, type: "command", name: "NOOP", arg: "" }), undefined);
    assert.match(
      formatServerEvent({ ...base, type: "command", name: "RETR", arg: "x" }, { verbose: true })!,
      /> RETR x$/,
    );
    assert.match(
      formatServerEvent({ time: 0, type: "connection-refused", remote: { hostname: "::1", port: 9, family: "IPv6" }, reason: "max-connections" })!,
      /\[::1\]:9 refused \(max-connections\)$/,
    );
    assert.match(formatServerEvent({ time: 0, type: "error", error: new Error("boom") })!, /error: boom$/);
    assert.equal(formatServerEvent({ time: 0, type: "listening", address: remote }), undefined);
  });
});

describe("runCli in process", () => {
  it("--version matches package.json, unknown commands exit 2", async () => {
    const pkg = JSON.parse(readFileSync(new URL("../package.json", import.meta.url).pathname.replace(/\/dist\/package\.json$/, "/package.json"), "utf8"));
    assert.equal(VERSION, pkg.version);
    const v = fakeIO(["--version"]);
    assert.equal(await runCli(v.io), 0);
    assert.deepEqual(v.out, [`anyftp ${VERSION}`]);
    const u = fakeIO(["frobnicate"]);
    assert.equal(await runCli(u.io), 2);
    assert.match(u.err[0] ?? "", /unknown command "frobnicate"/);
    const h = fakeIO([]);
    assert.equal(await runCli(h.io), 0);
    assert.match(h.out[0] ?? "", /Usage|anyftp/);
    const sh = fakeIO(["serve", "--help"]);
    assert.equal(await runCli(sh.io), 0);
    assert.match(sh.out[0] ?? "", /anyftp serve \[DIR\]/);
  });

  it("serve: bad usage exits 2, a missing directory exits 1", async () => {
    const bad = fakeIO(["serve", "--port", "x"]);
    assert.equal(await runCli(bad.io), 2);
    assert.match(bad.err[0] ?? "", /--port must be a port number/);
    const missing = fakeIO(["serve", "/no/such/dir", "--port", "0"]);
    assert.equal(await runCli(missing.io), 1);
    assert.match(missing.err[0] ?? "", /not a directory/);
  });

  it("serve --memory --write: clients work, SIGTERM shuts down cleanly, logs every session event", async () => {
    const f = fakeIO(["--memory", "--write", "--user", "alice:pw", "--port", "0"]);
    const status = runServe(f.io.args, f.io);
    const [, port] = await f.waitFor(/ftp:\/\/127\.0\.0\.1:(\d+)\//);
    assert.match(f.out[0] ?? "", /serving memory \(read-write, quota 268435456 bytes\).* for alice$/);
    const client = await Client.connect(`ftp://alice:pw@127.0.0.1:${port}`);
    await client.uploadData("hi", "/a.txt");
    assert.deepEqual((await client.list("/")).map((e) => e.name), ["a.txt"]);
    await client.quit();
    await assert.rejects(Client.connect(`ftp://anonymous:x@127.0.0.1:${port}`), /530/);
    await f.waitFor(/disconnected/);
    f.signal("SIGTERM");
    assert.equal(await status, 0);
    assert.equal(f.listeners, 0, "signal handlers removed");
    const log = f.out.join("\n");
    assert.match(log, /#1 127\.0\.0\.1:\d+ connected/);
    assert.match(log, /alice logged in/);
    assert.match(log, /alice STOR \/a\.txt 2 B in \d+ ms ok \(226\)/);
    assert.match(log, /alice disconnected \(quit\)/);
    assert.match(f.err.join("\n"), /login failed for "anonymous"/, "failures go to stderr");
    assert.match(log, /SIGTERM: shutting down/);
    assert.match(log, /anyftp: stopped$/);
  });

  it("serve: a port in use exits 1 with the reason", async () => {
    const holder = new Server({ storage: new MemoryPathIO() });
    const { port } = await holder.listen({ hostname: "127.0.0.1", port: 0 });
    try {
      const f = fakeIO(["--memory", "--port", String(port)]);
      assert.equal(await runServe(f.io.args, f.io), 1);
      assert.match(f.err.join("\n"), new RegExp(`anyftp serve: Port ${port} on 127\\.0\\.0\\.1 is in use`));
      assert.equal(f.listeners, 0);
    } finally {
      await holder.close();
    }
  });

  it("serve: a second signal forces the exit while a client is mid-transfer", async () => {
    const f = fakeIO(["--memory", "--write", "--port", "0", "--download-limit", "20k"]);
    const status = runServe(f.io.args, f.io);
    const [, port] = await f.waitFor(/ftp:\/\/127\.0\.0\.1:(\d+)\//);
    const client = await Client.connect(`ftp://anonymous:x@127.0.0.1:${port}`);
    await client.uploadData(new Uint8Array(1024 * 1024), "/big.bin");
    const stream = await client.downloadStream("/big.bin"); // 1 MiB at 20 KiB/s: ~50 s
    const reader = stream.getReader();
    await reader.read();
    f.signal("SIGINT");
    await f.waitFor(/shutting down/);
    f.signal("SIGINT");
    assert.equal(await status, 1);
    assert.match(f.err.join("\n"), /forced exit/);
    await reader.cancel().catch(() => {});
    client.close();
  });

  it("get/put/ls against a server", async () => {
    const storage = new MemoryPathIO();
    await using server = new Server({
      users: [{ login: "u", password: "p" }],
      storage,
    });
    const { port } = await server.listen({ hostname: "127.0.0.1", port: 0 });
    const url = `ftp://u:p@127.0.0.1:${port}`;
    const put = fakeIO([]);
    assert.equal(await runClientCommand("put", ["-", `${url}/in/stdin.txt`], put.io), 6); // no /in yet
    assert.match(put.err[0] ?? "", /No such remote file or directory: \/in\/stdin\.txt \(550 /);
    await storage.mkdir("/in");
    const put2 = fakeIO([]);
    assert.equal(await runClientCommand("put", ["-", `${url}/in/stdin.txt`], put2.io), 0);
    assert.match(put2.err[0] ?? "", /uploaded standard input to \/in\/stdin.txt: 10 B in /);
    const ls = fakeIO([]);
    assert.equal(await runClientCommand("ls", [`${url}/`, "-r", "-q"], ls.io), 0);
    assert.equal(ls.out.length, 2);
    assert.match(ls.out[0] ?? "", /^d\s+.*\/in$/);
    assert.match(ls.out[1] ?? "", /^-\s+10 .*\/in\/stdin\.txt$/);
    const chunks: Uint8Array[] = [];
    const get = fakeIO([]);
    get.io.stdout = () => new WritableStream({ write: (c) => void chunks.push(c) });
    assert.equal(await runClientCommand("get", [`${url}/in/stdin.txt`, "-"], get.io), 0);
    assert.equal(new TextDecoder().decode(chunks[0]), "from stdin");
    const missing = fakeIO([]);
    assert.equal(await runClientCommand("get", [`${url}/nope`, "-"], missing.io), 6);
    assert.match(missing.err[0] ?? "", /anyftp get: /);
    const badUrl = fakeIO([]);
    assert.equal(await runClientCommand("ls", ["http://x/"], badUrl.io), 2);
    const refused = fakeIO([]);
    assert.equal(await runClientCommand("ls", ["ftp://u:wrong@127.0.0.1:" + port + "/"], refused.io), 5);
    assert.match(refused.err[0] ?? "", /530/);
  });
});
