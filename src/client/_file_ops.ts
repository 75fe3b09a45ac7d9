/**
 * Operations on remote files and directories that take more than one command: creating a
 * directory with its parents, removing a tree, reading sizes and times. All run with the
 * queue held.
 *
 * @module
 */

import { FtpError } from "../errors.ts";
import { mdtmCommand, sizeCommand } from "./_file_facts.ts";
import { listDir, mlst, stat, statIfExists } from "./_listing.ts";
import { isNotImplemented, isRefusal } from "./_replies.ts";
import { isSafeEntryName, MAX_TREE_DEPTH, remotePrefixes } from "./_remote_path.ts";
import type { ClientSession } from "./_session.ts";
import type { RemoteEntry } from "./options.ts";

/**
 * Create a directory (MKD). With `parents`, create the missing parents too and accept a
 * directory that exists already.
 *
 * @param s The session.
 * @param path The directory.
 * @param parents Whether to create parents.
 * @returns Nothing.
 */
export async function makeDirectory(s: ClientSession, path: string, parents: boolean): Promise<void> {
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
export async function deleteFile(s: ClientSession, path: string): Promise<void> {
  await s.execute(`DELE ${path}`, ["250", "200"]);
}

/**
 * Remove an empty directory (RMD).
 *
 * @param s The session.
 * @param path The directory.
 * @returns Nothing.
 */
export async function removeDirectory(s: ClientSession, path: string): Promise<void> {
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
export async function removePath(s: ClientSession, path: string): Promise<void> {
  const entry = await stat(s, path);
  if (entry.type === "dir") await removeTree(s, path, 0);
  else await deleteFile(s, path);
}

async function removeTree(s: ClientSession, path: string, depth: number): Promise<void> {
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
export async function renamePath(s: ClientSession, from: string, to: string): Promise<void> {
  await s.execute(`RNFR ${from}`, ["350"]);
  await s.execute(`RNTO ${to}`, ["250", "200"]);
}

/**
 * Size of a file in bytes: SIZE, or the `size` fact of MLST when the server lacks SIZE
 * (aioftp's server).
 *
 * @param s The session.
 * @param path The file.
 * @returns The size.
 */
export function fileSize(s: ClientSession, path: string): Promise<number> {
  return withMlstFallback(s, path, "SIZE", sizeCommand, (e) => e.type === "file" ? e.size : undefined);
}

/**
 * Modification time of a file: MDTM, or the `modify` fact of MLST when the server lacks
 * MDTM.
 *
 * @param s The session.
 * @param path The file.
 * @returns The time (UTC, as RFC 3659 says).
 */
export function modificationTime(s: ClientSession, path: string): Promise<Date> {
  return withMlstFallback(s, path, "MDTM", mdtmCommand, (e) => e.modified);
}

/**
 * Ask with `command`; when the server lacks it (500/502, remembered), pick the answer from
 * MLST, and when that has none either, report the server's refusal.
 */
async function withMlstFallback<T>(
  s: ClientSession,
  path: string,
  command: string,
  ask: (s: ClientSession, path: string) => Promise<T>,
  pick: (entry: RemoteEntry) => T | undefined,
): Promise<T> {
  let refusal: unknown;
  if (!s.unsupported.has(command)) {
    try {
      return await ask(s, path);
    } catch (e) {
      if (!isNotImplemented(e)) throw e;
      s.unsupported.add(command);
      refusal = e;
    }
  }
  const entry = await mlst(s, path);
  const value = entry && pick(entry);
  if (value !== undefined) return value;
  if (refusal) throw refusal;
  return await ask(s, path); // The server's own refusal.
}
