/**
 * The local file system as the client commands see it (`node:fs`, which Deno, Bun and Node
 * all provide): stat, tree walks for `mirror`, mtimes, removal, reads from an offset for
 * `put --continue`. Failures become {@linkcode LocalFileError}s naming the path the user
 * typed.
 *
 * @module
 */

import { createReadStream } from "node:fs";
import { lstat, mkdir, readdir, rm, stat, utimes } from "node:fs/promises";
import { join } from "node:path";
import { Readable } from "node:stream";
import { localError } from "./exit_codes.ts";

/**
 * What the CLI needs to know about a local or remote tree entry.
 *
 * @example
 * ```ts
 * import type { TreeEntry } from "./_local_fs.ts";
 * const e: TreeEntry = { type: "file", size: 5, mtime: new Date() };
 * ```
 */
export interface TreeEntry {
  /** File or directory (other kinds are left out of trees). */
  readonly type: "file" | "dir";
  /** Size in bytes (0 for directories). */
  readonly size: number;
  /** Modification time, when known. */
  readonly mtime?: Date;
}

/**
 * Stat a local path, following symlinks.
 *
 * @param path The path.
 * @returns Its entry, `undefined` when it does not exist.
 *
 * @example
 * ```ts
 * import { localStat } from "./_local_fs.ts";
 * console.log((await localStat("/tmp"))?.type); // "dir"
 * ```
 */
export async function localStat(path: string): Promise<TreeEntry | undefined> {
  try {
    const s = await stat(path);
    return { type: s.isDirectory() ? "dir" : "file", size: s.size, mtime: s.mtime };
  } catch (e) {
    if ((e as { code?: string }).code === "ENOENT" || (e as { code?: string }).code === "ENOTDIR") {
      return undefined;
    }
    throw localError(e, "Cannot read", path);
  }
}

/** Most directory levels a tree walk descends. */
const MAX_DEPTH = 64;

/**
 * Every file and directory below `root` (not following symlinks), by path relative to it
 * (`a/b.txt`).
 *
 * @param root The local directory.
 * @returns The entries.
 *
 * @example
 * ```ts
 * import { walkLocal } from "./_local_fs.ts";
 * for (const [rel, e] of await walkLocal("./site")) console.log(rel, e.type, e.size);
 * ```
 */
export async function walkLocal(root: string): Promise<Map<string, TreeEntry>> {
  const out = new Map<string, TreeEntry>();
  const visit = async (rel: string, depth: number): Promise<void> => {
    if (depth > MAX_DEPTH) throw localError(new Error("too deep"), "Directory tree too deep at", join(root, rel));
    let names;
    try {
      names = await readdir(join(root, rel), { withFileTypes: true });
    } catch (e) {
      throw localError(e, "Cannot list", join(root, rel));
    }
    for (const d of names.sort((a, b) => (a.name < b.name ? -1 : 1))) {
      const child = rel === "" ? d.name : `${rel}/${d.name}`;
      const s = await lstat(join(root, child)).catch((e) => {
        throw localError(e, "Cannot read", join(root, child));
      });
      if (s.isDirectory()) {
        out.set(child, { type: "dir", size: 0, mtime: s.mtime });
        await visit(child, depth + 1);
      } else if (s.isFile()) {
        out.set(child, { type: "file", size: s.size, mtime: s.mtime });
      }
    }
  };
  await visit("", 0);
  return out;
}

/**
 * Set a local file's modification (and access) time.
 *
 * @param path The file.
 * @param mtime The time.
 *
 * @example
 * ```ts
 * import { setLocalMtime } from "./_local_fs.ts";
 * await setLocalMtime("./a.txt", new Date("2024-01-01T00:00:00Z"));
 * ```
 */
export async function setLocalMtime(path: string, mtime: Date): Promise<void> {
  await utimes(path, mtime, mtime).catch((e) => {
    throw localError(e, "Cannot set the time of", path);
  });
}

/**
 * Remove a local file or directory tree.
 *
 * @param path The path.
 *
 * @example
 * ```ts
 * import { removeLocal } from "./_local_fs.ts";
 * await removeLocal("./old-tree");
 * ```
 */
export async function removeLocal(path: string): Promise<void> {
  await rm(path, { recursive: true, force: true }).catch((e) => {
    throw localError(e, "Cannot remove", path);
  });
}

/**
 * Create a local directory (and, with `parents`, missing parents).
 *
 * @param path The directory.
 * @param parents Create parents too.
 *
 * @example
 * ```ts
 * import { makeLocalDir } from "./_local_fs.ts";
 * await makeLocalDir("./out/a/b", true);
 * ```
 */
export async function makeLocalDir(path: string, parents: boolean): Promise<void> {
  await mkdir(path, { recursive: parents }).catch((e) => {
    if ((e as { code?: string }).code === "EEXIST") return;
    throw localError(e, "Cannot create directory", path);
  });
}

/**
 * A local file's bytes from `offset` as a stream.
 *
 * @param path The file.
 * @param offset Where to start.
 * @returns The stream.
 *
 * @example
 * ```ts
 * import { readLocalFrom } from "./_local_fs.ts";
 * for await (const chunk of readLocalFrom("./big.iso", 1024)) console.log(chunk.byteLength);
 * ```
 */
export function readLocalFrom(path: string, offset: number): ReadableStream<Uint8Array> {
  const stream = createReadStream(path, { start: offset, highWaterMark: 1 << 20 });
  return Readable.toWeb(stream) as unknown as ReadableStream<Uint8Array>;
}
