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
  /** The environment variables (for `serve --s3` credentials). @default none */
  env?(): Readonly<Record<string, string | undefined>>;
}
