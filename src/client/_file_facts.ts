/**
 * The one-line facts about a file that servers answer on the control connection: SIZE and
 * MDTM. SIZE is asked in binary mode (TYPE I), where it counts the stored bytes.
 *
 * @module
 */

import { parseMlsxTime } from "../protocol/mlsx_parse.ts";
import { FtpError } from "../errors.ts";
import type { ClientSession } from "./_session.ts";

/**
 * Size of a file in bytes (SIZE, after TYPE I when an ASCII transfer left TYPE A set).
 *
 * @param s The session (queue held).
 * @param path The file.
 * @returns The size; rejects with a `StatusCodeError` when the server refuses.
 */
export async function sizeCommand(s: ClientSession, path: string): Promise<number> {
  await s.setType("I");
  const r = await s.execute(`SIZE ${path}`, ["213"]);
  const n = Number((r.lines[0] ?? "").trim());
  if (!Number.isSafeInteger(n) || n < 0) {
    throw new FtpError(`The server's SIZE reply "${r.lines[0]}" is not a size.`);
  }
  return n;
}

/**
 * Modification time of a file (MDTM).
 *
 * @param s The session (queue held).
 * @param path The file.
 * @returns The time (UTC, as RFC 3659 says); rejects with a `StatusCodeError` when the
 * server refuses.
 */
export async function mdtmCommand(s: ClientSession, path: string): Promise<Date> {
  const r = await s.execute(`MDTM ${path}`, ["213"]);
  const d = parseMlsxTime((r.lines[0] ?? "").trim());
  if (!d) throw new FtpError(`The server's MDTM reply "${r.lines[0]}" is not a time.`);
  return d;
}
