/**
 * The storage contract (PathIO). The server serves files through it and the client reads and
 * writes local files through it. Paths are virtual, POSIX style and absolute (`/a/b.txt`),
 * rooted at the storage's own root: an implementation must never touch anything outside its
 * root, whatever the path says (`..`, backslashes, NUL, symlinks). Every failure is a
 * {@linkcode PathIOError} with the original error as `cause`.
 *
 * @module
 */

import type { FileStat } from "../protocol/file_stat.ts";

export type { FileStat };

/** One entry of {@linkcode PathIO.list}. */
export interface DirEntry {
  /** Entry name (no slashes). */
  readonly name: string;
  /** Its metadata. */
  readonly stat: FileStat;
}

/** Options for {@linkcode PathIO.openWrite}. */
export interface OpenWriteOptions {
  /** Start writing at this byte offset, overwriting in place; past the end pads with NUL. @default 0 (truncate) */
  readonly offset?: number | undefined;
  /** Append to the end instead (APPE). @default false */
  readonly append?: boolean | undefined;
  /**
   * The size the writer announced before the bytes (FTP `ALLO` before a binary STOR), for a
   * plain write (no `offset`, no `append`). A storage may use it — S3PathIO sends one PUT
   * with that `Content-Length` — and must then fail the write, storing nothing, when another
   * number of bytes arrives; storages that do not need it ignore it. @default undefined
   */
  readonly size?: number | undefined;
}

/**
 * Storage as the server and client see it.
 *
 * @example
 * ```ts
 * import { MemoryPathIO } from "anyftp";
 * const fs = new MemoryPathIO();
 * await fs.mkdir("/docs", { parents: true });
 * const w = await fs.openWrite("/docs/a.txt");
 * const writer = w.getWriter();
 * await writer.write(new TextEncoder().encode("hi"));
 * await writer.close();
 * console.log((await fs.stat("/docs/a.txt")).size); // 2
 * ```
 */
export interface PathIO {
  /** Metadata of a path (following symlinks). Rejects with kind `"not-found"` when missing. */
  stat(path: string): Promise<FileStat>;
  /** Whether the path exists. Never rejects for a missing path. */
  exists(path: string): Promise<boolean>;
  /** Whether the path is a regular file. */
  isFile(path: string): Promise<boolean>;
  /** Whether the path is a directory. */
  isDir(path: string): Promise<boolean>;
  /** Create a directory; with `parents`, create missing parents and accept an existing one. */
  mkdir(path: string, options?: { parents?: boolean | undefined }): Promise<void>;
  /** Remove an empty directory. */
  rmdir(path: string): Promise<void>;
  /** Remove a file. */
  unlink(path: string): Promise<void>;
  /** Rename or move a file or directory. */
  rename(from: string, to: string): Promise<void>;
  /** Entries of a directory (without `.` and `..`). */
  list(path: string): AsyncIterable<DirEntry>;
  /** Open a file for reading from `offset`; the stream ends at end of file. */
  openRead(path: string, options?: { offset?: number | undefined }): Promise<ReadableStream<Uint8Array>>;
  /** Open a file for writing (create, truncate, overwrite at an offset, or append). */
  openWrite(path: string, options?: OpenWriteOptions): Promise<WritableStream<Uint8Array>>;
  /** Set the modification time (MFMT). Optional: storages without it answer 502 to MFMT. */
  setMtime?(path: string, mtime: Date): Promise<void>;
  /** Change permission bits (SITE CHMOD). Optional. */
  chmod?(path: string, mode: number): Promise<void>;
}
