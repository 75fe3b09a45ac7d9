#!/usr/bin/env node
/**
 * The `anyftp` command: `serve` a directory (and `passwd` for its users file), or
 * `get`/`put`/`ls`/`cat`/`rm`/`mkdir`/`mv`/`mirror` on an FTP URL. Runs as `npx anyftp` (Node),
 * `bunx --bun anyftp` (Bun; plain `bunx` follows the node shebang) or
 * `deno run -A src/cli/main.ts`; importing this module runs nothing (use {@linkcode runCli}).
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

import { exitAfterFlush, isEntryPoint, processIO, runtimeName } from "./_runtime.ts";
import { CLIENT_COMMANDS, type ClientCommandName, runClientCommand } from "./client_commands.ts";
import { EXIT_CODE_HELP } from "./exit_codes.ts";
import { runPasswd } from "./passwd.ts";
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
  anyftp passwd                  print a password hash for a users file
  anyftp get URL [FILE|DIR|-]    download (see anyftp get --help for all client commands)
  anyftp put FILE|DIR|- URL      upload
  anyftp ls URL                  list a directory
  anyftp cat URL                 print a remote file
  anyftp rm [-r] URL             remove a file or a tree
  anyftp mkdir [-p] URL          create a directory
  anyftp mv URL NEWPATH          rename or move
  anyftp mirror URL DIR | DIR URL   copy what changed, either way
  anyftp --help | --version

Examples:
  anyftp serve ./public --port 2121
  anyftp serve --memory --write --user alice:secret --port 0
  anyftp get ftp://127.0.0.1:2121/file.txt
  anyftp put -u alice ./site ftp://127.0.0.1:2121/www/
  anyftp mirror --delete ftp://127.0.0.1:2121/pub ./pub

${EXIT_CODE_HELP}`;

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
    case "passwd":
      return await runPasswd(rest, io);
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
      if ((CLIENT_COMMANDS as readonly string[]).includes(command)) {
        return await runClientCommand(command as ClientCommandName, rest, io, { runtime: runtimeName() });
      }
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
    // One line, not a stack trace (ANYFTP_DEBUG=1 shows it).
    const interrupted = (e as { name?: string })?.name === "AbortError";
    const detail = io.env?.ANYFTP_DEBUG && e instanceof Error ? e.stack : undefined;
    io.err(
      interrupted
        ? "anyftp: interrupted"
        : `anyftp: unexpected error: ${e instanceof Error ? e.message : String(e)}${
          detail ? "\n" + detail : " (ANYFTP_DEBUG=1 shows where; please report it)"
        }`,
    );
    status = interrupted ? 130 : 1;
  }
  await exitAfterFlush(status);
}
