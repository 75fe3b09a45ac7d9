/**
 * Reading the server's replies: code patterns, the error for an unexpected reply, the kinds of
 * refusal the client reacts to, and the quoted path of a 257.
 *
 * @module
 */

import type { Reply } from "../protocol/reply.ts";
import { StatusCodeError } from "../errors.ts";

/**
 * Whether a reply code matches a pattern such as `"226"`, `"2xx"` or `"25x"`.
 *
 * @param code A three-digit reply code.
 * @param pattern The pattern; `x` matches any digit.
 * @returns `true` on a match.
 */
export function codeMatches(code: string, pattern: string): boolean {
  for (let i = 0; i < 3; i++) {
    const p = pattern[i];
    if (p !== "x" && p !== code[i]) return false;
  }
  return true;
}

/**
 * Whether a reply code matches one of several patterns.
 *
 * @param code A three-digit reply code.
 * @param patterns Patterns as for {@linkcode codeMatches}.
 * @returns `true` when one matches.
 */
export function matchesAny(code: string, patterns: readonly string[]): boolean {
  return patterns.some((p) => codeMatches(code, p));
}

/**
 * The error for a reply that is not one of the expected codes.
 *
 * @param reply The reply received.
 * @param expected What would have been fine.
 * @param command The command as shown (censored), `""` for the greeting.
 * @returns The error to throw.
 */
export function unexpectedReply(
  reply: Reply,
  expected: readonly string[],
  command: string,
): StatusCodeError {
  return new StatusCodeError({ expected, received: reply.code, command, info: reply.lines });
}

/**
 * Whether an error is the server saying it does not implement a command (500, 502): the
 * client remembers that and does not ask again.
 *
 * @param e Any error.
 * @returns `true` for a 500 or 502 reply.
 */
export function isNotImplemented(e: unknown): boolean {
  return e instanceof StatusCodeError && (e.received === "500" || e.received === "502");
}

/**
 * Whether an error is a permanent refusal (any 5xx reply).
 *
 * @param e Any error.
 * @returns `true` for a 5xx reply.
 */
export function isRefusal(e: unknown): boolean {
  return e instanceof StatusCodeError && e.received.startsWith("5");
}

/**
 * Whether an error says that a path does not exist (550, or 450 from servers that think it
 * may appear later).
 *
 * @param e Any error.
 * @returns `true` for a 550 or 450 reply.
 */
export function isNotFound(e: unknown): boolean {
  return e instanceof StatusCodeError && (e.received === "550" || e.received === "450");
}

/**
 * The quoted path of a 257 reply (`257 "/a ""b"" c" is current directory`).
 *
 * @param text The reply text.
 * @returns The path, with doubled quotes undone; the whole text when nothing is quoted.
 */
export function parse257(text: string): string {
  const m = /"((?:[^"]|"")*)"/.exec(text);
  return m ? m[1]!.replaceAll('""', '"') : text.trim();
}
