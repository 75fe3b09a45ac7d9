/**
 * Operations on remote files and directories that take more than one command: creating a
 * directory with its parents, removing a tree, reading sizes and times. All run with the
 * queue held.
 *
 * @module
 */

import { parseMlsxTime } from "../protocol/mlsx_parse.ts";
import { FtpError } from "../errors.ts";
import { listDir, stat, statIfExists } from "./_listing.ts";
import { isRefusal } from "./_replies.ts";
import { isSafeEntryName, MAX_TREE_DEPTH, remotePrefixes } from "./_remote_path.ts";
import type { Session } from "./_session.ts";

/**
 * Create a directory (MKD). With `parents`, create the missing parents too and accept a
 * directory that exists already.
 *
 * @param s The session.
 * @param path The directory.
 * @param parents Whether to create parents.
 * @returns Nothing.
 */
export async function makeDirectory(s: Session, path: string, parents: boolean): Promise<void> {
  try {
    await s.execute(`MKD ${path}`, ["257", "250"]);
    return;
  } catch (e) {
    if (!parents || !isRefusal(e)) throw e;
  }
  for (const prefix of remotePrefixes(path)) {
    try {
      await s.execute(`MKD ${prefix}`, ["257", "250"]);
    } catch (e) {
      if (!isRefusal(e)) throw e;
      if ((await statIfExists(s, prefix))?.type !== "dir") throw e;
    }
  }
}

/**
 * Remove a file (DELE).
 *
 * @param s The session.
 * @param path The file.
 * @returns Nothing.
 */
export async function deleteFile(s: Session, path: string): Promise<void> {
  await s.execute(`DELE ${path}`, ["250", "200"]);
}

/**
 * Remove an empty directory (RMD).
 *
 * @param s The session.
 * @param path The directory.
 * @returns Nothing.
 */
export async function removeDirectory(s: Session, path: string): Promise<void> {
  await s.execute(`RMD ${path}`, ["250", "200"]);
}

/**
 * Remove a file, or a directory with everything in it. Listed names that could point
 * elsewhere (`..`, slashes) are left alone, so the final RMD then fails rather than deleting
 * outside the tree.
 *
 * @param s The session.
 * @param path The file or directory.
 * @returns Nothing.
 */
export async function removePath(s: Session, path: string): Promise<void> {
  const entry = await stat(s, path);
  if (entry.type === "dir") await removeTree(s, path, 0);
  else await deleteFile(s, path);
}

async function removeTree(s: Session, path: string, depth: number): Promise<void> {
  if (depth > MAX_TREE_DEPTH) {
    throw new FtpError(
      `Directory tree under "${path}" is deeper than ${MAX_TREE_DEPTH} levels: not removed.`,
    );
  }
  for (const entry of await listDir(s, path)) {
    if (!isSafeEntryName(entry.name)) continue;
    if (entry.type === "dir") await removeTree(s, entry.path, depth + 1);
    else await deleteFile(s, entry.path);
  }
  await removeDirectory(s, path);
}

/**
 * Rename or move (RNFR, RNTO).
 *
 * @param s The session.
 * @param from The existing path.
 * @param to The new path.
 * @returns Nothing.
 */
export async function renamePath(s: Session, from: string, to: string): Promise<void> {
  await s.execute(`RNFR ${from}`, ["350"]);
  await s.execute(`RNTO ${to}`, ["250", "200"]);
}

/**
 * Size of a file in bytes (SIZE).
 *
 * @param s The session.
 * @param path The file.
 * @returns The size.
 */
export async function fileSize(s: Session, path: string): Promise<number> {
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
 * @param s The session.
 * @param path The file.
 * @returns The time (UTC, as RFC 3659 says).
 */
export async function modificationTime(s: Session, path: string): Promise<Date> {
  const r = await s.execute(`MDTM ${path}`, ["213"]);
  const d = parseMlsxTime((r.lines[0] ?? "").trim());
  if (!d) throw new FtpError(`The server's MDTM reply "${r.lines[0]}" is not a time.`);
  return d;
}
