/**
 * The CLI's only contact with the runtime: arguments, output, signals, exit. It uses
 * `node:process` and friends, which Deno, Bun and Node all provide, so one file serves all
 * three.
 *
 * @module
 */

import process from "node:process";
import { realpathSync } from "node:fs";
import { readFile, stat } from "node:fs/promises";
import { Buffer } from "node:buffer";
import { Readable } from "node:stream";
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
  // `anyftp ls URL | head -1`: once the reader is gone, stop quietly instead of dying on
  // an unhandled EPIPE (Node and Bun report it as an "error" event, Deno may throw).
  const brokenPipe = () => void exitAfterFlush(0);
  process.stdout.on("error", (e: NodeJS.ErrnoException) => {
    if (e.code === "EPIPE") brokenPipe();
  });
  const write = (stream: NodeJS.WriteStream, text: string) => {
    try {
      stream.write(text);
    } catch (e) {
      if (stream === process.stdout) brokenPipe();
      throw e;
    }
  };
  return {
    args: process.argv.slice(2),
    out: (line) => write(process.stdout, line + "\n"),
    err: (line) => write(process.stderr, line + "\n"),
    writeErr: (text) => write(process.stderr, text),
    env: process.env,
    errIsTTY: process.stderr.isTTY === true,
    columns: process.stderr.columns || 80,
    readFile: (path) => readFile(path, "utf8").catch(() => undefined),
    ...(process.stdin.isTTY ? { prompt: promptHidden } : {}),
    readStdin: async () => {
      const chunks: Uint8Array[] = [];
      for await (const chunk of process.stdin) chunks.push(chunk as Uint8Array);
      return new TextDecoder().decode(Buffer.concat(chunks));
    },
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
    stdout: () => stdoutStream(),
    cwd: () => process.cwd(),
    isDirectory: (path) => stat(path).then((s) => s.isDirectory(), () => false),
  };
}

/**
 * Standard output as a byte sink with backpressure that never ends the process's stdout
 * (`Writable.toWeb` would, and later log lines would then hang or fail).
 */
function stdoutStream(): WritableStream<Uint8Array> {
  const out = process.stdout;
  return new WritableStream<Uint8Array>({
    write(chunk) {
      return new Promise<void>((resolve, reject) => {
        // The callback may run before write() returns (Bun), or after "drain" (Node).
        let written = false;
        let drained = true;
        const settle = () => written && drained && resolve();
        const ok = out.write(chunk, (e) => {
          if (e) return reject(e);
          written = true;
          settle();
        });
        if (!ok) {
          drained = false;
          out.once("drain", () => {
            drained = true;
            settle();
          });
        }
      });
    },
  });
}

/** Read a line from the terminal without echoing it. */
function promptHidden(question: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const stdin = process.stdin;
    process.stderr.write(question);
    stdin.setRawMode?.(true);
    stdin.resume();
    let answer = "";
    const done = (error?: Error) => {
      stdin.off("data", onData);
      stdin.setRawMode?.(false);
      stdin.pause();
      process.stderr.write("\n");
      if (error) reject(error);
      else resolve(answer);
    };
    const onData = (data: Buffer) => {
      for (const ch of data.toString("utf8")) {
        if (ch === "\r" || ch === "\n" || ch === "\x04") return done();
        if (ch === "\x03") return done(Object.assign(new Error("Interrupted."), { name: "AbortError" }));
        if (ch === "\x7f" || ch === "\b") answer = answer.slice(0, -1);
        else answer += ch;
      }
    };
    stdin.on("data", onData);
  });
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
export function exitAfterFlush(code: number): Promise<void> {
  exiting ??= flushAndExit(code);
  return exiting;
}

let exiting: Promise<void> | undefined;

async function flushAndExit(code: number): Promise<void> {
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

/**
 * The running runtime.
 *
 * @returns `"deno"`, `"bun"` or `"node"`.
 *
 * @example
 * ```ts
 * import { runtimeName } from "./_runtime.ts";
 * console.log(runtimeName());
 * ```
 */
export function runtimeName(): "deno" | "bun" | "node" {
  return "Deno" in globalThis ? "deno" : "Bun" in globalThis ? "bun" : "node";
}
