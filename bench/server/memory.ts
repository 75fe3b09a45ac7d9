/**
 * Server memory and throughput under a 1 GiB RETR and STOR driven by curl: the server runs in
 * a child process (one per runtime) and its resident set size is sampled from /proc while
 * curl transfers (three rounds each; median throughput, highest RSS). The claim to check: RSS
 * stays flat — the same for a 256 MiB and a 1 GiB file (no whole-file buffering).
 *
 * `npm run bench:server:memory` = `deno run -A bench/server/memory.ts [MiB] [runtimes…]` (or
 * `bun bench/server/memory.ts`, or `node dist/bench/server/memory.js` after `npx tsc`); the
 * Node server child runs from the bench's own build in bench/results/bench-build/.
 * Defaults: 1024 MiB, deno bun node. Linux only (reads /proc/PID/status). Prints a table; exits non-zero when RSS grew by more
 * than 10% of the file size during a transfer. `vsftpd` and `pyftpdlib` among the runtimes add
 * reference rows (throughput only) for the same curl transfers against those servers.
 */
import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, truncateSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import process from "node:process";
import { type RealServer, startPyftpdlib, startVsftpd } from "../../tests/_support/peers/ftp_servers.ts";
import { BUILD, buildForNode } from "./_bench_lib.ts";

const mib = Number(process.argv[2] ?? 1024);
const runtimes = process.argv.length > 3 ? process.argv.slice(3) : ["deno", "bun", "node"];
const repo = resolve(import.meta.dirname ?? ".", "../..").replace(/\/dist$/, "");
const bin = join(repo, "node_modules/.bin");

function command(runtime: string, dir: string): [string, string[]] {
  if (runtime === "deno") return [join(bin, "deno"), ["run", "-A", join(repo, "bench/server/serve.ts"), dir]];
  if (runtime === "bun") return [join(bin, "bun"), [join(repo, "bench/server/serve.ts"), dir]];
  // Node runs a tsc build: the bench's private one (scripts/test.sh wipes dist/ at any time)
  if (!existsSync(join(BUILD, "bench/server/serve.js"))) buildForNode();
  return ["node", [join(BUILD, "bench/server/serve.js"), dir]];
}

function rssKiB(pid: number): number {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
    return m ? Number(m[1]) : 0;
  } catch {
    return 0;
  }
}

function portOf(child: ChildProcess): Promise<number> {
  return new Promise((resolvePort, reject) => {
    let buf = "";
    const timer = setTimeout(() => reject(new Error("server child did not start in 30 s")), 30_000);
    child.stdout!.on("data", (d: Buffer) => {
      buf += d.toString();
      const line = buf.split("\n")[0];
      if (buf.includes("\n")) {
        clearTimeout(timer);
        resolvePort(JSON.parse(line!).port);
      }
    });
    child.on("exit", (code) => reject(new Error(`server child exited (${code})`)));
  });
}

/** Run curl while sampling the child's RSS every 20 ms; returns peak RSS and seconds taken. */
function sampled(pid: number, args: string[]): Promise<{ peak: number; seconds: number }> {
  return new Promise((done, reject) => {
    let peak = rssKiB(pid);
    const timer = setInterval(() => (peak = Math.max(peak, rssKiB(pid))), 20);
    const t = performance.now();
    const curl = spawn("curl", ["-s", "-S", "--max-time", "600", ...args], { stdio: ["ignore", "ignore", "inherit"] });
    curl.on("exit", (code) => {
      clearInterval(timer);
      peak = Math.max(peak, rssKiB(pid));
      if (code !== 0) reject(new Error(`curl exited ${code}`));
      else done({ peak, seconds: (performance.now() - t) / 1000 });
    });
  });
}

const bytes = mib * 1024 * 1024;
const rows: string[] = [];
let failed = false;

async function reference(name: string): Promise<void> {
  let server: RealServer;
  try {
    server = name === "vsftpd" ? await startVsftpd() : await startPyftpdlib();
  } catch (e) {
    rows.push(`${name.padEnd(9)} not available (${(e as Error).message})`);
    return;
  }
  try {
    const file = join(server.root, "big.bin");
    writeFileSync(file, "");
    truncateSync(file, bytes);
    const times = { down: [] as number[], up: [] as number[] };
    for (let i = 0; i < 3; i++) {
      let t = performance.now();
      execFileSync("curl", ["-s", "-S", "-o", "/dev/null", `${server.url}/big.bin`]);
      times.down.push((performance.now() - t) / 1000);
      t = performance.now();
      execFileSync("curl", ["-s", "-S", "-T", file, `${server.url}/up.bin`]);
      times.up.push((performance.now() - t) / 1000);
    }
    const med = (xs: number[]) => xs.sort((a, b) => a - b)[1]!;
    rows.push(
      `${name.padEnd(9)} (reference) RETR ${(mib / med(times.down)).toFixed(0)} MiB/s | STOR ${(mib / med(times.up)).toFixed(0)} MiB/s`,
    );
  } finally {
    await server.close();
  }
}

for (const runtime of runtimes) {
  if (runtime === "vsftpd" || runtime === "pyftpdlib") {
    await reference(runtime);
    continue;
  }
  const dir = mkdtempSync(join(tmpdir(), "anyftp-bench-mem-"));
  const file = join(dir, "big.bin");
  writeFileSync(file, "");
  truncateSync(file, bytes); // sparse: reads cost no disk I/O, so the server is what is measured
  const [cmd, args] = command(runtime, dir);
  const child = spawn(cmd, args, { stdio: ["pipe", "pipe", "inherit"] });
  try {
    const port = await portOf(child);
    await new Promise((r) => setTimeout(r, 500));
    const base = rssKiB(child.pid!);
    // Three rounds each: throughput on a shared 2-core machine is noisy, so report the median.
    const downs = [];
    const ups = [];
    for (let i = 0; i < 3; i++) {
      downs.push(await sampled(child.pid!, ["-o", "/dev/null", `ftp://127.0.0.1:${port}/big.bin`]));
      ups.push(await sampled(child.pid!, ["-T", file, `ftp://127.0.0.1:${port}/up.bin`]));
    }
    const median = (xs: { peak: number; seconds: number }[]) => ({
      peak: Math.max(...xs.map((x) => x.peak)),
      seconds: xs.map((x) => x.seconds).sort((a, b) => a - b)[1]!,
    });
    const down = median(downs);
    const up = median(ups);
    if (statSync(join(dir, "up.bin")).size !== bytes) throw new Error("short upload");
    const rate = (s: number) => `${(mib / s).toFixed(0)} MiB/s`;
    const growth = (peak: number) => `${((peak - base) / 1024).toFixed(1)} MiB`;
    rows.push(
      `${runtime.padEnd(9)} baseline ${(base / 1024).toFixed(1)} MiB | RETR ${rate(down.seconds)}, peak +${growth(down.peak)}` +
        ` | STOR ${rate(up.seconds)}, peak +${growth(up.peak)}`,
    );
    const limit = (bytes / 1024) * 0.1;
    if (down.peak - base > limit || up.peak - base > limit) failed = true;
  } finally {
    child.stdin!.end();
    child.kill("SIGTERM");
    rmSync(dir, { recursive: true, force: true });
  }
}
console.log(`anyftp server, ${mib} MiB file, curl client, RSS of the server process:`);
for (const r of rows) console.log("  " + r);
try {
  console.log("  (curl " + execFileSync("curl", ["--version"]).toString().split(" ")[1] + ")");
} catch {
  // curl version is informational
}
process.exit(failed ? 1 : 0);
