#!/usr/bin/env node
/**
 * The `anyftp` command: `serve` a directory, or `get`/`put`/`ls` on an FTP URL. Runs as
 * `npx anyftp`, `bunx anyftp` or `deno run -A src/cli/main.ts`; importing this module runs
 * nothing (use {@linkcode runCli}).
 *
 * @example
 * ```ts
 * import { runCli } from "anyftp/cli";
 * const lines: string[] = [];
 * const status = await runCli({
 *   args: ["--version"],
 *   out: (l) => void lines.push(l),
 *   err: (l) => void lines.push(l),
 *   onSignal: () => () => {},
 *   stdin: () => new ReadableStream(),
 *   stdout: () => new WritableStream(),
 *   cwd: () => "/",
 *   isDirectory: () => Promise.resolve(true),
 * });
 * console.log(status, lines); // 0 ["anyftp 0.1.0"]
 * ```
 *
 * @module
 */

import { exitAfterFlush, isEntryPoint, processIO } from "./_runtime.ts";
import { runClientCommand } from "./client_commands.ts";
import type { CliIO } from "./io.ts";
import { runServe } from "./serve.ts";

export type { CliIO } from "./io.ts";

/**
 * The version printed by `anyftp --version` (kept equal to package.json by a test).
 *
 * @example
 * ```ts
 * import { VERSION } from "anyftp/cli";
 * console.log(VERSION); // "0.1.0"
 * ```
 */
export const VERSION = "0.1.0";

/**
 * Top-level usage text.
 *
 * @example
 * ```ts
 * import { USAGE } from "anyftp/cli";
 * console.log(USAGE);
 * ```
 */
export const USAGE = `anyftp ${VERSION}: FTP server and client for Deno, Bun and Node

Usage:
  anyftp serve [DIR] [options]   serve DIR over FTP (see anyftp serve --help)
  anyftp get URL [FILE|DIR|-]    download
  anyftp put FILE|- URL          upload
  anyftp ls URL                  list a directory
  anyftp --help | --version

Examples:
  anyftp serve ./public --port 2121
  anyftp serve --memory --write --user alice:secret --port 0
  anyftp get ftp://127.0.0.1:2121/file.txt
  anyftp put ./site ftp://alice:secret@127.0.0.1:2121/www/`;

/**
 * Run the CLI with the given process view.
 *
 * @param io Arguments, output, signals (see {@linkcode CliIO}).
 * @returns The exit status.
 *
 * @example
 * ```ts
 * import { runCli } from "anyftp/cli";
 * import { processIO } from "./_runtime.ts";
 * const status = await runCli({ ...processIO(), args: ["ls", "ftp://127.0.0.1:2121/"] });
 * ```
 */
export async function runCli(io: CliIO): Promise<number> {
  const [command, ...rest] = io.args;
  switch (command) {
    case "serve":
      return await runServe(rest, io);
    case "get":
    case "put":
    case "ls":
      return await runClientCommand(command, rest, io);
    case "--version":
    case "-V":
      io.out(`anyftp ${VERSION}`);
      return 0;
    case undefined:
    case "help":
    case "--help":
    case "-h":
      io.out(USAGE);
      return 0;
    default:
      io.err(`anyftp: unknown command "${command}"`);
      io.err("Try 'anyftp --help'.");
      return 2;
  }
}

if (isEntryPoint(import.meta)) {
  const io = processIO();
  let status: number;
  try {
    status = await runCli(io);
  } catch (e) {
    io.err(`anyftp: ${e instanceof Error ? e.stack ?? e.message : String(e)}`);
    status = 1;
  }
  await exitAfterFlush(status);
}
