/**
 * What the `anyftp` CLI needs from its environment, as an interface, so the commands stay pure
 * and testable; `_runtime.ts` implements it for Deno, Bun and Node.
 *
 * @module
 */

/**
 * The CLI's view of the process.
 *
 * @example
 * ```ts
 * import type { CliIO } from "./io.ts";
 * const lines: string[] = [];
 * const io: Partial<CliIO> = { out: (l) => void lines.push(l), err: (l) => void lines.push(l) };
 * ```
 */
export interface CliIO {
  /** The arguments after the program name. */
  readonly args: readonly string[];
  /** Print a line on standard output. */
  out(line: string): void;
  /** Print a line on standard error. */
  err(line: string): void;
  /**
   * Call `handler` on SIGINT or SIGTERM (Ctrl-C, `kill`) instead of dying.
   *
   * @returns A function that removes the handler.
   */
  onSignal(handler: (signal: "SIGINT" | "SIGTERM") => void): () => void;
  /** Standard input as bytes (for `put - URL`). */
  stdin(): ReadableStream<Uint8Array>;
  /** Standard output as bytes (for `get URL -`). */
  stdout(): WritableStream<Uint8Array>;
  /** The working directory. */
  cwd(): string;
  /** Whether a local path is an existing directory. */
  isDirectory(path: string): Promise<boolean>;
  /** Environment variables (options and credentials from the environment). @default {} */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** Whether standard error is a terminal (progress bars are drawn only then). @default false */
  readonly errIsTTY?: boolean;
  /** Width of the terminal on standard error. @default 80 */
  readonly columns?: number;
  /** Write raw text (no newline) on standard error, for the progress bar. @default none */
  writeErr?(text: string): void;
  /** Read a small text file (a `.netrc`, a certificate, a users file); `undefined` when missing. @default none */
  readFile?(path: string): Promise<string | undefined>;
  /** Ask for a password without echoing it; absent when standard input is not a terminal. @default none */
  prompt?(question: string): Promise<string>;
  /** Read all of standard input as text (for `anyftp passwd` in scripts). @default none */
  readStdin?(): Promise<string>;
}
