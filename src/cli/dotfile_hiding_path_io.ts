/**
 * A storage wrapper for `anyftp serve DIR`: dot-files and dot-directories (`.env`, `.git`,
 * `.ssh`) are left out of listings and answered as missing for every other operation,
 * reads and writes alike, unless `--dotfiles` is given.
 *
 * @module
 */

import { PathIOError } from "../errors.ts";
import type { DirEntry, FileStat, OpenWriteOptions, PathIO } from "../fs/path_io.ts";
import { tempUploadTarget } from "../server/_uploads.ts";

/** A name that starts with a dot (other than `.` and `..`). */
function dotName(part: string): boolean {
  return part.startsWith(".") && part !== "." && part !== "..";
}

/**
 * Whether a virtual path has a dot-named segment. The server's temporary name for an upload
 * (`.<name>.anyftp-upload-…`, see the upload policy) counts as its target's name, so uploads
 * of ordinary files work and uploads of dot-files stay refused.
 */
function hidden(path: string): boolean {
  return path.split("/").some((part) => dotName(tempUploadTarget(part) ?? part));
}

/**
 * Wraps a {@linkcode PathIO} so that names starting with `.` do not exist.
 *
 * @example
 * ```ts
 * import { MemoryPathIO } from "../fs/memory_path_io.ts";
 * import { DotfileHidingPathIO } from "./dotfile_hiding_path_io.ts";
 * const inner = new MemoryPathIO();
 * await inner.mkdir("/.git");
 * const fs = new DotfileHidingPathIO(inner);
 * console.log(await fs.exists("/.git")); // false
 * ```
 */
export class DotfileHidingPathIO implements PathIO {
  #inner: PathIO;

  /**
   * Hide the dot-files of `inner`.
   *
   * @param inner The storage to wrap.
   */
  constructor(inner: PathIO) {
    this.#inner = inner;
    if (inner.setMtime) this.setMtime = (path, mtime) => this.#guard("setMtime", path, () => inner.setMtime!(path, mtime));
    if (inner.chmod) this.chmod = (path, mode) => this.#guard("chmod", path, () => inner.chmod!(path, mode));
  }

  #guard<T>(operation: string, path: string, run: () => Promise<T>): Promise<T> {
    if (hidden(path)) return Promise.reject(new PathIOError(operation, path, { kind: "not-found" }));
    return run();
  }

  /** Set the modification time (when the wrapped storage can). */
  setMtime?: (path: string, mtime: Date) => Promise<void>;
  /** Change permission bits (when the wrapped storage can). */
  chmod?: (path: string, mode: number) => Promise<void>;

  /** {@inheritDoc PathIO.stat} */
  stat(path: string): Promise<FileStat> {
    return this.#guard("stat", path, () => this.#inner.stat(path));
  }
  /** {@inheritDoc PathIO.exists} */
  exists(path: string): Promise<boolean> {
    return hidden(path) ? Promise.resolve(false) : this.#inner.exists(path);
  }
  /** {@inheritDoc PathIO.isFile} */
  isFile(path: string): Promise<boolean> {
    return hidden(path) ? Promise.resolve(false) : this.#inner.isFile(path);
  }
  /** {@inheritDoc PathIO.isDir} */
  isDir(path: string): Promise<boolean> {
    return hidden(path) ? Promise.resolve(false) : this.#inner.isDir(path);
  }
  /** {@inheritDoc PathIO.mkdir} */
  mkdir(path: string, options?: { parents?: boolean | undefined }): Promise<void> {
    return this.#guard("mkdir", path, () => this.#inner.mkdir(path, options));
  }
  /** {@inheritDoc PathIO.rmdir} */
  rmdir(path: string): Promise<void> {
    return this.#guard("rmdir", path, () => this.#inner.rmdir(path));
  }
  /** {@inheritDoc PathIO.unlink} */
  unlink(path: string): Promise<void> {
    return this.#guard("unlink", path, () => this.#inner.unlink(path));
  }
  /** {@inheritDoc PathIO.rename} */
  rename(from: string, to: string): Promise<void> {
    return this.#guard("rename", from, () => this.#guard("rename", to, () => this.#inner.rename(from, to)));
  }
  /** {@inheritDoc PathIO.list} */
  async *list(path: string): AsyncIterable<DirEntry> {
    if (hidden(path)) throw new PathIOError("list", path, { kind: "not-found" });
    for await (const entry of this.#inner.list(path)) {
      if (!entry.name.startsWith(".")) yield entry;
    }
  }
  /** {@inheritDoc PathIO.openRead} */
  openRead(path: string, options?: { offset?: number | undefined }): Promise<ReadableStream<Uint8Array>> {
    return this.#guard("openRead", path, () => this.#inner.openRead(path, options));
  }
  /** {@inheritDoc PathIO.openWrite} */
  openWrite(path: string, options?: OpenWriteOptions): Promise<WritableStream<Uint8Array>> {
    return this.#guard("openWrite", path, () => this.#inner.openWrite(path, options));
  }
}
