/**
 * The CLI's only contact with the runtime: arguments, output, signals, exit. It uses
 * `node:process` and friends, which Deno, Bun and Node all provide, so one file serves all
 * three.
 *
 * @module
 */

import process from "node:process";
import { realpathSync } from "node:fs";
import { stat } from "node:fs/promises";
import { Readable, Writable } from "node:stream";
import { fileURLToPath } from "node:url";
import type { CliIO } from "./io.ts";

/**
 * The {@linkcode CliIO} of the running process.
 *
 * @returns The process's arguments, streams and signals.
 *
 * @example
 * ```ts
 * import { processIO } from "./_runtime.ts";
 * processIO().out("hello");
 * ```
 */
export function processIO(): CliIO {
  return {
    args: process.argv.slice(2),
    out: (line) => void process.stdout.write(line + "\n"),
    err: (line) => void process.stderr.write(line + "\n"),
    onSignal(handler) {
      const onInt = () => handler("SIGINT");
      const onTerm = () => handler("SIGTERM");
      process.on("SIGINT", onInt);
      process.on("SIGTERM", onTerm);
      return () => {
        process.off("SIGINT", onInt);
        process.off("SIGTERM", onTerm);
      };
    },
    stdin: () => Readable.toWeb(process.stdin) as unknown as ReadableStream<Uint8Array>,
    stdout: () => Writable.toWeb(process.stdout) as WritableStream<Uint8Array>,
    cwd: () => process.cwd(),
    isDirectory: (path) => stat(path).then((s) => s.isDirectory(), () => false),
    env: () => process.env,
  };
}

/**
 * Exit with `code` once standard output and error are flushed (a pipe may still hold the
 * last log lines).
 *
 * @param code The exit status.
 * @returns Never resolves in practice: the process ends.
 *
 * @example
 * ```ts
 * import { exitAfterFlush } from "./_runtime.ts";
 * await exitAfterFlush(0);
 * ```
 */
export async function exitAfterFlush(code: number): Promise<void> {
  const flush = (s: NodeJS.WriteStream) =>
    new Promise<void>((resolve) => {
      if (!s.write("", () => resolve())) s.once("drain", () => resolve());
    });
  await Promise.race([
    Promise.all([flush(process.stdout), flush(process.stderr)]),
    new Promise((r) => setTimeout(r, 1000)),
  ]);
  process.exit(code);
}

/**
 * Whether the module with this `import.meta` is the program's entry point (not imported as a
 * library): `import.meta.main` on Deno and Bun, the resolved script path on Node (which also
 * sees through the `node_modules/.bin` symlink npx runs).
 *
 * @param meta The module's `import.meta`.
 * @returns `true` when the module was run directly.
 *
 * @example
 * ```ts
 * import { isEntryPoint } from "./_runtime.ts";
 * if (isEntryPoint(import.meta)) console.log("run as a program");
 * ```
 */
export function isEntryPoint(meta: ImportMeta): boolean {
  const main = (meta as { main?: unknown }).main;
  if (typeof main === "boolean") return main;
  const script = process.argv[1];
  if (!script) return false;
  try {
    return realpathSync(script) === realpathSync(fileURLToPath(meta.url));
  } catch {
    return false;
  }
}
