/**
 * Scale-out on shared object storage: two anyftp instances — one in this test's runtime, one
 * `anyftp serve --s3` process on another runtime — serve one bucket. A file uploaded through
 * one is listed, downloaded, renamed and deleted through the other. Then HAProxy (TCP mode)
 * fronts both control ports and forwards each instance's passive port range to it, while each
 * instance announces its own passive address (127.0.0.2, 127.0.0.3) and range: clients that
 * only know the HAProxy address upload, list and download over EPSV, PASV and PASV with the
 * announced address ignored, and both instances serve them.
 */

import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { type ChildProcess, spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import process from "node:process";
import { fileURLToPath } from "node:url";
import {
  freePorts,
  HAPROXY,
  killPeers,
  PASSWORD,
  type RealHaproxy,
  removeDir,
  runTool,
  S3_ACCESS_KEY,
  S3_REGION,
  S3_SECRET_KEY,
  type S3FtpServer,
  type S3Server,
  sha256File,
  skipUnless,
  skipUnlessS3,
  startHaproxy,
  startS3FtpServer,
  startS3Server,
  tempDir,
  type ToolResult,
  USER,
  writeRandomFile,
} from "./_support/mod.ts";

const BUCKET = "shared";
const MiB = 1024 * 1024;
const skip = skipUnlessS3() || skipUnless("curl", ["--version"]) || skipUnless(HAPROXY, ["-v"]);
const runtime = "Deno" in globalThis ? "deno" : "Bun" in globalThis ? "bun" : "node";

function repoRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 5 && !existsSync(join(dir, "package.json")); i++) dir = dirname(dir);
  return dir;
}
const ROOT = repoRoot();

/** The CLI on another runtime than ours: Deno under Node, Node (dist/) under Deno and Bun. */
function otherRuntimeCli(): [string, string[], string] {
  if (runtime === "node") return [join(ROOT, "node_modules/.bin/deno"), ["run", "-A", join(ROOT, "src/cli/main.ts")], "deno"];
  return ["node", [join(ROOT, "dist/src/cli/main.js")], "node"];
}

function ok(r: ToolResult, what: string): void {
  assert.equal(r.timedOut, false, `${what}: timed out\n${r.out}\n${r.err}`);
  assert.equal(r.code, 0, `${what}: exit ${r.code}\n${r.out}\n${r.err}`);
}

/** The address of every 227 reply curl -v read. */
function passiveHosts(r: ToolResult): string[] {
  return [...r.err.matchAll(/< 227 [^(]*\((\d+),(\d+),(\d+),(\d+),\d+,\d+\)/g)].map((m) => m.slice(1, 5).join("."));
}

describe("scale-out: two instances on one bucket, HAProxy in front", { skip }, () => {
  let s3: S3Server;
  let a: S3FtpServer;
  let b: { proc: ChildProcess; url: string; output: () => string };
  let haproxy: RealHaproxy | undefined;
  let front = "";
  let dir: string;
  let rangeA: number[];
  let rangeB: number[];
  const curl = (args: string[]) =>
    runTool("curl", ["-sS", "--connect-timeout", "10", "--max-time", "60", "--user", `${USER}:${PASSWORD}`, ...args], {
      timeoutMs: 70_000,
    });

  before(async () => {
    s3 = await startS3Server();
    await s3.createBucket(BUCKET);
    dir = await tempDir("scaleout");
    rangeA = await freePorts(10);
    rangeB = await freePorts(10);
    a = await startS3FtpServer(s3, {
      bucket: BUCKET,
      hostname: "127.0.0.2",
      serverOptions: { passiveAddress: "127.0.0.2", passivePorts: { min: rangeA[0]!, max: rangeA[9]! } },
    });
    const [cmd, args] = otherRuntimeCli();
    const proc = spawn(cmd, [
      ...args,
      "serve",
      "--s3",
      BUCKET,
      "--s3-endpoint",
      s3.endpoint,
      "--write",
      "--user",
      `${USER}:${PASSWORD}`,
      "--host",
      "127.0.0.3",
      "--port",
      "0",
      "--passive-address",
      "127.0.0.3",
      "--passive-ports",
      `${rangeB[0]}-${rangeB[9]}`,
      "--quiet",
    ], {
      env: { ...process.env, AWS_ACCESS_KEY_ID: S3_ACCESS_KEY, AWS_SECRET_ACCESS_KEY: S3_SECRET_KEY, AWS_REGION: S3_REGION },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let text = "";
    const url = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`instance B printed no URL in 60 s:\n${text}`)), 60_000);
      const onData = (d: Uint8Array) => {
        text += new TextDecoder().decode(d);
        const m = /at (ftp:\/\/127\.0\.0\.3:\d+)\//.exec(text);
        if (m) {
          clearTimeout(timer);
          resolve(m[1]!);
        }
      };
      proc.stdout!.on("data", onData);
      proc.stderr!.on("data", onData);
      proc.on("exit", (code) => {
        clearTimeout(timer);
        reject(new Error(`instance B exited with ${code}:\n${text}`));
      });
    });
    b = { proc, url, output: () => text };
  });

  after(async () => {
    killPeers();
    await haproxy?.close();
    if (b?.proc.exitCode === null) {
      const gone = new Promise((r) => b.proc.once("exit", r));
      b.proc.kill("SIGKILL");
      await gone;
    }
    await a?.close();
    await s3?.close();
    await removeDir(dir);
  });

  it(`a file uploaded through one instance is listed, downloaded, renamed and deleted through the other (${runtime} + ${otherRuntimeCli()[2]})`, async () => {
    const src = join(dir, "shared.bin");
    const digest = await writeRandomFile(src, 12 * MiB + 5);
    ok(await curl(["-T", src, `${a.url}/shared.bin`]), "upload through A");
    const listed = await curl(["--list-only", `${b.url}/`]);
    ok(listed, "list through B");
    assert.deepEqual(listed.out.split(/\r?\n/).filter(Boolean), ["shared.bin"]);
    const back = join(dir, "back.bin");
    ok(await curl(["-o", back, `${b.url}/shared.bin`]), "download through B");
    assert.equal(await sha256File(back), digest);
    ok(await curl(["-Q", "MKD sub", "-Q", "RNFR shared.bin", "-Q", "RNTO sub/renamed.bin", "--list-only", `${b.url}/`]), "rename through B");
    const afterRename = await curl(["--list-only", `${a.url}/sub/`]);
    ok(afterRename, "list through A");
    assert.deepEqual(afterRename.out.split(/\r?\n/).filter(Boolean), ["renamed.bin"]);
    ok(await curl(["-Q", "DELE sub/renamed.bin", "-Q", "RMD sub", "--list-only", `${a.url}/`]), "delete through A");
    const empty = await curl(["--list-only", `${b.url}/`]);
    ok(empty, "list through B after delete");
    assert.equal(empty.out.trim(), "");
  });

  it("HAProxy in TCP mode in front of both: every command and transfer works through its address", async () => {
    const cfg = join(dir, "haproxy.cfg");
    // noreuseport: HAProxy binds with SO_REUSEPORT by default, and would then share a port
    // that another listener of this user (another runtime's suite running meanwhile, whose
    // servers open SO_REUSEPORT acceptors) took after freePorts checked it, and get only
    // some of its connections. Without it such a bind fails: HAProxy exits, and the front
    // port is chosen again.
    const config = (port: number) => `global
  maxconn 256
  noreuseport
  log stderr format raw local0 info
defaults
  mode tcp
  log global
  option tcplog
  timeout connect 5s
  timeout client 60s
  timeout server 60s
frontend ftp
  bind 127.0.0.1:${port}
  default_backend anyftp
backend anyftp
  balance roundrobin
  server a 127.0.0.2:${a.port}
  server b 127.0.0.3:${new URL(b.url).port}
# Each instance's passive range forwarded to it (no port on "server": the same port).
frontend passive-a
  bind 127.0.0.1:${rangeA[0]}-${rangeA[9]}
  default_backend passive-a
backend passive-a
  server a 127.0.0.2
frontend passive-b
  bind 127.0.0.1:${rangeB[0]}-${rangeB[9]}
  default_backend passive-b
backend passive-b
  server b 127.0.0.3
`;
    let started = "";
    for (let attempt = 1; attempt <= 3 && !front; attempt++) {
      const [port] = await freePorts(1);
      await writeFile(cfg, config(port!));
      haproxy = startHaproxy(cfg);
      for (let i = 0; i < 100 && haproxy.exitCode === null; i++) {
        const probe = await curl(["--list-only", `ftp://127.0.0.1:${port}/`]);
        if (probe.code === 0) {
          front = `ftp://127.0.0.1:${port}`;
          break;
        }
        await new Promise((r) => setTimeout(r, 100));
      }
      started += `attempt ${attempt} (port ${port}): ${haproxy.output()}\n`;
      if (!front) await haproxy.close();
    }
    assert.ok(front, `HAProxy did not start:\n${started}`);
    // A failure through the balancer says which side ended it: HAProxy's connection log
    // (termination state per connection) and instance B's output.
    const throughFront = (r: ToolResult, what: string) => {
      if (r.code === 0 && !r.timedOut) return;
      ok(r, `${what}\n--- HAProxy:\n${haproxy?.output()}\n--- instance B:\n${b.output()}`);
    };
    // Three ways to reach the data ports, all through the balancer's address: EPSV (curl's
    // default), PASV with the announced address ignored (curl's default for PASV), and PASV
    // to the announced instance address itself.
    const modes = [[], ["--disable-epsv"], ["--disable-epsv", "--no-ftp-skip-pasv-ip"]];
    const announced = new Set<string>();
    const digests: string[] = [];
    for (let i = 0; i < 6; i++) {
      const src = join(dir, `via-lb-${i}.bin`);
      digests.push(await writeRandomFile(src, (i + 1) * MiB + i));
      const up = await curl(["-v", ...modes[i % 3]!, "-T", src, `${front}/via-lb-${i}.bin`]);
      throughFront(up, `upload ${i} through HAProxy (${modes[i % 3]!.join(" ") || "EPSV"})`);
      for (const h of passiveHosts(up)) announced.add(h);
    }
    for (let i = 0; i < 6; i++) {
      const back = join(dir, `via-lb-${i}.back`);
      const down = await curl(["-v", ...modes[(i + 1) % 3]!, "-o", back, `${front}/via-lb-${i}.bin`]);
      throughFront(down, `download ${i} through HAProxy`);
      for (const h of passiveHosts(down)) announced.add(h);
      assert.equal(await sha256File(back), digests[i]);
    }
    const listing = await curl(["-v", "--disable-epsv", "--list-only", `${front}/`]);
    throughFront(listing, "list through HAProxy");
    assert.deepEqual(listing.out.split(/\r?\n/).filter(Boolean).sort(), [0, 1, 2, 3, 4, 5].map((i) => `via-lb-${i}.bin`));
    assert.deepEqual([...announced].sort(), ["127.0.0.2", "127.0.0.3"], "both instances served, each with its own address");
  });
});
