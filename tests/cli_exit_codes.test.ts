// Each documented exit code of the client commands, caused for real with the CLI as a process
// of the running runtime: usage 2, refused 3, unknown host 4, timeout 8, TLS 9, Ctrl-C 130,
// other failures 1 (5, 6, 7 and 10 are in cli_commands.test.ts), and --cacert / --insecure
// against `anyftp serve --tls-cert/--tls-key`.
import { after, describe, it } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { createServer, type Server as NetServer, type Socket } from "node:net";
import process from "node:process";
import { cleanup, cli, cliCommand, ROOT, runtime, serve, TLS_CERT, TLS_KEY, waitForOutput } from "./_support/mod.ts";

after(cleanup);

function listen(onConnection: (s: Socket) => void): Promise<{ server: NetServer; port: number }> {
  return new Promise((resolve) => {
    const server = createServer(onConnection);
    server.listen(0, "127.0.0.1", () => resolve({ server, port: (server.address() as { port: number }).port }));
  });
}

describe(`anyftp exit codes (${runtime})`, () => {
  it("2: bad command line, with the reason and a pointer to --help", async () => {
    const scheme = await cli(["ls", "http://127.0.0.1/"]);
    assert.equal(scheme.status, 2);
    assert.match(scheme.stderr, /^anyftp ls: "http:\/\/127\.0\.0\.1\/" is not an ftp:\/\/ or ftps:\/\/ URL\nTry 'anyftp ls --help'\.\n$/);
    const option = await cli(["get", "--colour", "ftp://127.0.0.1/x"]);
    assert.equal(option.status, 2);
    assert.match(option.stderr, /unknown option --colour/);
    const help = await cli(["get", "--help"]);
    assert.equal(help.status, 0);
    assert.match(help.stdout, /Exit codes:\n\s+0\s+success[\s\S]*130\s+interrupted/);
  });

  it("3: connection refused; 4: unknown host", async () => {
    const { server, port } = await listen(() => {});
    await new Promise<void>((resolve) => server.close(() => resolve()));
    const refused = await cli(["ls", `ftp://127.0.0.1:${port}/`]);
    assert.equal(refused.status, 3, refused.stderr);
    assert.match(refused.stderr, new RegExp(`^anyftp ls: Cannot reach 127\\.0\\.0\\.1:${port}: connection refused`));
    const unknown = await cli(["ls", "ftp://no-such-host.invalid/"]);
    assert.equal(unknown.status, 4, unknown.stderr);
    assert.match(unknown.stderr, /^anyftp ls: Host not found: no-such-host\.invalid/);
  });

  it("8: a server that never answers, with --timeout", async () => {
    const sockets: Socket[] = [];
    const { server, port } = await listen((s) => void sockets.push(s.on("error", () => {})));
    try {
      const silent = await cli(["ls", "--timeout", "1", `ftp://127.0.0.1:${port}/`]);
      assert.equal(silent.status, 8, silent.stderr);
      assert.match(silent.stderr, /^anyftp ls: Timed out after 1 s: .*raise --timeout SECONDS/);
      // Ctrl-C while still waiting for the greeting ends it at once (130), not after the timeout.
      const [cmd, pre] = cliCommand();
      const child = spawn(cmd, [...pre, "ls", "--timeout", "60", `ftp://127.0.0.1:${port}/`], {
        cwd: ROOT,
        stdio: ["ignore", "ignore", "pipe"],
      });
      let stderr = "";
      child.stderr!.on("data", (d) => (stderr += d));
      const status = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
      await waitForOutput(() => String(sockets.length), /^[2-9]/);
      process.kill(child.pid!, "SIGINT");
      const timer = setTimeout(() => child.kill("SIGKILL"), 20_000);
      assert.equal(await status, 130, stderr);
      clearTimeout(timer);
    } finally {
      for (const s of sockets) s.destroy();
      server.close();
    }
  });

  it("9: untrusted certificate and --tls against a plain server; --cacert and --insecure connect", async () => {
    const tls = await serve(["--memory", "--tls-cert", TLS_CERT, "--tls-key", TLS_KEY, "--port", "0", "-q"]);
    const plain = await serve(["--memory", "--port", "0", "-q"]);
    const tlsRw = await serve(["--memory", "--write", "--tls-cert", TLS_CERT, "--tls-key", TLS_KEY, "--port", "0", "-q"]);
    try {
      assert.match(tls.output(), /explicit FTPS \(AUTH TLS\) available/);
      const untrusted = await cli(["ls", "--tls", `${tls.url}/`]);
      assert.equal(untrusted.status, 9, untrusted.stderr);
      assert.match(untrusted.stderr, /TLS certificate not trusted: .*--cacert FILE, or --insecure/);
      const trusted = await cli(["ls", "--tls", "--cacert", TLS_CERT, `${tls.url}/`]);
      assert.equal(trusted.status, 0, trusted.stderr);
      // On Deno too (through node:tls there, which honours rejectUnauthorized: false).
      const insecure = await cli(["ls", "--tls", "--insecure", `${tls.url}/`]);
      assert.equal(insecure.status, 0, insecure.stderr);
      const data = await cli(["put", "--tls", "--insecure", "-", `${tlsRw.url}/x.txt`], { input: "over TLS" });
      assert.equal(data.status, 0, data.stderr);
      const back = await cli(["cat", "--tls", "--insecure", `${tlsRw.url}/x.txt`]);
      assert.equal(back.stdout, "over TLS", back.stderr);
      const noTls = await cli(["ls", "--tls", "--cacert", TLS_CERT, `${plain.url}/`]);
      assert.equal(noTls.status, 9, noTls.stderr);
      assert.match(noTls.stderr, /The server refused AUTH TLS \(\d{3} .*drop --tls to use plain FTP/);
      assert.doesNotMatch(noTls.stderr, /password/);
    } finally {
      assert.equal(await tls.stop(), 0);
      assert.equal(await plain.stop(), 0);
      assert.equal(await tlsRw.stop(), 0);
    }
  });

  it("130: Ctrl-C during a download; 1: the server's storage is full (--quota)", async () => {
    const server = await serve(["--memory", "--write", "--quota", "300k", "--download-limit", "64k", "--port", "0", "-q"]);
    try {
      const up = await cli(["put", "-", `${server.url}/slow.bin`], { input: "x".repeat(200_000) });
      assert.equal(up.status, 0, up.stderr);
      const full = await cli(["put", "-", `${server.url}/more.bin`], { input: "y".repeat(200_000) });
      assert.equal(full.status, 1, full.stderr);
      assert.match(full.stderr, /552/);
      const [cmd, pre] = cliCommand();
      const child = spawn(cmd, [...pre, "get", `${server.url}/slow.bin`, "-"], {
        cwd: ROOT,
        stdio: ["ignore", "pipe", "pipe"],
      });
      let stderr = "";
      child.stderr!.on("data", (d) => (stderr += d));
      const status = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
      await new Promise<void>((resolve) => child.stdout!.once("data", () => resolve()));
      child.stdout!.resume();
      process.kill(child.pid!, "SIGINT");
      const timer = setTimeout(() => child.kill("SIGKILL"), 20_000);
      assert.equal(await status, 130, stderr);
      clearTimeout(timer);
      assert.match(stderr, /anyftp get: interrupted/);
    } finally {
      assert.equal(await server.stop(), 0);
    }
  });
});
