/**
 * Shared plumbing of the benchmarks (bench/run.ts, bench/server/memory.ts, bench/s3/run.ts,
 * bench/client/_job.ts): process-tree sampling from /proc (RSS, CPU), bounded child
 * processes, medians, load checks, the private Node build, starting our server on each runtime
 * and the reference servers, and rewriting a marked section of a README.
 *
 * Linux only: everything measured comes from /proc.
 *
 * @module
 */
import { type ChildProcess, execFileSync, spawn, spawnSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import process from "node:process";
import { type RealServer, startPyftpdlib, startVsftpd } from "../../tests/_support/peers/ftp_servers.ts";

/** The repository root (also when running from a tsc build under bench/results/). */
export const REPO = resolve(import.meta.dirname ?? ".", "../..").replace(
  /\/(dist|bench\/results\/bench-build)$/,
  "",
);
/** Where the runtimes' binaries are. */
export const BIN = join(REPO, "node_modules/.bin");
/** Private tsc output for the Node children (scripts/test.sh wipes dist/). */
export const BUILD = join(REPO, "bench/results/bench-build");

const TICKS = 100; // USER_HZ; Linux reports /proc times in 1/100 s on every mainstream arch

/**
 * Read a number from a /proc file field, 0 when the process is gone.
 *
 * @param pid The process.
 * @returns VmRSS in KiB.
 */
export function rssKiB(pid: number): number {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
    return m ? Number(m[1]) : 0;
  } catch {
    return 0;
  }
}

/**
 * Direct children of a process (all its threads' children).
 *
 * @param pid The process.
 * @returns Their pids.
 */
export function childPids(pid: number): number[] {
  const out: number[] = [];
  try {
    for (const task of readdirSync(`/proc/${pid}/task`)) {
      try {
        const text = readFileSync(`/proc/${pid}/task/${task}/children`, "utf8").trim();
        if (text) out.push(...text.split(/\s+/).map(Number));
      } catch {
        // the thread ended
      }
    }
  } catch {
    // the process ended
  }
  return out;
}

/**
 * A process and all its descendants (vsftpd forks per session).
 *
 * @param pid The root process.
 * @returns Pids, the root first.
 */
export function treePids(pid: number): number[] {
  const all = [pid];
  for (let i = 0; i < all.length && all.length < 10_000; i++) all.push(...childPids(all[i]!));
  return all;
}

/**
 * Sum of VmRSS over a process tree.
 *
 * @param pid The root process.
 * @returns KiB.
 */
export function treeRssKiB(pid: number): number {
  return treePids(pid).reduce((sum, p) => sum + rssKiB(p), 0);
}

/**
 * Sum of proportional set sizes (Pss) over a process tree: pages shared between the processes
 * of a forking server (vsftpd) count once in all, not once per process as in VmRSS.
 *
 * @param pid The root process.
 * @returns KiB.
 */
export function treePssKiB(pid: number): number {
  let sum = 0;
  for (const p of treePids(pid)) {
    try {
      const m = /^Pss:\s+(\d+) kB/m.exec(readFileSync(`/proc/${p}/smaps_rollup`, "utf8"));
      sum += m ? Number(m[1]) : 0;
    } catch {
      // the process ended
    }
  }
  return sum;
}

function statFields(pid: number | "self"): string[] | undefined {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, "utf8");
    return text.slice(text.lastIndexOf(")") + 2).split(" ");
  } catch {
    return undefined;
  }
}

/**
 * CPU seconds of a process tree: each live process's user+system time plus that of the
 * children it already reaped (vsftpd's finished sessions).
 *
 * @param pid The root process.
 * @returns Seconds.
 */
export function treeCpuSeconds(pid: number): number {
  let ticks = 0;
  for (const p of treePids(pid)) {
    const f = statFields(p);
    if (f) ticks += Number(f[11]) + Number(f[12]) + Number(f[13]) + Number(f[14]);
  }
  return ticks / TICKS;
}

/**
 * CPU seconds of the reaped children of this process (curl, lftp, client children).
 *
 * @returns Seconds.
 */
export function reapedChildrenCpuSeconds(): number {
  const f = statFields("self");
  return f ? (Number(f[13]) + Number(f[14])) / TICKS : 0;
}

/**
 * Busy CPU seconds of the whole machine since boot (all cores).
 *
 * @returns Seconds.
 */
export function machineBusySeconds(): number {
  const cpu = readFileSync("/proc/stat", "utf8").split("\n")[0]!.trim().split(/\s+/).slice(1).map(
    Number,
  );
  // user nice system idle iowait irq softirq steal: busy = all but idle and iowait
  const busy = cpu[0]! + cpu[1]! + cpu[2]! + cpu[5]! + cpu[6]! + cpu[7]!;
  return busy / TICKS;
}

/**
 * The kernel's count of connections dropped because a listen queue was full (TcpExt
 * ListenOverflows): a client whose SYN is dropped retries after 1 s.
 *
 * @returns The counter since boot.
 */
export function listenOverflows(): number {
  try {
    const lines = readFileSync("/proc/net/netstat", "utf8").split("\n");
    const i = lines.findIndex((l) => l.startsWith("TcpExt:"));
    const names = lines[i]!.split(" ");
    const values = lines[i + 1]!.split(" ");
    return Number(values[names.indexOf("ListenOverflows")] ?? 0);
  } catch {
    return 0;
  }
}

/**
 * TCP sockets in TIME_WAIT on this machine (IPv4 and IPv6). Each holds its local port; when
 * tens of thousands pile up, bind(port 0) has to search long for a free port (see
 * bench/HISTORY.md).
 *
 * @returns The count.
 */
export function timeWaitCount(): number {
  let n = 0;
  for (const f of ["/proc/net/tcp", "/proc/net/tcp6"]) {
    try {
      for (const line of readFileSync(f, "utf8").split("\n")) {
        if (line.trim().split(/\s+/, 4)[3] === "06") n++;
      }
    } catch {
      // no IPv6
    }
  }
  return n;
}

/**
 * The one-minute load average.
 *
 * @returns The load.
 */
export function loadAverage(): number {
  return Number(readFileSync("/proc/loadavg", "utf8").split(" ")[0]);
}

/**
 * Wait (bounded) until the one-minute load average drops below a limit.
 *
 * @param limit The load to wait for.
 * @param maxSeconds Give up after this long and run anyway.
 * @returns The load when done waiting.
 */
export async function waitForQuiet(limit: number, maxSeconds: number): Promise<number> {
  const until = performance.now() + maxSeconds * 1000;
  let load = loadAverage();
  while (load >= limit && performance.now() < until) {
    console.error(`  load ${load.toFixed(2)} >= ${limit}: waiting (up to ${maxSeconds} s in all)`);
    await sleep(10_000);
    load = loadAverage();
  }
  return load;
}

/**
 * Sleep.
 *
 * @param ms Milliseconds.
 * @returns After that long.
 */
export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** Logged-in idle control connections held open by one Python process (`_sessions.py idle`). */
export interface HeldSessions {
  /** Seconds from the start until every connection was in (logged in when asked). */
  readonly seconds: number;
  /** Close them all and wait for the process to exit. */
  release(): Promise<void>;
}

/**
 * Open `n` control connections to `port` from one Python process (bench/server/_sessions.py),
 * logged in with `login` when given, and keep them open until released. Rejects, with the
 * holder's last error line, when they are not all in within two minutes.
 *
 * @param port The server's control port on 127.0.0.1.
 * @param n How many connections.
 * @param login The account to log in with; `undefined` leaves them at the greeting.
 * @returns The held connections.
 */
export async function holdIdleSessions(
  port: number,
  n: number,
  login?: { readonly user: string; readonly password: string },
): Promise<HeldSessions> {
  const args = ["idle", "127.0.0.1", String(port), String(n)];
  if (login) args.push("login", login.user, login.password);
  const child = spawn("/usr/bin/python3", [join(REPO, "bench/server/_sessions.py"), ...args], {
    stdio: ["pipe", "pipe", "pipe"],
  });
  const exited = new Promise<void>((r) => child.once("exit", () => r()));
  let err = "";
  child.stderr!.on("data", (d: Uint8Array) => (err = (err + new TextDecoder().decode(d)).slice(-2000)));
  const release = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.stdin!.end();
    const killer = setTimeout(() => child.kill("SIGKILL"), 30_000);
    await exited;
    clearTimeout(killer);
  };
  const t0 = performance.now();
  const ready = await new Promise<boolean>((ok) => {
    let out = "";
    const timer = setTimeout(() => ok(false), 120_000);
    child.stdout!.on("data", (d: Uint8Array) => {
      out += new TextDecoder().decode(d);
      if (out.includes("ready")) (clearTimeout(timer), ok(true));
    });
    child.once("exit", () => (clearTimeout(timer), ok(false)));
  });
  const seconds = (performance.now() - t0) / 1000;
  if (!ready) {
    await release();
    throw new Error(`not all in within 120 s: ${err.trim().split("\n").at(-1) ?? ""}`);
  }
  return { seconds, release };
}

/**
 * The median of some numbers (the lower middle for an even count).
 *
 * @param xs The numbers.
 * @returns The median, NaN for none.
 */
export function median(xs: readonly number[]): number {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor((s.length - 1) / 2)]!;
}

/** What {@linkcode run} observed. */
export interface RunResult {
  /** Exit status. */
  readonly code: number | null;
  /** Wall-clock seconds from spawn to exit. */
  readonly seconds: number;
  /** Standard output (kept when `keepStdout`), else empty. */
  readonly stdout: string;
  /** Bytes written to standard output. */
  readonly stdoutBytes: number;
  /** Newlines in standard output. */
  readonly stdoutLines: number;
  /** Last 4 KiB of standard error. */
  readonly stderr: string;
  /** Highest RSS of the watched process tree while this ran, KiB (0 without `watch`). */
  readonly peakRssKiB: number;
  /** CPU seconds the watched tree used while this ran. */
  readonly watchedCpu: number;
  /** CPU seconds this child (and its reaped children) used. */
  readonly childCpu: number;
  /** Busy CPU seconds of the machine not used by the child or the watched tree: other load. */
  readonly otherCpu: number;
  /** Connections the kernel dropped from full listen queues meanwhile (whole machine). */
  readonly listenOverflows: number;
}

/** Options of {@linkcode run}. */
export interface RunOptions {
  /** A process tree to sample (RSS every 20 ms, CPU before and after). */
  readonly watch?: number;
  /** Sample the RSS of the child itself (its process tree) instead of `watch`. @default false */
  readonly watchChild?: boolean;
  /** Kill the child after this many seconds. @default 300 */
  readonly timeout?: number;
  /** Keep standard output as text. @default false */
  readonly keepStdout?: boolean;
  /** Working directory. */
  readonly cwd?: string;
  /** Send standard output to /dev/null instead of counting it (downloads to `-`). */
  readonly stdoutNull?: boolean;
}

/**
 * Run a command to completion (bounded), counting its output and sampling a process tree.
 *
 * @param cmd The program.
 * @param args Its arguments.
 * @param options What to watch, time limit.
 * @returns What happened; rejects only when the program cannot be started.
 */
export function run(
  cmd: string,
  args: readonly string[],
  options: RunOptions = {},
): Promise<RunResult> {
  return new Promise((done, reject) => {
    const watch = options.watch;
    let peak = watch && !options.watchChild ? treeRssKiB(watch) : 0;
    const cpu0 = watch ? treeCpuSeconds(watch) : 0;
    const child0 = reapedChildrenCpuSeconds();
    const busy0 = machineBusySeconds();
    const overflows0 = listenOverflows();
    const t0 = performance.now();
    const child = spawn(cmd, args, {
      stdio: ["ignore", options.stdoutNull ? "ignore" : "pipe", "pipe"],
      cwd: options.cwd,
    });
    const sampled = options.watchChild ? child.pid : watch;
    const sampler = sampled
      ? setInterval(() => (peak = Math.max(peak, treeRssKiB(sampled))), 20)
      : undefined;
    let bytes = 0;
    let lines = 0;
    let out = "";
    let err = "";
    child.stdout?.on("data", (d: Uint8Array) => {
      bytes += d.byteLength;
      for (const b of d) if (b === 10) lines++;
      if (options.keepStdout) out += new TextDecoder().decode(d);
    });
    child.stderr!.on(
      "data",
      (d: Uint8Array) => (err = (err + new TextDecoder().decode(d)).slice(-4096)),
    );
    const killer = setTimeout(() => {
      err += `\n[killed after ${options.timeout ?? 300} s]`;
      child.kill("SIGKILL");
    }, (options.timeout ?? 300) * 1000);
    child.once("error", (e) => {
      clearTimeout(killer);
      if (sampler) clearInterval(sampler);
      reject(e);
    });
    child.once("close", (code) => {
      const seconds = (performance.now() - t0) / 1000;
      clearTimeout(killer);
      if (sampler) clearInterval(sampler);
      if (watch && !options.watchChild) peak = Math.max(peak, treeRssKiB(watch));
      const watchedCpu = watch ? treeCpuSeconds(watch) - cpu0 : 0;
      const childCpu = reapedChildrenCpuSeconds() - child0;
      const busy = machineBusySeconds() - busy0;
      done({
        code,
        seconds,
        stdout: out,
        stdoutBytes: bytes,
        stdoutLines: lines,
        stderr: err,
        peakRssKiB: peak,
        watchedCpu,
        childCpu,
        otherCpu: Math.max(0, busy - watchedCpu - childCpu),
        listenOverflows: listenOverflows() - overflows0,
      });
    });
  });
}

/**
 * Build the project with tsc into {@linkcode BUILD} for the Node children (type errors in
 * files under work elsewhere do not stop the emit).
 *
 * @returns Nothing; throws when the build produced no CLI.
 */
export function buildForNode(): void {
  spawnSync(join(BIN, "tsc"), ["-p", join(REPO, "tsconfig.json"), "--outDir", BUILD], {
    stdio: "ignore",
    timeout: 300_000,
  });
  writeFileSync(join(BUILD, "package.json"), '{"type":"module"}\n');
  if (!existsSync(join(BUILD, "src/cli/main.js"))) throw new Error(`tsc did not build ${BUILD}`);
}

/** A server under test. */
export interface BenchServer {
  /** Row label. */
  readonly name: string;
  /** `ftp://user:pass@127.0.0.1:port` (no trailing slash). */
  readonly url: string;
  /** Host and port for clients that take them apart. */
  readonly port: number;
  /** Login. */
  readonly user: string;
  /** Password. */
  readonly password: string;
  /** The directory served as `/`. */
  readonly root: string;
  /** The process whose tree is sampled. */
  readonly pid: number;
  /** Stop it (bounded) and remove its directory. */
  close(): Promise<void>;
}

/** Runtimes our code runs on. */
export const RUNTIMES = ["node", "deno", "bun"] as const;
/** One of {@linkcode RUNTIMES}. */
export type Runtime = typeof RUNTIMES[number];

/**
 * The command line running a TypeScript entry point of this repository on a runtime.
 *
 * @param runtime The runtime.
 * @param entry Path relative to the repository, ending in `.ts`.
 * @returns Program and arguments (Node runs the tsc build).
 */
export function runtimeCommand(runtime: Runtime, entry: string): [string, string[]] {
  if (runtime === "deno") return [join(BIN, "deno"), ["run", "-A", join(REPO, entry)]];
  if (runtime === "bun") return [join(BIN, "bun"), [join(REPO, entry)]];
  return ["node", [join(BUILD, entry.replace(/\.ts$/, ".js"))]];
}

/**
 * The version of a runtime or program, for the report.
 *
 * @param name node, deno, bun, curl, lftp, vsftpd, pyftpdlib, python3.
 * @returns A short version string.
 */
export function versionOf(name: string): string {
  try {
    switch (name) {
      case "node":
        return execFileSync("node", ["--version"]).toString().trim();
      case "deno":
        return execFileSync(join(BIN, "deno"), ["--version"]).toString().split("\n")[0]!.split(
          " ",
        )[1]!;
      case "bun":
        return execFileSync(join(BIN, "bun"), ["--version"]).toString().trim();
      case "curl":
        return execFileSync("curl", ["--version"]).toString().split(" ")[1]!;
      case "lftp":
        return /Version ([\d.]+)/.exec(execFileSync("lftp", ["--version"]).toString())?.[1] ?? "?";
      case "vsftpd":
      case "pyftpdlib": {
        const pkg = name === "vsftpd" ? "vsftpd" : "python3-pyftpdlib";
        return execFileSync("dpkg-query", ["-W", "-f", "${Version}", pkg]).toString().trim();
      }
      case "python3":
        return execFileSync("/usr/bin/python3", ["--version"]).toString().trim().split(" ")[1]!;
      case "basic-ftp":
        return JSON.parse(readFileSync(join(REPO, "node_modules/basic-ftp/package.json"), "utf8"))
          .version;
    }
  } catch {
    // reported as unknown
  }
  return "?";
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((r) => child.once("exit", () => r()));
  child.kill("SIGTERM");
  const timer = setTimeout(() => child.kill("SIGKILL"), 5000);
  await exited;
  clearTimeout(timer);
}

/**
 * Start a server child that prints its port on standard output (bounded wait), anonymous
 * with write access.
 *
 * @param name Row label.
 * @param cmd The program.
 * @param args Its arguments.
 * @param root The directory it serves.
 * @param portPattern Finds the port in its output (first group).
 * @returns The server; `close` sends SIGTERM (graceful stop), SIGKILL after 5 s.
 */
async function startPrintingPort(
  name: string,
  cmd: string,
  args: readonly string[],
  root: string,
  portPattern: RegExp,
): Promise<BenchServer> {
  // stdin stays open (a pipe): ftp-srv's launcher stops when it closes
  const child = spawn(cmd, args, { stdio: ["pipe", "pipe", "pipe"] });
  let err = "";
  child.stderr!.on(
    "data",
    (d: Uint8Array) => (err = (err + new TextDecoder().decode(d)).slice(-4096)),
  );
  try {
    const port = await new Promise<number>((ok, fail) => {
      let out = "";
      const timer = setTimeout(
        () => fail(new Error(`${name} did not start in 30 s: ${err}`)),
        30_000,
      );
      child.stdout!.on("data", (d: Uint8Array) => {
        out += new TextDecoder().decode(d);
        const m = portPattern.exec(out);
        if (m) {
          clearTimeout(timer);
          ok(Number(m[1]));
        }
      });
      child.once("exit", (code) => {
        clearTimeout(timer);
        fail(new Error(`${name} exited (${code}): ${err}`));
      });
    });
    child.stdout!.resume();
    return {
      name,
      url: `ftp://anonymous:anon%40@127.0.0.1:${port}`,
      port,
      user: "anonymous",
      password: "anon@",
      root,
      pid: child.pid!,
      close: () => stopChild(child),
    };
  } catch (e) {
    await stopChild(child);
    throw e;
  }
}

/**
 * Start our server with the CLI (`anyftp serve ROOT -p 0 -w -q`) on a runtime, in its own
 * process, anonymous with write access.
 *
 * @param runtime The runtime.
 * @param root The directory to serve.
 * @param extra More `anyftp serve` options.
 * @returns The server; `close` sends SIGTERM (graceful stop), SIGKILL after 5 s.
 */
export function startOurs(
  runtime: Runtime,
  root: string,
  extra: readonly string[] = [],
): Promise<BenchServer> {
  const [cmd, args] = runtimeCommand(runtime, "src/cli/main.ts");
  return startPrintingPort(
    `anyftp ${runtime}`,
    cmd,
    [...args, "serve", root, "-p", "0", "-w", "-q", ...extra],
    root,
    /ftp:\/\/127\.0\.0\.1:(\d+)\//,
  );
}

/**
 * Start ftp-srv (npm) on a runtime through bench/peers/ftp_srv.mjs.
 *
 * @param runtime The runtime.
 * @param root The directory to serve.
 * @returns The server.
 */
export function startFtpSrv(runtime: Runtime, root: string): Promise<BenchServer> {
  const entry = join(REPO, "bench/peers/ftp_srv.mjs");
  const [cmd, args]: [string, string[]] = runtime === "deno"
    ? [join(BIN, "deno"), ["run", "-A", entry]]
    : runtime === "bun"
    ? [join(BIN, "bun"), [entry]]
    : ["node", [entry]];
  return startPrintingPort(`ftp-srv ${runtime}`, cmd, [...args, root], root, /"port":\s*(\d+)/);
}

/**
 * Start vsftpd or pyftpdlib through the interop tests' launchers (temporary root and config,
 * foreground, 127.0.0.1) and find its pid among this process's children.
 *
 * @param kind Which server.
 * @param vsftpdExtra More vsftpd.conf lines (later lines win).
 * @returns The server.
 */
export async function startPeer(
  kind: "vsftpd" | "pyftpdlib",
  vsftpdExtra: readonly string[] = [],
): Promise<BenchServer> {
  const before = new Set(childPids(process.pid));
  const server: RealServer = kind === "vsftpd"
    ? await startVsftpd({ extra: vsftpdExtra })
    : await startPyftpdlib();
  const comm = kind === "vsftpd" ? "vsftpd" : "python3";
  const pid = childPids(process.pid).find((p) => {
    if (before.has(p)) return false;
    try {
      return readFileSync(`/proc/${p}/comm`, "utf8").trim() === comm;
    } catch {
      return false;
    }
  });
  if (pid === undefined) {
    await server.close();
    throw new Error(`cannot find the ${kind} process among the children of ${process.pid}`);
  }
  return {
    name: kind,
    url: server.url,
    port: server.port,
    user: server.user,
    password: server.password,
    root: server.root,
    pid,
    close: () => server.close(),
  };
}

/**
 * Replace the text between `<!-- KEY:start -->` and `<!-- KEY:end -->` in a file (appending
 * the markers when missing).
 *
 * @param file The README.
 * @param key The marker name.
 * @param text The new section.
 * @returns Nothing.
 */
export function replaceSection(file: string, key: string, text: string): void {
  const start = `<!-- ${key}:start -->`;
  const end = `<!-- ${key}:end -->`;
  let doc = existsSync(file) ? readFileSync(file, "utf8") : "";
  const i = doc.indexOf(start);
  const j = doc.indexOf(end);
  const block = `${start}\n${text.trimEnd()}\n${end}`;
  doc = i >= 0 && j > i
    ? doc.slice(0, i) + block + doc.slice(j + end.length)
    : `${doc.trimEnd()}\n\n${block}\n`;
  writeFileSync(file, doc);
}

/**
 * Which code was measured: the commit, and whether src/ had uncommitted changes (the benches
 * run the working tree).
 *
 * @returns E.g. `commit 1a2b3c4` or `commit 1a2b3c4 + uncommitted changes in src/ (2 files)`.
 */
export function codeVersion(): string {
  try {
    const head = execFileSync("git", ["-C", REPO, "rev-parse", "--short", "HEAD"]).toString()
      .trim();
    const dirty = execFileSync("git", ["-C", REPO, "status", "--porcelain", "--", "src"]).toString()
      .split("\n").filter(Boolean);
    return dirty.length
      ? `commit ${head} + uncommitted changes in src/ (${dirty.length} files)`
      : `commit ${head}`;
  } catch {
    return "unknown commit";
  }
}

/**
 * Machine facts for a report: cores, CPU model, memory, kernel.
 *
 * @returns One line.
 */
export function machineFacts(): string {
  const cpuinfo = readFileSync("/proc/cpuinfo", "utf8");
  const model = /model name\s*:\s*(.*)/.exec(cpuinfo)?.[1]?.trim() ?? "unknown CPU";
  const cores = cpuinfo.split("\n").filter((l) => l.startsWith("processor")).length;
  const mem = Number(/MemTotal:\s+(\d+)/.exec(readFileSync("/proc/meminfo", "utf8"))?.[1] ?? 0);
  const kernel = readFileSync("/proc/sys/kernel/osrelease", "utf8").trim();
  return `${cores} cores (${model}), ${
    (mem / 1024 / 1024).toFixed(0)
  } GiB RAM, Linux ${kernel}, loopback`;
}

/**
 * Format a ratio for a table.
 *
 * @param ours Our value.
 * @param theirs The reference value.
 * @returns `1.23×`, or `–` when either is missing.
 */
export function ratio(ours: number, theirs: number): string {
  return Number.isFinite(ours) && Number.isFinite(theirs) && theirs > 0
    ? `${(ours / theirs).toFixed(2)}×`
    : "–";
}
