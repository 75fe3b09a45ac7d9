/**
 * How replies name paths, and the 550 replies every file command shares.
 *
 * Two spellings, each with its own job: `quotePath` is RFC 959's (appendix II) quoting for
 * 257 replies, which clients parse; `showPath` is for messages, JSON-escaped so that control
 * characters in a client-chosen name never reach the client (or a log) raw.
 *
 * @module
 */

import { unsafeNameReason } from "../protocol/name_check.ts";

/** Shape of what these helpers need: a session's reply function. */
interface Replier {
  reply(code: string, text: string | readonly string[]): Promise<void>;
}

/**
 * A path inside a 257 reply: wrapped in quotes, inner quotes doubled (RFC 959 appendix II).
 *
 * @param path A virtual path.
 * @returns The quoted path.
 */
export function quotePath(path: string): string {
  return `"${path.replaceAll('"', '""')}"`;
}

/**
 * A path inside a message: in double quotes, with quotes, backslashes and control
 * characters escaped.
 *
 * @param path A virtual path.
 * @returns The path as shown.
 */
export function showPath(path: string): string {
  return JSON.stringify(path);
}

/** 550: the user's permissions do not allow this on `path`. */
export function replyDenied(s: Replier, path: string): Promise<void> {
  return s.reply("550", `${showPath(path)}: Permission denied.`);
}

/** 550: nothing at `path`. */
export function replyNotFound(s: Replier, path: string): Promise<void> {
  return s.reply("550", `${showPath(path)}: No such file or directory.`);
}

/** 550: `path` exists but is not what the command works on (`what` says what it is not). */
export function replyWrongType(s: Replier, path: string, what: string): Promise<void> {
  return s.reply("550", `${showPath(path)}: ${what}`);
}

/**
 * 553 when a name to be created (MKD, STOR, APPE, STOU, RNTO) holds control characters or
 * invalid UTF-8; the caller stops when this returns true.
 *
 * @param s The session.
 * @param arg The client's argument.
 * @returns Whether the name was refused (and the 553 sent).
 */
export async function refuseUnsafeName(s: Replier, arg: string): Promise<boolean> {
  const why = unsafeNameReason(arg);
  if (why === undefined) return false;
  await s.reply("553", `File name not allowed: ${why}.`);
  return true;
}
