/**
 * Running the `anyftp` CLI as a subprocess of the runtime running the tests (deno run,
 * bun, node dist/), for the cli_* test files: a long-running `serve`, one-shot client
 * commands (async, so the test's own servers keep answering), temp dirs, peers.
 */

import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import process from "node:process";
import { fileURLToPath } from "node:url";

import { IN_CI } from "./tools.ts";

export { IN_CI };
export const runtime = "Deno" in globalThis ? "deno" : "Bun" in globalThis ? "bun" : "node";

function repoRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 5; i++) {
    const pkg = join(dir, "package.json");
    if (existsSync(pkg) && JSON.parse(readFileSync(pkg, "utf8")).name === "anyftp") return dir;
    dir = dirname(dir);
  }
  throw new Error("repository root not found");
}
export const ROOT = repoRoot();

/** Whether a command runs; under CI a missing one is an error rather than a skip. */
export function peer(cmd: string, args: string[] = ["--version"]): false | string {
  let ok = false;
  try {
    ok = spawnSync(cmd, args, { stdio: "ignore", timeout: 10_000 }).status === 0;
  } catch {
    ok = false;
  }
  if (ok) return false;
  if (IN_CI) throw new Error(`${cmd} is not installed (CI requires it)`);
  return `${cmd} is not installed (fails in CI)`;
}

/** The command line that runs the CLI on this runtime. */
export function cliCommand(): [string, string[]] {
  if (runtime === "deno") return [process.execPath, ["run", "-A", join(ROOT, "src/cli/main.ts")]];
  if (runtime === "bun") return [process.execPath, [join(ROOT, "src/cli/main.ts")]];
  const built = join(ROOT, "dist/src/cli/main.js");
  if (!existsSync(built)) throw new Error(`${built} is missing: build with tsc first`);
  return [process.execPath, [built]];
}

/** The CLI as one shell-quoted string (for `script -qc` and pipelines). */
export function cliShell(): string {
  const [cmd, args] = cliCommand();
  return [cmd, ...args].map(shellQuote).join(" ");
}

export function shellQuote(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

const temps: string[] = [];
const children: ChildProcess[] = [];

/** A temporary directory, removed by {@linkcode cleanup}. */
export function temp(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  temps.push(dir);
  return dir;
}

/** Kill what is left and remove temp dirs (call from `after`). */
export function cleanup(): void {
  for (const p of children) {
    if (p.exitCode === null && p.signalCode === null) {
      try {
        process.kill(-p.pid!, "SIGKILL");
      } catch {
        // gone already
      }
    }
  }
  for (const t of temps) rmSync(t, { recursive: true, force: true });
}

export interface Result {
  status: number | null;
  stdout: string;
  stderr: string;
}

/**
 * Run a command to its end (bounded by `timeout`), without blocking the event loop.
 */
export function run(
  cmd: string,
  args: string[],
  options: { input?: string; env?: Record<string, string>; cwd?: string; timeout?: number } = {},
): Promise<Result> {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, {
      cwd: options.cwd ?? ROOT,
      env: { ...process.env, ...options.env },
      stdio: ["pipe", "pipe", "pipe"],
      detached: true,
    });
    children.push(child);
    let stdout = "";
    let stderr = "";
    child.stdout!.on("data", (d) => (stdout += d));
    child.stderr!.on("data", (d) => (stderr += d));
    child.stdin!.on("error", () => {});
    child.stdin!.end(options.input ?? "");
    const timer = setTimeout(() => {
      stderr += `\n[killed after ${options.timeout ?? 60_000} ms]`;
      try {
        process.kill(-child.pid!, "SIGKILL");
      } catch {
        // gone
      }
    }, options.timeout ?? 60_000);
    child.on("close", (status) => {
      clearTimeout(timer);
      resolve({ status, stdout, stderr });
    });
  });
}

/** Run the CLI with these arguments. */
export function cli(
  args: string[],
  options: { input?: string; env?: Record<string, string>; cwd?: string; timeout?: number } = {},
): Promise<Result> {
  const [cmd, pre] = cliCommand();
  return run(cmd, [...pre, ...args], options);
}

export interface Served {
  port: number;
  url: string;
  output: () => string;
  stdout: () => string;
  stderr: () => string;
  stop: (signal?: NodeJS.Signals) => Promise<number | null>;
}

/** Start `anyftp serve ARGS` and wait until it printed its port (text or JSON log). */
export async function serve(args: string[], options: { env?: Record<string, string> } = {}): Promise<Served> {
  const [cmd, pre] = cliCommand();
  const proc = spawn(cmd, [...pre, "serve", ...args], {
    cwd: ROOT,
    detached: true,
    stdio: ["ignore", "pipe", "pipe"],
    env: { ...process.env, ...options.env },
  });
  children.push(proc);
  let out = "";
  let err = "";
  const exited = new Promise<number | null>((resolve) => proc.on("exit", (code) => resolve(code)));
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no URL printed within 60 s:\n${out}${err}`)), 60_000);
    const check = () => {
      const m = /ftp:\/\/127\.0\.0\.1:(\d+)\//.exec(out + err);
      if (m) {
        clearTimeout(timer);
        resolve(Number(m[1]));
      }
    };
    proc.stdout!.on("data", (d) => {
      out += d;
      check();
    });
    proc.stderr!.on("data", (d) => {
      err += d;
      check();
    });
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`serve exited with ${code} before listening:\n${out}${err}`));
    });
  });
  return {
    port,
    url: `ftp://127.0.0.1:${port}`,
    output: () => out + err,
    stdout: () => out,
    stderr: () => err,
    async stop(signal = "SIGINT") {
      if (proc.exitCode !== null) return proc.exitCode;
      process.kill(-proc.pid!, signal);
      let timer: ReturnType<typeof setTimeout> | undefined;
      const code = await Promise.race([
        exited,
        new Promise<null>((resolve) => {
          timer = setTimeout(() => {
            process.kill(-proc.pid!, "SIGKILL");
            resolve(null);
          }, 20_000);
        }),
      ]);
      clearTimeout(timer);
      return code;
    },
  };
}

/** Wait (bounded) until `re` shows up in `text()`. */
export async function waitForOutput(text: () => string, re: RegExp, ms = 20_000): Promise<void> {
  for (let waited = 0; !re.test(text()); waited += 50) {
    if (waited > ms) throw new Error(`no ${re} within ${ms} ms in:\n${text()}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** The test-only self-signed certificate (CN=localhost, SAN IP:127.0.0.1). */
export const TLS_CERT = join(ROOT, "tests/fixtures/tls/cert.pem");
/** Its private key. */
export const TLS_KEY = join(ROOT, "tests/fixtures/tls/key.pem");
