/**
 * Server memory per idle session and across repeated work, on each runtime.
 *
 * - {@linkcode idleSessionMemory}: `anyftp serve` (the CLI, through `_gc_serve.ts`) in a child
 *   process; separate Python processes open N logged-in idle control connections, three times
 *   over; the server's VmRSS (from /proc, after a forced GC) at each step gives KiB per session.
 * - {@linkcode plainSocketMemory}: the same N connections against a listener written with the
 *   runtime's own socket API and no FTP (`_plain_listen.ts`): the runtime's floor per socket.
 * - {@linkcode suiteMemory}: the same server through a fixed mix of work (`_sessions.py suite`:
 *   50 logins, 20 small STOR+RETR and a LIST, one 64 MiB STOR and RETR, 100 concurrent
 *   clients each LIST + small RETR) repeated; idle RSS after a forced GC after each repetition.
 *
 * Run: `node dist/bench/server/session_memory.js [runtimes…]` after `npx tsc` (or
 * `deno run -A bench/server/session_memory.ts`, `bun bench/server/session_memory.ts`); knobs
 * `SESSIONS=500 REPS=3 BIG_MIB=64`. Linux only (reads /proc). Prints a table; results
 * are recorded by hand in bench/server/memory.md.
 *
 * @module
 */
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import process from "node:process";
import { BIN, BUILD, buildForNode, holdIdleSessions, REPO, type Runtime, rssKiB, sleep } from "./_bench_lib.ts";

const PY = "/usr/bin/python3";
const CLIENTS = join(REPO, "bench/server/_sessions.py");
/** The account `serve -w` without users lets in. */
const ANONYMOUS = { user: "anonymous", password: "anon@" };

/** Bytes of the JavaScript heap and of memory outside it held by JS objects. */
interface HeapFigures {
  readonly heapUsed: number;
  readonly external: number;
}

/** A child server with a GC trigger. */
interface GcChild {
  readonly port: number;
  /** Collect garbage in the child, let it settle, and return its VmRSS in KiB. */
  rss(): Promise<number>;
  /** The child's `process.memoryUsage()` heap figures at the last {@linkcode GcChild.rss}. */
  heap(): HeapFigures;
  stop(): Promise<void>;
}

function gcCommand(runtime: Runtime, entry: string): [string, string[]] {
  if (runtime === "deno") return [join(BIN, "deno"), ["run", "-A", "--v8-flags=--expose-gc", join(REPO, entry)]];
  if (runtime === "bun") return [join(BIN, "bun"), [join(REPO, entry)]];
  return ["node", ["--expose-gc", join(BUILD, entry.replace(/\.ts$/, ".js"))]];
}

let built = false;

async function startGcChild(runtime: Runtime, entry: string, args: readonly string[]): Promise<GcChild> {
  if (runtime === "node" && !built) {
    buildForNode();
    built = true;
  }
  const [cmd, base] = gcCommand(runtime, entry);
  const child: ChildProcess = spawn(cmd, [...base, ...args], { stdio: ["pipe", "pipe", "pipe"] });
  let out = "";
  let err = "";
  let gcs = 0;
  let lastHeap: HeapFigures = { heapUsed: 0, external: 0 };
  child.stderr!.on("data", (d: Uint8Array) => (err = (err + new TextDecoder().decode(d)).slice(-2000)));
  const port = await new Promise<number>((ok, fail) => {
    const timer = setTimeout(() => fail(new Error(`${runtime} ${entry} did not start: ${err}`)), 30_000);
    child.stdout!.on("data", (d: Uint8Array) => {
      out += new TextDecoder().decode(d);
      const lines = out.split("\n");
      out = lines.pop()!;
      for (const line of lines) {
        if (line.startsWith("gc ")) {
          gcs++;
          lastHeap = JSON.parse(line.slice(3)) as HeapFigures;
        }
        const m = /ftp:\/\/127\.0\.0\.1:(\d+)\/|"port":(\d+)/.exec(line);
        if (m) {
          clearTimeout(timer);
          ok(Number(m[1] ?? m[2]));
        }
      }
    });
    child.once("exit", (code) => {
      clearTimeout(timer);
      fail(new Error(`${runtime} ${entry} exited (${code}): ${err}`));
    });
  });
  return {
    port,
    async rss() {
      await sleep(300);
      const want = gcs + 1;
      child.stdin!.write("gc\n");
      for (let i = 0; i < 200 && gcs < want; i++) await sleep(50);
      if (gcs < want) throw new Error(`${runtime}: no answer to the GC request (exit ${child.exitCode} ${child.signalCode}): ${err}`);
      await sleep(500);
      return rssKiB(child.pid!);
    },
    heap: () => lastHeap,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise<void>((r) => child.once("exit", () => r()));
      child.stdin!.end();
      child.kill("SIGTERM");
      const timer = setTimeout(() => child.kill("SIGKILL"), 5000);
      await exited;
      clearTimeout(timer);
    },
  };
}

/** What {@linkcode idleSessionMemory} and {@linkcode plainSocketMemory} measure (KiB). */
export interface IdleMemory {
  /** VmRSS after a warm-up and a GC, no connection open. */
  readonly beforeKiB: number;
  /** VmRSS (after a GC) with N, 2N, 3N connections open. */
  readonly heldKiB: readonly number[];
  /** VmRSS after they all closed (after a GC). */
  readonly afterKiB: number;
  /**
   * Growth from before to 3N connections, divided by 3N: one step alone is noisy (the heap
   * and the allocator grow in large pieces, and a collection may land on either side).
   */
  readonly perSessionKiB: number;
}

async function idleMemory(
  child: GcChild,
  sessions: number,
  login: boolean,
): Promise<IdleMemory> {
  const account = login ? ANONYMOUS : undefined;
  const releases: (() => Promise<void>)[] = [];
  try {
    // Warm-up: the code paths compiled and the first pools allocated before the baseline.
    for (let i = 0; i < 2; i++) await (await holdIdleSessions(child.port, 50, account)).release();
    const beforeKiB = await child.rss();
    const heldKiB: number[] = [];
    for (let step = 0; step < 3; step++) {
      releases.push((await holdIdleSessions(child.port, sessions, account)).release);
      heldKiB.push(await child.rss());
    }
    await Promise.all(releases.splice(0).map((release) => release()));
    await sleep(500);
    const afterKiB = await child.rss();
    const perSessionKiB = (heldKiB[2]! - beforeKiB) / (3 * sessions);
    return { beforeKiB, heldKiB, afterKiB, perSessionKiB };
  } finally {
    await Promise.all(releases.map((release) => release()));
    await child.stop();
  }
}

function serveArgs(root: string): string[] {
  return ["serve", root, "-p", "0", "-w", "-q", "--max-connections", "5000", "--max-per-ip", "5000"];
}

/**
 * RSS per logged-in idle session of `anyftp serve` on a runtime.
 *
 * @param runtime node, deno or bun.
 * @param sessions How many sessions to hold open.
 * @returns KiB figures.
 */
export async function idleSessionMemory(runtime: Runtime, sessions = 500): Promise<IdleMemory> {
  const root = mkdtempSync(join(tmpdir(), "anyftp-mem-"));
  try {
    return await idleMemory(await startGcChild(runtime, "bench/server/_gc_serve.ts", serveArgs(root)), sessions, true);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

/**
 * RSS per idle socket of a plain listener on the runtime's own API (no FTP): the ceiling.
 *
 * @param runtime node, deno or bun.
 * @param sockets How many connections to hold open.
 * @returns KiB figures.
 */
export async function plainSocketMemory(runtime: Runtime, sockets = 500): Promise<IdleMemory> {
  return await idleMemory(await startGcChild(runtime, "bench/server/_plain_listen.ts", []), sockets, false);
}

/** What {@linkcode suiteMemory} measures. */
export interface SuiteMemory {
  /** Idle VmRSS (KiB, after a GC) before the first repetition. */
  readonly startKiB: number;
  /** Idle VmRSS (KiB, after a GC) after each repetition. */
  readonly afterKiB: readonly number[];
  /** Growth from the first repetition to the last, in percent of the first. */
  readonly growthPercent: number;
  /** The JavaScript heap in use (KiB, after the GC) after each repetition. */
  readonly heapKiB: readonly number[];
  /** Client errors over all repetitions (0 expected). */
  readonly errors: number;
}

/**
 * Idle RSS of `anyftp serve` after each repetition of the fixed work mix.
 *
 * @param runtime node, deno or bun.
 * @param reps Repetitions.
 * @param bigMib Size of the large STOR/RETR.
 * @returns KiB figures.
 */
export async function suiteMemory(runtime: Runtime, reps = 3, bigMib = 64): Promise<SuiteMemory> {
  const root = mkdtempSync(join(tmpdir(), "anyftp-mem-"));
  const child = await startGcChild(runtime, "bench/server/_gc_serve.ts", serveArgs(root));
  try {
    const startKiB = await child.rss();
    const afterKiB: number[] = [];
    const heapKiB: number[] = [];
    let errors = 0;
    for (let i = 0; i < reps; i++) {
      const out = await new Promise<string>((ok, fail) => {
        const py = spawn(PY, [CLIENTS, "suite", "127.0.0.1", String(child.port), String(bigMib)], {
          stdio: ["ignore", "pipe", "inherit"],
        });
        let text = "";
        const timer = setTimeout(() => py.kill("SIGKILL"), 600_000);
        py.stdout!.on("data", (d: Uint8Array) => (text += new TextDecoder().decode(d)));
        py.once("exit", (code) => {
          clearTimeout(timer);
          if (code === 0) ok(text);
          else fail(new Error(`suite client exited (${code})`));
        });
      });
      const result = JSON.parse(out.trim().split("\n").pop()!) as { errors: string[] };
      errors += result.errors.length;
      for (const e of result.errors.slice(0, 3)) console.error(`  ${runtime} suite error: ${e}`);
      afterKiB.push(await child.rss());
      heapKiB.push(child.heap().heapUsed / 1024);
    }
    const first = afterKiB[0]!;
    const last = afterKiB[afterKiB.length - 1]!;
    return { startKiB, afterKiB, heapKiB, growthPercent: ((last - first) / first) * 100, errors };
  } finally {
    await child.stop();
    rmSync(root, { recursive: true, force: true });
  }
}

function isMain(): boolean {
  const main = (import.meta as { main?: boolean }).main;
  if (typeof main === "boolean") return main;
  return /session_memory\.(ts|js)$/.test(process.argv[1] ?? "");
}

if (isMain()) {
  const args = process.argv.slice(2);
  const what = new Set(args.filter((a) => ["idle", "plain", "suite"].includes(a)));
  if (what.size === 0) ["idle", "plain", "suite"].forEach((w) => what.add(w));
  const picked = args.filter((a) => ["node", "deno", "bun"].includes(a)) as Runtime[];
  const runtimes: Runtime[] = picked.length > 0 ? picked : ["node", "deno", "bun"];
  const n = Number(process.env.SESSIONS ?? 500);
  const mib = (k: number) => (k / 1024).toFixed(1);
  for (const runtime of runtimes) {
    if (what.has("idle")) {
      const r = await idleSessionMemory(runtime, n);
      console.log(
        `${runtime} anyftp: ${r.perSessionKiB.toFixed(1)} KiB/session (3 × ${n} logged-in idle; RSS ${mib(r.beforeKiB)} → ${r.heldKiB.map(mib).join(" → ")} → ${mib(r.afterKiB)} MiB after close)`,
      );
    }
    if (what.has("plain")) {
      const r = await plainSocketMemory(runtime, n);
      console.log(
        `${runtime} plain:  ${r.perSessionKiB.toFixed(1)} KiB/socket (3 × ${n}; RSS ${mib(r.beforeKiB)} → ${r.heldKiB.map(mib).join(" → ")} → ${mib(r.afterKiB)} MiB after close)`,
      );
    }
    if (what.has("suite")) {
      const r = await suiteMemory(runtime, Number(process.env.REPS ?? 3), Number(process.env.BIG_MIB ?? 64));
      console.log(
        `${runtime} suite:  idle RSS ${mib(r.startKiB)} → ${r.afterKiB.map(mib).join(" → ")} MiB; first→last ${r.growthPercent.toFixed(1)}%; JS heap ${r.heapKiB.map(mib).join(" → ")} MiB; ${r.errors} errors`,
      );
    }
  }
}
