/**
 * The path lookups LocalPathIO makes (realpath, stat, lstat, readlink, directory reads),
 * two ways behind one async interface: synchronous system calls (microseconds on a local
 * disk, no thread-pool hop) or the runtime's thread pool (for slow or network file systems).
 *
 * @module
 */

import * as fs from "node:fs";
import type { Stats } from "node:fs";
import * as fsp from "node:fs/promises";
import { join } from "node:path";

/** The lookups, as LocalPathIO calls them. */
export interface Lookups {
  realpath(path: string): Promise<string>;
  /**
   * `realpath` of `join(base, ...names)` where `base` is already real (the root's real path):
   * only the names below it are looked at, so a deep root is not walked again on every call.
   */
  realpathBelow(base: string, names: readonly string[]): Promise<string>;
  stat(path: string): Promise<Stats>;
  lstat(path: string): Promise<Stats>;
  readlink(path: string): Promise<string>;
  /** Entry names of a directory, read in batches of about `batch`; `null` at the end. */
  opendir(path: string, batch: number): Promise<{ read(): Promise<string | null>; close(): Promise<void> }>;
}

/** Run a synchronous call, its result or throw as a settled promise. */
function settled<T>(call: () => T): Promise<T> {
  try {
    return Promise.resolve(call());
  } catch (e) {
    return Promise.reject(e);
  }
}

// Synchronous system calls behind the async interface (a throw becomes a rejection), so the
// callers are the same for both; awaiting a settled promise costs a microtask, not a thread hop.
export const SYNC_LOOKUPS: Lookups = {
  realpath: (path) => settled(() => fs.realpathSync.native(path)),
  realpathBelow: (base, names) =>
    settled(() => {
      let path = base;
      for (const [i, name] of names.entries()) {
        path = join(path, name);
        // A symlink may point anywhere: the system resolves the rest (the caller checks it).
        if (fs.lstatSync(path).isSymbolicLink()) return fs.realpathSync.native(join(path, ...names.slice(i + 1)));
      }
      return path;
    }),
  stat: (path) => settled(() => fs.statSync(path)),
  lstat: (path) => settled(() => fs.lstatSync(path)),
  readlink: (path) => settled(() => fs.readlinkSync(path)),
  opendir: (path, batch) =>
    settled(() => {
      const dir = fs.opendirSync(path, { bufferSize: batch });
      return {
        read: () => settled(() => dir.readSync()?.name ?? null),
        close: () => settled(() => dir.closeSync()),
      };
    }),
};

/** The same lookups on the thread pool. */
export const POOL_LOOKUPS: Lookups = {
  realpath: (path) => fsp.realpath(path),
  // One trip to the pool for the whole path rather than one per name.
  realpathBelow: (base, names) => fsp.realpath(join(base, ...names)),
  stat: (path) => fsp.stat(path),
  lstat: (path) => fsp.lstat(path),
  readlink: (path) => fsp.readlink(path),
  opendir: async (path, batch) => {
    const dir = await fsp.opendir(path, { bufferSize: batch });
    return {
      read: async () => (await dir.read())?.name ?? null,
      close: () => dir.close(),
    };
  },
};

