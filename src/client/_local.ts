/**
 * Local paths for uploads and downloads, reached through a PathIO rooted at the directory
 * concerned: a directory download writes through a storage rooted at its target, so no name
 * a server lists can land outside it.
 *
 * @module
 */

import type { PathIO } from "../fs/path_io.ts";
import { PathIOError } from "../errors.ts";

/** Makes a storage rooted at a local directory. */
export type LocalFsFactory = (root: string) => PathIO | Promise<PathIO>;

/**
 * The default factory: the real file system through `LocalPathIO`, loaded on first use so the
 * client's module graph stays free of `node:` imports until a local file is touched.
 *
 * @param root The local directory.
 * @returns A storage rooted there.
 */
export async function defaultLocalFs(root: string): Promise<PathIO> {
  const { LocalPathIO } = await import("../fs/local_path_io.ts");
  return new LocalPathIO({ root });
}

/**
 * Split a local path into parent and name (POSIX and Windows separators).
 *
 * @param path A local path.
 * @returns The parent (`.` for a bare name, the root for a top-level entry) and the name.
 */
export function splitLocal(path: string): { parent: string; name: string } {
  const trimmed = path.length > 1 ? path.replace(/[\\/]+$/, "") : path;
  const i = Math.max(trimmed.lastIndexOf("/"), trimmed.lastIndexOf("\\"));
  if (i < 0) return { parent: ".", name: trimmed };
  const parent = i === 0
    ? trimmed.slice(0, 1)
    : /^[A-Za-z]:$/.test(trimmed.slice(0, i))
    ? trimmed.slice(0, i + 1)
    : trimmed.slice(0, i);
  return { parent, name: trimmed.slice(i + 1) };
}

/**
 * Join a local directory and a name.
 *
 * @param dir The directory.
 * @param name The name.
 * @returns The joined path.
 */
export function joinLocal(dir: string, name: string): string {
  return /[\\/]$/.test(dir) ? dir + name : `${dir}/${name}`;
}

/**
 * A storage rooted at a local directory, creating the directory and its parents if needed.
 *
 * @param factory Makes storages.
 * @param dir The directory.
 * @param depth Recursion guard.
 * @returns The storage rooted at `dir`.
 */
export async function ensureLocalDir(
  factory: LocalFsFactory,
  dir: string,
  depth = 0,
): Promise<PathIO> {
  const fs = await factory(dir);
  if (await fs.isDir("/")) return fs;
  const { parent, name } = splitLocal(dir);
  if (depth > 64 || name === "" || name === "." || name === ".." || parent === dir) {
    throw new PathIOError("mkdir", dir, { kind: "not-found" });
  }
  const up = await ensureLocalDir(factory, parent, depth + 1);
  await up.mkdir(`/${name}`, { parents: true });
  return await factory(dir);
}
