/**
 * Shared plumbing for the interop tests, where real third-party clients (curl, lftp, Python's
 * ftplib) drive our server in the test's own runtime: spawning peers with a hard time limit,
 * temp dirs and directory-tree snapshots.
 *
 * @module
 */

import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdtemp, readdir, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join, relative, resolve } from "node:path";
import { sha256File } from "./bytes.ts";
import process from "node:process";
import { concatBytes } from "../../src/streams/bytes.ts";
import { fileURLToPath } from "node:url";

/** Whether we run in CI, where a missing peer binary is a failure, not a skip. */
export const IN_CI: boolean = !!process.env.CI;

/** The Debian Python, which has the standard ftplib (and nothing from pyenv shims). */
export const PYTHON: string = existsSync("/usr/bin/python3") ? "/usr/bin/python3" : "python3";

/**
 * Absolute path of a file in the repository, found from this module's location both in
 * `tests/` (Deno, Bun) and in `dist/tests/` (Node runs the tsc build).
 *
 * @param rel path relative to the repository root, e.g. `tests/fixtures/interop/x.py`
 * @returns the absolute path
 * @example
 * ```ts
 * const script = repoFile("tests/fixtures/interop/ftplib_client.py");
 * ```
 */
export function repoFile(rel: string): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 6; i++) {
    const candidate = join(dir, rel);
    if (existsSync(candidate)) return candidate;
    dir = dirname(dir);
  }
  throw new Error(`repoFile: ${rel} not found above ${fileURLToPath(import.meta.url)}`);
}

/**
 * Decides whether a peer-dependent suite runs. Present → `false` (run). Missing → a skip
 * reason, except in CI where it returns `false` too, so the tests run and fail loudly.
 *
 * @param cmd the executable
 * @param args arguments that make it print its version and exit 0
 * @returns `false` to run, or a skip reason
 * @example
 * ```ts
 * describe("curl", { skip: skipUnless("curl", ["--version"]) }, () => {});
 * ```
 */
export function skipUnless(cmd: string, args: string[]): false | string {
  return toolPresent(cmd, args) || IN_CI ? false : `${cmd} is not installed (the test fails in CI)`;
}

/**
 * Whether an executable runs.
 *
 * @param cmd the executable
 * @param args arguments that make it exit 0 quickly
 * @returns true when it ran and exited 0
 * @example
 * ```ts
 * if (!toolPresent("lftp", ["--version"])) console.log("no lftp");
 * ```
 */
export function toolPresent(cmd: string, args: string[]): boolean {
  try {
    const r = spawnSync(cmd, args, { stdio: "ignore", timeout: 10_000 });
    return r.status === 0;
  } catch {
    return false;
  }
}

/** What {@linkcode runTool} reports. */
export interface ToolResult {
  /** Exit code, or null when killed by a signal. */
  readonly code: number | null;
  /** The signal that ended the process, if any. */
  readonly signal: string | null;
  /** Everything written to stdout. */
  readonly stdout: Uint8Array;
  /** stdout decoded as UTF-8. */
  readonly out: string;
  /** stderr decoded as UTF-8. */
  readonly err: string;
  /** Whether our time limit killed it. */
  readonly timedOut: boolean;
}

/** Options for {@linkcode runTool}. */
export interface RunToolOptions {
  /** Kill the child (SIGKILL) after this long. @default 60_000 */
  readonly timeoutMs?: number;
  /** Working directory. @default the current one */
  readonly cwd?: string;
  /** Extra environment variables. @default none */
  readonly env?: Record<string, string>;
  /** Bytes for stdin, which is then closed. @default stdin closed at once */
  readonly input?: string | Uint8Array;
}

const live = new Set<ChildProcess>();

/**
 * Runs a peer to completion with a hard time limit and collects its output. Never rejects
 * for a non-zero exit (tests assert on `code`); rejects only when it cannot start.
 *
 * @param cmd the executable
 * @param args its arguments
 * @param options time limit, cwd, env, stdin
 * @returns exit status and output
 * @example
 * ```ts
 * const r = await runTool("curl", ["--version"]);
 * console.log(r.code, r.out);
 * ```
 */
export function runTool(cmd: string, args: string[], options: RunToolOptions = {}): Promise<ToolResult> {
  const timeoutMs = options.timeoutMs ?? 60_000;
  return new Promise((resolvePromise, reject) => {
    const child = spawn(cmd, args, {
      cwd: options.cwd,
      env: { ...process.env, LC_ALL: "C.UTF-8", ...options.env },
      stdio: ["pipe", "pipe", "pipe"],
    });
    live.add(child);
    const out: Uint8Array[] = [];
    const err: Uint8Array[] = [];
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill("SIGKILL");
    }, timeoutMs);
    child.stdout!.on("data", (d: Uint8Array) => out.push(d));
    child.stderr!.on("data", (d: Uint8Array) => err.push(d));
    child.on("error", (e) => {
      clearTimeout(timer);
      live.delete(child);
      reject(e);
    });
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      live.delete(child);
      const stdout = concatBytes(out);
      resolvePromise({
        code,
        signal,
        stdout,
        out: new TextDecoder().decode(stdout),
        err: new TextDecoder().decode(concatBytes(err)),
        timedOut,
      });
    });
    child.stdin!.on("error", () => {}); // the peer may exit before reading stdin
    if (options.input !== undefined) child.stdin!.end(options.input);
    else child.stdin!.end();
  });
}

/**
 * Kills every peer {@linkcode runTool} started that is still running (test teardown).
 *
 * @returns nothing
 * @example
 * ```ts
 * after(() => killPeers());
 * ```
 */
export function killPeers(): void {
  for (const child of live) child.kill("SIGKILL");
  live.clear();
}

/**
 * A fresh, unique temp directory.
 *
 * @param label part of its name
 * @returns its absolute path
 * @example
 * ```ts
 * const dir = await tempDir("curl");
 * ```
 */
export function tempDir(label: string): Promise<string> {
  return mkdtemp(join(tmpdir(), `anyftp-interop-${label}-`));
}

/**
 * Removes a directory tree (teardown; never throws).
 *
 * @param dir the directory
 * @returns when done
 * @example
 * ```ts
 * await removeDir(dir);
 * ```
 */
export async function removeDir(dir: string | undefined): Promise<void> {
  if (dir) await rm(dir, { recursive: true, force: true }).catch(() => {});
}

/** One entry of {@linkcode snapshotTree}. */
export interface TreeEntry {
  /** Path relative to the snapshot root, `/`-separated. */
  readonly path: string;
  /** Kind. */
  readonly type: "dir" | "file";
  /** Size for files, 0 for dirs. */
  readonly size: number;
  /** SHA-256 of a file's content, "" for dirs. */
  readonly sha256: string;
}

/**
 * Every file and directory below `root` with sizes and hashes, sorted by path: two trees
 * are equal exactly when their snapshots are deep-equal.
 *
 * @param root the directory
 * @returns the sorted entries
 * @example
 * ```ts
 * assert.deepEqual(await snapshotTree(a), await snapshotTree(b));
 * ```
 */
export async function snapshotTree(root: string): Promise<TreeEntry[]> {
  const entries: TreeEntry[] = [];
  const walk = async (dir: string): Promise<void> => {
    for (const d of await readdir(dir, { withFileTypes: true })) {
      const full = join(dir, d.name);
      const rel = relative(root, full).split("\\").join("/");
      if (d.isDirectory()) {
        entries.push({ path: rel, type: "dir", size: 0, sha256: "" });
        await walk(full);
      } else if (d.isFile()) {
        const s = await stat(full);
        entries.push({ path: rel, type: "file", size: s.size, sha256: await sha256File(full) });
      }
    }
  };
  await walk(resolve(root));
  return entries.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

/** Result of one ftplib scenario (see tests/fixtures/interop/ftplib_client.py). */
export interface FtplibResult {
  /** Each step's value or error, by step name. */
  readonly steps: Record<string, { ok?: any; error?: string }>;
  /** Every command line ftplib sent (PASS censored). */
  readonly commands: string[];
  /** Every reply it read, in order. */
  readonly replies: string[];
  /** A failure that ended the scenario early, or null. */
  readonly fatal: string | null;
  /** The raw process result, for diagnostics. */
  readonly raw: ToolResult;
}

/**
 * Runs one scenario of the ftplib driver against a server and parses its JSON report.
 *
 * @param config host, port, user, password, scenario, pasv, workdir and scenario keys
 * @param options time limit for the child
 * @returns the parsed report
 * @example
 * ```ts
 * const r = await runFtplib({ host: "127.0.0.1", port, user: "u", password: "p", scenario: "basic" });
 * ```
 */
export async function runFtplib(
  config: Record<string, unknown>,
  options: { timeoutMs?: number } = {},
): Promise<FtplibResult> {
  const script = repoFile("tests/fixtures/interop/ftplib_client.py");
  const raw = await runTool(PYTHON, [script, JSON.stringify(config)], {
    timeoutMs: options.timeoutMs ?? 60_000,
  });
  let parsed: Omit<FtplibResult, "raw">;
  try {
    parsed = JSON.parse(raw.out);
  } catch {
    throw new Error(
      `ftplib driver printed no JSON (code ${raw.code}, timedOut ${raw.timedOut}): ${raw.out}\n${raw.err}`,
    );
  }
  return { ...parsed, raw };
}

/**
 * The value of a step that must have succeeded; throws with the step's error otherwise.
 *
 * @param r the scenario result
 * @param name the step
 * @returns the step's value
 * @example
 * ```ts
 * assert.equal(ok(r, "pwd0"), "/");
 * ```
 */
export function ok(r: FtplibResult, name: string): any {
  const s = r.steps[name];
  if (!s) throw new Error(`step ${name} did not run (fatal: ${r.fatal}); replies: ${r.replies.join(" | ")}`);
  if ("error" in s && s.error !== undefined) {
    throw new Error(`step ${name} failed: ${s.error}; commands: ${r.commands.join(" | ")}`);
  }
  return s.ok;
}

/**
 * The error of a step that must have failed (e.g. a refused command); throws if it succeeded.
 *
 * @param r the scenario result
 * @param name the step
 * @returns the error text, `"<Type>: <reply>"`
 * @example
 * ```ts
 * assert.match(failed(r, "port_low"), /error_perm: 5\d\d/);
 * ```
 */
export function failed(r: FtplibResult, name: string): string {
  const s = r.steps[name];
  if (!s) throw new Error(`step ${name} did not run (fatal: ${r.fatal})`);
  if (s.error === undefined) throw new Error(`step ${name} should have failed but gave ${JSON.stringify(s.ok)}`);
  return s.error;
}
