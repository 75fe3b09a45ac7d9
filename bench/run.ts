/**
 * `npm run bench` — every performance figure of the project in one run, side by side with the
 * real peers, on this machine:
 *
 * - servers: anyftp and ftp-srv (npm) each on Node, Deno and Bun, vsftpd and pyftpdlib (Debian),
 *   driven by the same neutral clients (curl, lftp, Python's ftplib): download and upload of a
 *   big file, small files both ways, a burst of concurrent clients, RSS idle and after each
 *   round, RSS per logged-in idle session, server CPU seconds per GiB moved;
 * - clients against vsftpd: curl, lftp, basic-ftp and anyftp's API on each runtime, and the
 *   `anyftp get` / `anyftp put` command;
 * - the physical anchor: the same bytes over raw TCP on loopback without FTP.
 *
 * Rounds are interleaved across servers and clients (outside load drifts over all alike), the
 * median is reported. It writes one Markdown report (bench/README.md, between the
 * `bench:all` markers) and the raw samples (bench/results/bench.json).
 *
 * `npm run bench` (`-- --quick` for a smoke run with small sizes and one round). Options:
 * `--quick`, `--runs N`, `--only servers|clients`, `--no-readme`, `--no-adapters` (a full run
 * ends with `bench/adapters/run.sh`: each socket adapter against its runtime's plain socket
 * path, the ceiling a runtime sets, into the same README). Environment: BENCH_MAX_LOAD
 * (1.5: wait up to 10 min for a quieter machine first). Linux only (/proc, /dev/shm). Installs
 * missing Debian peers with apt-get when run as root.
 *
 * @module
 */
import { execFileSync, spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import {
  closeSync,
  existsSync,
  linkSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readdirSync,
  rmSync,
  writeFileSync,
  writeSync,
} from "node:fs";
import { join } from "node:path";
import process from "node:process";
import { parseArgs } from "node:util";
import {
  burst,
  type ClientKind,
  clientTransfer,
  curlDownload,
  curlUpload,
  idleSessionMemory,
  lftpSmallFiles,
  type Measured,
  rawTcp,
  type Sizes,
} from "./_suites.ts";
import { type GcMemory, renderReport, type Report } from "./_report.ts";
import {
  idleSessionMemory as gcIdleMemory,
  plainSocketMemory,
  suiteMemory,
} from "./server/session_memory.ts";
import {
  type BenchServer,
  buildForNode,
  codeVersion,
  loadAverage,
  machineBusySeconds,
  machineFacts,
  replaceSection,
  REPO,
  RUNTIMES,
  sleep,
  startFtpSrv,
  startOurs,
  startPeer,
  treeRssKiB,
  versionOf,
  waitForQuiet,
} from "./server/_bench_lib.ts";

const { values: opts } = parseArgs({
  options: {
    quick: { type: "boolean", default: false },
    runs: { type: "string" },
    only: { type: "string" },
    "no-readme": { type: "boolean", default: false },
    "no-adapters": { type: "boolean", default: false },
  },
});
const sizes: Sizes = opts.quick
  ? { mib: 64, files: 100, small: 4096, clients: 20, listEntries: 100, idleSessions: 50 }
  : { mib: 512, files: 500, small: 4096, clients: 100, listEntries: 100, idleSessions: 200 };
const runs = Number(opts.runs ?? (opts.quick ? 1 : 3));
const doServers = opts.only !== "clients";
const doClients = opts.only !== "servers";
const SHM = existsSync("/dev/shm") ? "/dev/shm" : (process.env.TMPDIR ?? "/tmp");
process.env.TMPDIR = SHM; // the peers' launchers make their roots under tmpdir()

/** Debian packages the bench drives, by the program that shows they are there. */
const DEBIAN_PEERS: Record<string, string> = {
  "/usr/sbin/vsftpd": "vsftpd",
  "/usr/bin/curl": "curl",
  "/usr/bin/lftp": "lftp",
  "/usr/lib/python3/dist-packages/pyftpdlib": "python3-pyftpdlib",
};

function ensurePeers(): void {
  const missing = Object.entries(DEBIAN_PEERS).filter(([f]) => !existsSync(f)).map(([, p]) => p);
  if (missing.length === 0) return;
  if (process.getuid?.() !== 0) {
    throw new Error(`missing peers: run  sudo apt-get install -y ${missing.join(" ")}`);
  }
  console.error(`installing ${missing.join(" ")} …`);
  spawnSync("apt-get", ["update", "-q"], { stdio: "inherit" });
  const r = spawnSync("apt-get", ["install", "-y", "-q", ...missing], {
    stdio: "inherit",
    env: { ...process.env, DEBIAN_FRONTEND: "noninteractive" },
  });
  if (r.status !== 0) throw new Error(`apt-get install ${missing.join(" ")} failed`);
}

const work = mkdtempSync(join(SHM, "anyftp-bench-"));
const fixtures = join(work, "fixtures");
const bigFile = join(fixtures, "big.bin");

/** One big incompressible file (each MiB made distinct), small files, a directory to list. */
function makeFixtures(): void {
  mkdirSync(join(fixtures, "small"), { recursive: true });
  const block = new Uint8Array(randomBytes(1 << 20));
  const fd = openSync(bigFile, "w");
  for (let i = 0; i < sizes.mib; i++) {
    new DataView(block.buffer).setUint32(0, i);
    writeSync(fd, block);
  }
  closeSync(fd);
  for (let i = 1; i <= sizes.files; i++) {
    writeFileSync(
      join(fixtures, "small", `f${String(i).padStart(4, "0")}.bin`),
      randomBytes(sizes.small),
    );
  }
  mkdirSync(join(fixtures, "list"));
  for (let i = 1; i <= sizes.listEntries; i++) {
    writeFileSync(join(fixtures, "list", `l${String(i).padStart(3, "0")}.txt`), "x");
  }
}

/** Hard-link the fixtures into a server's root (same tmpfs), plus empty upload directories. */
function populate(root: string): void {
  linkSync(bigFile, join(root, "big.bin"));
  for (const d of ["small", "list"]) {
    mkdirSync(join(root, d));
    for (const f of readdirSync(join(fixtures, d))) {
      linkSync(join(fixtures, d, f), join(root, d, f));
    }
  }
  mkdirSync(join(root, "up"));
  mkdirSync(join(root, "upsmall"));
}

/** Our servers get limits high enough for the burst and the idle sessions (defaults: 512, 16). */
const OUR_LIMITS = ["--max-connections", "1000", "--max-per-ip", "1000"];
/** vsftpd's launcher caps clients at 200 and passive ports at 50; the burst needs more. */
const VSFTPD_LIMITS = [
  "max_clients=1000",
  "max_per_ip=1000",
  "pasv_min_port=52000",
  "pasv_max_port=53999",
];

const servers: BenchServer[] = [];

async function startServers(): Promise<void> {
  const names = doServers
    ? [
      ...RUNTIMES.map((r) => `anyftp ${r}`),
      ...RUNTIMES.map((r) => `ftp-srv ${r}`),
      "vsftpd",
      "pyftpdlib",
    ]
    : ["vsftpd"];
  for (const name of names) {
    const [kind, runtime] = name.split(" ") as [string, (typeof RUNTIMES)[number]];
    let s: BenchServer;
    if (kind === "vsftpd" || kind === "pyftpdlib") {
      s = await startPeer(kind, VSFTPD_LIMITS);
      populate(s.root);
    } else {
      const root = mkdtempSync(join(work, "root-"));
      populate(root);
      s = kind === "anyftp"
        ? await startOurs(runtime, root, OUR_LIMITS)
        : await startFtpSrv(runtime, root);
    }
    servers.push(s);
  }
  await sleep(1000);
  // warm-up: load the code paths before anything is measured
  for (const s of servers) {
    const r = spawnSync("curl", [
      "-sS",
      "--max-time",
      "60",
      "-o",
      "/dev/null",
      `${s.url}/small/f0001.bin`,
      "-o",
      "/dev/null",
      `${s.url}/list/`,
    ]);
    if (r.status !== 0) throw new Error(`${s.name} warm-up failed: ${r.stderr}`);
  }
}

/** One sample of the report's raw data. */
export interface Sample extends Measured {
  /** Server or client row. */
  readonly row: string;
  /** Which measurement. */
  readonly test: string;
  /** 0-based round. */
  readonly round: number;
}

const samples: Sample[] = [];

function record(row: string, test: string, round: number, m: Measured): void {
  samples.push({ row, test, round, ...m });
  const v = Number.isFinite(m.value) ? m.value.toFixed(m.value >= 100 ? 0 : 2) : "FAILED";
  console.error(
    `round ${round + 1} ${test.padEnd(12)} ${row.padEnd(20)} ${v.padStart(8)}` +
      (m.error ? `  ${m.error}` : ""),
  );
}

/** Rotate the order each round so no row always runs first or after the same neighbour. */
function rotated<T>(xs: readonly T[], round: number): T[] {
  return xs.map((_, i) => xs[(i + round) % xs.length]!);
}

const idleRss = new Map<string, number[]>();

async function serverSuite(): Promise<void> {
  const small = join(work, "small-down");
  // per-session memory first, while the heaps hold nothing but start-up and warm-up
  for (const s of servers) {
    record(s.name, "idle-session", 0, await idleSessionMemory(s, sizes, s.name === "vsftpd"));
    await sleep(1000);
  }
  for (const s of servers) idleRss.set(s.name, [treeRssKiB(s.pid)]);
  for (let round = 0; round < runs; round++) {
    record("raw TCP", "download", round, await rawTcp("down", bigFile, work, sizes));
    record("raw TCP", "upload", round, await rawTcp("up", bigFile, work, sizes));
    for (const s of rotated(servers, round)) {
      record(s.name, "download", round, await curlDownload(s, sizes));
    }
    for (const s of rotated(servers, round)) {
      record(s.name, "upload", round, await curlUpload(s, bigFile, sizes));
    }
    for (const s of rotated(servers, round)) {
      record(s.name, "small-down", round, await lftpSmallFiles(s, "down", small, sizes));
    }
    for (const s of rotated(servers, round)) {
      record(
        s.name,
        "small-up",
        round,
        await lftpSmallFiles(s, "up", join(fixtures, "small"), sizes),
      );
    }
    for (const s of rotated(servers, round)) {
      record(s.name, "burst", round, await burst(s, sizes));
      await sleep(500);
    }
    await sleep(2000); // let sessions end and garbage be collected before reading idle RSS
    for (const s of servers) idleRss.get(s.name)!.push(treeRssKiB(s.pid));
  }
}

const CLIENTS: ClientKind[] = [
  "curl",
  "lftp",
  ...RUNTIMES.map((r) => `basic-ftp ${r}` as const),
  ...RUNTIMES.map((r) => `anyftp-api ${r}` as const),
  ...RUNTIMES.map((r) => `anyftp-get ${r}` as const),
];

async function clientSuite(): Promise<void> {
  const vsftpd = servers.find((s) => s.name === "vsftpd")!;
  for (let round = 0; round < runs; round++) {
    for (const direction of ["down", "up"] as const) {
      for (const c of rotated(CLIENTS, round)) {
        const m = await clientTransfer(c, direction, vsftpd, bigFile, sizes);
        record(c, direction === "down" ? "client-down" : "client-up", round, m);
      }
    }
  }
}

/**
 * Our server's memory with forced collections (bench/server/session_memory.ts, its own server
 * per runtime, nothing else running): per idle session in three steps, the runtime's plain
 * socket ceiling, and idle RSS after each repetition of a fixed work mix (the steady state).
 */
async function gcMemorySuite(): Promise<GcMemory[]> {
  const out: GcMemory[] = [];
  const n = opts.quick ? 100 : 500;
  for (const runtime of RUNTIMES) {
    console.error(`memory with forced GC on ${runtime} …`);
    try {
      const idle = await gcIdleMemory(runtime, n);
      const plain = await plainSocketMemory(runtime, n);
      const suite = await suiteMemory(runtime, opts.quick ? 2 : 3, opts.quick ? 8 : 64);
      out.push({
        runtime,
        sessions: 3 * n,
        perSessionKiB: idle.perSessionKiB,
        plainPerSocketKiB: plain.perSessionKiB,
        suite,
      });
    } catch (e) {
      out.push({ runtime, sessions: 3 * n, error: String(e).slice(0, 300) });
    }
  }
  return out;
}

function versions(): Record<string, string> {
  const out: Record<string, string> = {};
  for (
    const n of [
      "node",
      "deno",
      "bun",
      "vsftpd",
      "pyftpdlib",
      "python3",
      "curl",
      "lftp",
      "basic-ftp",
    ]
  ) {
    out[n] = versionOf(n);
  }
  out["ftp-srv"] = JSON.parse(
    execFileSync("node", [
      "-p",
      `JSON.stringify(require("${REPO}/node_modules/ftp-srv/package.json").version)`,
    ]).toString(),
  );
  return out;
}

let exitCode = 0;
async function stopAll(): Promise<void> {
  for (const s of servers.splice(0)) await s.close().catch(() => {});
}
process.on("SIGINT", () =>
  void stopAll().then(() => {
    rmSync(work, { recursive: true, force: true });
    process.exit(130);
  }));
try {
  ensurePeers();
  const startLoad = await waitForQuiet(Number(process.env.BENCH_MAX_LOAD ?? 1.5), 600);
  console.error(`load ${startLoad.toFixed(2)}; building for Node, writing fixtures in ${work} …`);
  buildForNode();
  makeFixtures();
  await startServers();
  const started = new Date();
  const busy0 = machineBusySeconds();
  const t0 = performance.now();
  if (doServers) await serverSuite();
  if (doClients) await clientSuite();
  let gcMemory: GcMemory[] = [];
  if (doServers) {
    await stopAll(); // the memory runs start their own servers, alone on the machine
    gcMemory = await gcMemorySuite();
  }
  const seconds = (performance.now() - t0) / 1000;
  const report: Report = {
    started: started.toISOString(),
    seconds,
    machine: machineFacts(),
    code: codeVersion(),
    versions: versions(),
    startLoad,
    endLoad: loadAverage(),
    busySeconds: machineBusySeconds() - busy0,
    sizes,
    runs,
    idleRss: Object.fromEntries(idleRss),
    gcMemory,
    samples,
  };
  const text = renderReport(report);
  console.log(text);
  mkdirSync(join(REPO, "bench/results"), { recursive: true });
  writeFileSync(join(REPO, "bench/results/bench.json"), JSON.stringify(report, null, 1));
  if (!opts["no-readme"] && !opts.quick && !opts.only) {
    replaceSection(join(REPO, "bench/README.md"), "bench:all", text);
  }
  if (samples.some((s) => s.row.startsWith("anyftp") && s.error)) exitCode = 1;
  if (!opts.quick && !opts.only && !opts["no-adapters"]) {
    await stopAll(); // nothing else runs while the adapters are measured
    const r = spawnSync("bash", [join(REPO, "bench/adapters/run.sh")], {
      stdio: "inherit",
      env: { ...process.env, BENCH_RUNS: String(runs), BENCH_MIB: String(sizes.mib) },
      timeout: 1_800_000,
    });
    if (r.status !== 0) exitCode = 1;
  }
} catch (e) {
  console.error(e);
  exitCode = 1;
} finally {
  await stopAll();
  rmSync(work, { recursive: true, force: true });
}
process.exit(exitCode);
