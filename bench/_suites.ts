/**
 * The measurements of `npm run bench` (bench/run.ts): one function per table cell kind, each
 * run against a started server, bounded in time, checked (a wrong byte count is an error, not
 * a fast result) and returning what it measured. Failures come back as `error` text so that one
 * peer's failure shows in the table instead of ending the run.
 *
 * @module
 */
import { readdirSync, rmSync, statSync } from "node:fs";
import { join } from "node:path";
import {
  type BenchServer,
  holdIdleSessions,
  REPO,
  run,
  type RunResult,
  type Runtime,
  runtimeCommand,
  sleep,
  treePssKiB,
  treeRssKiB,
} from "./server/_bench_lib.ts";

/** Sizes of one bench run. */
export interface Sizes {
  /** The big file, MiB. */
  readonly mib: number;
  /** Small files per tree. */
  readonly files: number;
  /** Bytes per small file. */
  readonly small: number;
  /** Concurrent clients in the burst. */
  readonly clients: number;
  /** Entries of the listed directory. */
  readonly listEntries: number;
  /** Idle sessions held for the per-session memory. */
  readonly idleSessions: number;
}

/** One measurement. */
export interface Measured {
  /** MB/s (10^6 bytes), files/s or seconds, by test. */
  readonly value: number;
  /** Wall seconds. */
  readonly seconds: number;
  /** CPU seconds of the server's process tree meanwhile. */
  readonly serverCpu: number;
  /** CPU seconds of the client process. */
  readonly clientCpu: number;
  /** Busy CPU seconds of other processes meanwhile. */
  readonly otherCpu: number;
  /** Peak RSS of the watched tree, KiB. */
  readonly peakRssKiB: number;
  /** Requests that failed (the burst). */
  readonly failures: number;
  /** Why it failed, when it did. */
  readonly error?: string;
}

const CURL = ["-sS", "--max-time", "300"];

function failed(what: string, r: RunResult | undefined, error: string): Measured {
  return {
    value: NaN,
    seconds: r?.seconds ?? 0,
    serverCpu: r?.watchedCpu ?? 0,
    clientCpu: r?.childCpu ?? 0,
    otherCpu: r?.otherCpu ?? 0,
    peakRssKiB: r?.peakRssKiB ?? 0,
    failures: 1,
    error: `${what}: ${error}`.slice(0, 300),
  };
}

function measured(r: RunResult, value: number, seconds = r.seconds, failures = 0): Measured {
  return {
    value,
    seconds,
    serverCpu: r.watchedCpu,
    clientCpu: r.childCpu,
    otherCpu: r.otherCpu,
    peakRssKiB: r.peakRssKiB,
    failures,
  };
}

function mbps(bytes: number, seconds: number): number {
  return bytes / 1e6 / seconds;
}

/**
 * lftp with the same settings for every server: one control connection, PASV, LIST, no FEAT
 * (so no MLSD/MFMT only some servers offer), no MDTM or SITE UTIME per file, no AUTH TLS.
 */
function lftpArgs(s: BenchServer, command: string): string[] {
  const settings = [
    "set cmd:fail-exit yes",
    "set net:max-retries 1",
    "set net:timeout 30",
    "set ftp:ssl-allow no",
    "set ftp:use-feat no",
    "set ftp:use-mdtm no",
    "set ftp:use-site-utime off",
    "set ftp:use-site-utime2 off",
  ];
  return [
    "-c",
    `${settings.join("; ")}; open -u ${s.user},${s.password} -p ${s.port} 127.0.0.1; ${command}`,
  ];
}

/**
 * RETR of `big.bin` with curl into /dev/null.
 *
 * @param s The server.
 * @param sizes The run's sizes.
 * @returns MB/s.
 */
export async function curlDownload(s: BenchServer, sizes: Sizes): Promise<Measured> {
  const bytes = sizes.mib * 1048576;
  const r = await run("curl", [
    ...CURL,
    "-o",
    "/dev/null",
    "-w",
    "%{size_download} %{time_total}",
    `${s.url}/big.bin`,
  ], { watch: s.pid, keepStdout: true });
  const [got, secs] = r.stdout.split(" ").map(Number);
  if (r.code !== 0 || got !== bytes) return failed("download", r, `${got} bytes, ${r.stderr}`);
  return measured(r, mbps(bytes, secs!), secs!);
}

/**
 * STOR of the big file with curl (`up/big.bin`).
 *
 * @param s The server.
 * @param source The local file.
 * @param sizes The run's sizes.
 * @returns MB/s.
 */
export async function curlUpload(s: BenchServer, source: string, sizes: Sizes): Promise<Measured> {
  const bytes = sizes.mib * 1048576;
  const target = join(s.root, "up", "big.bin");
  rmSync(target, { force: true });
  const r = await run("curl", [
    ...CURL,
    "-T",
    source,
    "-w",
    "%{size_upload} %{time_total}",
    `${s.url}/up/big.bin`,
  ], { watch: s.pid, keepStdout: true });
  const secs = Number(r.stdout.split(" ")[1]);
  let stored = -1;
  try {
    stored = statSync(target).size;
  } catch {
    // reported below
  }
  if (r.code !== 0 || stored !== bytes) return failed("upload", r, `stored ${stored}, ${r.stderr}`);
  return measured(r, mbps(bytes, secs), secs);
}

/**
 * The small files downloaded (`lftp mirror small`) or uploaded (`mirror -R` into `upsmall`)
 * over one control connection and a data connection per file.
 *
 * @param s The server.
 * @param direction Which way.
 * @param local The local tree to upload from, or a scratch directory to download into.
 * @param sizes The run's sizes.
 * @returns Files per second.
 */
export async function lftpSmallFiles(
  s: BenchServer,
  direction: "down" | "up",
  local: string,
  sizes: Sizes,
): Promise<Measured> {
  const dir = direction === "down" ? local : join(s.root, "upsmall");
  rmSync(dir, { recursive: true, force: true });
  const command = direction === "down"
    ? `mirror --no-perms small ${local}`
    : `mirror -R --no-perms ${local} upsmall`;
  const r = await run("lftp", lftpArgs(s, command), { watch: s.pid });
  let got: string[] = [];
  try {
    got = readdirSync(dir).filter((f) => statSync(join(dir, f)).size === sizes.small);
  } catch {
    // reported below
  }
  if (direction === "down") rmSync(dir, { recursive: true, force: true });
  if (r.code !== 0 || got.length !== sizes.files) {
    return failed(`small files ${direction}`, r, `${got.length} files, ${r.stderr}`);
  }
  return measured(r, sizes.files / r.seconds);
}

/**
 * `sizes.clients` concurrent ftplib clients, each connect + login + LIST of `list/` + QUIT.
 *
 * @param s The server.
 * @param sizes The run's sizes.
 * @returns Wall seconds of the burst, with the failed clients counted.
 */
export async function burst(s: BenchServer, sizes: Sizes): Promise<Measured> {
  const r = await run("/usr/bin/python3", [
    join(REPO, "bench/peers/burst.py"),
    "127.0.0.1",
    String(s.port),
    s.user,
    s.password,
    String(sizes.clients),
    "list",
  ], { watch: s.pid, keepStdout: true, timeout: 200 });
  try {
    const { seconds, lines, errors } = JSON.parse(r.stdout.trim().split("\n").at(-1)!);
    const short = sizes.clients - Math.floor(lines / sizes.listEntries);
    const m = measured(r, seconds, seconds, Math.max(errors.length, short));
    return errors.length ? { ...m, error: `burst: ${errors[0]}` } : m;
  } catch {
    return failed("burst", r, r.stderr);
  }
}

/**
 * RSS (Pss for a forking server) the server needs per logged-in idle control connection:
 * `sizes.idleSessions` of them held by one Python process (bench/server/_sessions.py, as in
 * session_memory.ts), memory read after they are all in and a second to settle, minus the
 * memory before. Without a forced collection (the peers offer none): session_memory.ts
 * measures ours after a GC, in steps, beside the plain-runtime ceiling.
 *
 * @param s The server.
 * @param sizes The run's sizes.
 * @param forking The server forks per session (sum Pss over its tree instead of RSS).
 * @returns KiB per session, with the sessions that could not log in as failures.
 */
export async function idleSessionMemory(
  s: BenchServer,
  sizes: Sizes,
  forking: boolean,
): Promise<Measured> {
  const memory = () => forking ? treePssKiB(s.pid) : treeRssKiB(s.pid);
  const before = memory();
  let held;
  try {
    held = await holdIdleSessions(s.port, sizes.idleSessions, { user: s.user, password: s.password });
  } catch (e) {
    return { ...failed("idle sessions", undefined, e instanceof Error ? e.message : String(e)), peakRssKiB: before };
  }
  await sleep(1000);
  const after = memory();
  await held.release();
  return {
    value: (after - before) / sizes.idleSessions,
    seconds: held.seconds,
    serverCpu: 0,
    clientCpu: 0,
    otherCpu: 0,
    peakRssKiB: after,
    failures: 0,
  };
}

/** A client under test in the client table. */
export type ClientKind =
  | "curl"
  | "lftp"
  | `basic-ftp ${Runtime}`
  | `anyftp-api ${Runtime}`
  | `anyftp-get ${Runtime}`;

/**
 * Download `big.bin` from a server into /dev/null, or upload the big file to `up/big.bin`,
 * with one client. Libraries (basic-ftp, anyftp's API) are timed inside their process,
 * connect to QUIT; curl, lftp and the `anyftp` CLI by their process's wall time, start-up
 * included (what a user of the command waits for).
 *
 * @param kind The client.
 * @param direction Which way.
 * @param s The server.
 * @param source The local big file (uploads).
 * @param sizes The run's sizes.
 * @returns MB/s.
 */
export async function clientTransfer(
  kind: ClientKind,
  direction: "down" | "up",
  s: BenchServer,
  source: string,
  sizes: Sizes,
): Promise<Measured> {
  const bytes = sizes.mib * 1048576;
  const target = join(s.root, "up", "big.bin");
  rmSync(target, { force: true });
  const [tool, runtime] = kind.split(" ") as [string, Runtime | undefined];
  let cmd: string;
  let args: string[];
  let timedInside = false;
  if (tool === "curl") {
    cmd = "curl";
    args = direction === "down"
      ? [...CURL, "-o", "/dev/null", `${s.url}/big.bin`]
      : [...CURL, "-T", source, `${s.url}/up/big.bin`];
  } else if (tool === "lftp") {
    cmd = "lftp";
    args = lftpArgs(
      s,
      direction === "down" ? "cat big.bin" : `put ${source} -o up/big.bin`,
    );
  } else if (tool === "anyftp-get") {
    [cmd, args] = runtimeCommand(runtime!, "src/cli/main.ts");
    args = direction === "down"
      ? [...args, "get", `${s.url}${s.root}/big.bin`, "-"]
      : [...args, "put", source, `${s.url}${s.root}/up/big.bin`];
  } else {
    [cmd, args] = runtimeCommand(runtime!, "bench/client/_job.ts");
    const lib = tool === "basic-ftp" ? "basic-ftp" : "anyftp";
    const [remote, local] = direction === "down"
      ? ["big.bin", "/dev/null"]
      : ["up/big.bin", source];
    args = [
      ...args,
      lib,
      direction,
      "127.0.0.1",
      String(s.port),
      s.user,
      s.password,
      remote,
      local,
    ];
    timedInside = true;
  }
  const r = await run(cmd, args, {
    watch: s.pid,
    keepStdout: timedInside,
    stdoutNull: !timedInside,
  });
  if (r.code !== 0) return failed(`${kind} ${direction}`, r, r.stderr);
  if (direction === "up") {
    let stored = -1;
    try {
      stored = statSync(target).size;
    } catch {
      // reported below
    }
    if (stored !== bytes) return failed(`${kind} up`, r, `stored ${stored} bytes`);
  }
  let seconds = r.seconds;
  if (timedInside) {
    try {
      seconds = JSON.parse(r.stdout.trim().split("\n").at(-1)!).seconds;
    } catch {
      return failed(`${kind} ${direction}`, r, `no timing in ${r.stdout.slice(0, 200)}`);
    }
  }
  return measured(r, mbps(bytes, seconds), seconds);
}

/**
 * The physical anchor: the big file over raw TCP on loopback with no FTP (Python,
 * sendfile(2) into a receiver that discards or writes a tmpfs file).
 *
 * @param direction `down`: file → socket → discard; `up`: socket → file.
 * @param source The big file.
 * @param scratch Where the `up` receiver writes.
 * @param sizes The run's sizes.
 * @returns MB/s.
 */
export async function rawTcp(
  direction: "down" | "up",
  source: string,
  scratch: string,
  sizes: Sizes,
): Promise<Measured> {
  const out = join(scratch, "raw-tcp.out");
  const args = direction === "down"
    ? [join(REPO, "bench/peers/raw_tcp.py"), "send", source]
    : [join(REPO, "bench/peers/raw_tcp.py"), "recv", source, out];
  const r = await run("/usr/bin/python3", args, { keepStdout: true });
  rmSync(out, { force: true });
  try {
    const { bytes, seconds } = JSON.parse(r.stdout.trim());
    if (bytes !== sizes.mib * 1048576) return failed("raw tcp", r, `${bytes} bytes`);
    return measured(r, mbps(bytes, seconds), seconds);
  } catch {
    return failed("raw tcp", r, r.stderr);
  }
}
