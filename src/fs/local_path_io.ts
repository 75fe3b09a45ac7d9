/**
 * A {@linkcode PathIO} over a directory of the local file system, on `node:fs/promises`
 * (which Deno, Bun and Node all implement). Virtual paths map inside the root and nothing
 * reaches outside it.
 *
 * Containment, in order:
 * 1. The virtual path is normalised lexically ({@linkcode virtualPathSegments}): `..` cannot
 *    climb above the root, NUL is refused, absolute paths are relative to the root.
 * 2. On Windows, names holding `\` or `:` (separators, drive letters, alternate streams) are
 *    refused with kind `"outside-root"`; on POSIX a backslash is an ordinary character.
 * 3. Symlinks: an existing path is resolved with `realpath` and must land inside the root's own
 *    real path; for a new entry the parent is resolved that way and the last name is opened
 *    with `O_NOFOLLOW`, so a dangling link cannot be used to create a file elsewhere. A link
 *    inside the root that points inside it works; one that points out is refused with kind
 *    `"outside-root"` and shown in listings as a plain symlink.
 *
 * Limits: these checks see the tree as it is when an operation starts. A local user who can
 * swap directories for symlinks *while* an operation runs can race them (Node exposes no
 * `openat`); don't serve a tree that untrusted local users can write to. Hard links to
 * outside files cannot be told apart from ordinary files.
 *
 * @module
 */

import { constants, type Stats } from "node:fs";
import * as fsp from "node:fs/promises";
import { join, relative, resolve, sep } from "node:path";
import { platform } from "node:process";
import { PathIOError } from "../errors.ts";
import { virtualPathSegments } from "../protocol/virtual_path.ts";
import { toPathIOError } from "./_errno.ts";
import { checkOffset, fail } from "./_fail.ts";
import { type Lookups, POOL_LOOKUPS, SYNC_LOOKUPS } from "./_local_lookups.ts";
import { bytesStream, readableOf, readSmall, writableOf } from "./_local_streams.ts";
import type { DirEntry, FileStat, OpenWriteOptions, PathIO } from "./path_io.ts";

/**
 * Options for {@linkcode LocalPathIO}.
 *
 * @example
 * ```ts
 * import { LocalPathIO, type LocalPathIOOptions } from "./local_path_io.ts";
 * const options: LocalPathIOOptions = { root: "./public", readChunkSize: 1024 * 1024 };
 * const fs = new LocalPathIO(options);
 * ```
 */
export interface LocalPathIOOptions {
  /** The directory that becomes `/`. Relative paths are taken from the working directory. */
  readonly root: string;
  /**
   * Largest chunk a read stream yields, in bytes. Large chunks mean fewer system calls and
   * stream hops on the RETR hot path. @default 1048576
   */
  readonly readChunkSize?: number | undefined;
  /**
   * Refuse names holding `\` or `:` (kind `"outside-root"`), which Windows reads as
   * separators, drive letters or alternate data streams. Turn it on for roots on file
   * systems shared with Windows. @default true on Windows, false elsewhere
   */
  readonly windowsNames?: boolean | undefined;
  /**
   * Run every file-system call asynchronously, on the runtime's I/O thread pool. By default
   * path lookups (`realpath`, `stat`, `lstat`, `readlink`, directory reads) and whole reads of
   * files up to 64 KiB are synchronous: on a local file system they take microseconds, while
   * each trip through the thread pool costs tens of microseconds of latency and a thread
   * wake-up, which made small-file transfers and listings several times more expensive.
   * Turn this on for slow or network file systems, where one slow call would otherwise hold
   * up every session of the process. Larger reads, all writes, and changes (mkdir, unlink,
   * rename, …) are always asynchronous.
   * @default false
   */
  readonly alwaysAsync?: boolean | undefined;
}

/** The lookups a LocalPathIO makes, synchronous or through the thread pool. */
const NOFOLLOW = constants.O_NOFOLLOW ?? 0;
/** Files up to this size are read whole, synchronously, when opened (unless alwaysAsync). */
const SMALL_FILE = 64 * 1024;
const LIST_BATCH = 64;

/**
 * Local directory storage implementing {@linkcode PathIO}.
 *
 * @example
 * ```ts
 * import { LocalPathIO } from "./local_path_io.ts";
 * const fs = new LocalPathIO({ root: "/srv/ftp" });
 * for await (const entry of fs.list("/")) console.log(entry.name, entry.stat.type);
 * await fs.stat("/../../etc/passwd"); // looks for /srv/ftp/etc/passwd, never /etc/passwd
 * ```
 */
export class LocalPathIO implements PathIO {
  #root: string;
  #realRoot: string | undefined;
  #chunk: number;
  #windowsNames: boolean;
  #fs: Lookups;
  #alwaysAsync: boolean;

  /**
   * A storage rooted at `options.root` (resolved against the working directory).
   *
   * @param options The root directory, the read chunk size, Windows name rules, lookups on
   *   the thread pool.
   * @example
   * ```ts
   * import { LocalPathIO } from "./local_path_io.ts";
   * const fs = new LocalPathIO({ root: "./srv", alwaysAsync: true });
   * console.log(fs.root);
   * ```
   */
  constructor(options: LocalPathIOOptions) {
    this.#root = resolve(options.root);
    this.#chunk = Math.max(4096, Math.floor(options.readChunkSize ?? 1024 * 1024));
    this.#windowsNames = options.windowsNames ?? platform === "win32";
    this.#alwaysAsync = options.alwaysAsync === true;
    this.#fs = this.#alwaysAsync ? POOL_LOOKUPS : SYNC_LOOKUPS;
  }

  /** The root directory as given (absolute, not symlink-resolved). */
  get root(): string {
    return this.#root;
  }

  /**
   * Metadata of a path, following symlinks that stay inside the root.
   *
   * @param path Virtual path.
   * @returns Its {@linkcode FileStat}.
   */
  async stat(path: string): Promise<FileStat> {
    const real = await this.#existing("stat", path);
    try {
      return statOf(await this.#fs.stat(real));
    } catch (e) {
      throw toPathIOError("stat", path, e);
    }
  }

  /**
   * Whether the path exists (and resolves inside the root).
   *
   * @param path Virtual path.
   * @returns `true` when it exists.
   */
  async exists(path: string): Promise<boolean> {
    return (await this.#typeOrUndefined(path)) !== undefined;
  }

  /**
   * Whether the path is a regular file.
   *
   * @param path Virtual path.
   * @returns `true` for a file.
   */
  async isFile(path: string): Promise<boolean> {
    return (await this.#typeOrUndefined(path)) === "file";
  }

  /**
   * Whether the path is a directory.
   *
   * @param path Virtual path.
   * @returns `true` for a directory.
   */
  async isDir(path: string): Promise<boolean> {
    return (await this.#typeOrUndefined(path)) === "dir";
  }

  /**
   * Create a directory.
   *
   * @param path Virtual path.
   * @param options `parents`: create missing parents and accept an existing directory.
   * @returns When done.
   */
  async mkdir(path: string, options: { parents?: boolean | undefined } = {}): Promise<void> {
    if (!options.parents) {
      const { host, name } = await this.#entry("mkdir", path);
      if (name === "") fail("mkdir", path, "exists");
      try {
        await fsp.mkdir(host);
      } catch (e) {
        throw toPathIOError("mkdir", path, e);
      }
      return;
    }
    const segments = this.#segments("mkdir", path);
    const root = await this.#rootReal("mkdir", path);
    let current = root; // always a real path inside the root
    for (const [i, segment] of segments.entries()) {
      const next = join(current, segment);
      try {
        await fsp.mkdir(next);
        current = next;
        continue;
      } catch (e) {
        const code = (e as { code?: string }).code;
        if (code !== "EEXIST") throw toPathIOError("mkdir", path, e);
      }
      const real = await this.#realInside("mkdir", path, current, [segment]);
      const st = await this.#fs.stat(real).catch((e) => {
        throw toPathIOError("mkdir", path, e);
      });
      if (!st.isDirectory()) {
        fail("mkdir", path, i === segments.length - 1 ? "exists" : "not-a-directory");
      }
      current = real;
    }
  }

  /**
   * Remove an empty directory. The root itself cannot be removed.
   *
   * @param path Virtual path.
   * @returns When done.
   */
  async rmdir(path: string): Promise<void> {
    const { host, name } = await this.#entry("rmdir", path);
    if (name === "") fail("rmdir", path, "permission");
    try {
      await fsp.rmdir(host);
    } catch (e) {
      throw toPathIOError("rmdir", path, e);
    }
  }

  /**
   * Remove a file (a symlink is removed itself, not its target).
   *
   * @param path Virtual path.
   * @returns When done.
   */
  async unlink(path: string): Promise<void> {
    const { host, name } = await this.#entry("unlink", path);
    if (name === "") fail("unlink", path, "is-a-directory");
    try {
      await fsp.unlink(host);
    } catch (e) {
      // Linux says EISDIR, macOS EPERM: tell "is a directory" apart from a real refusal.
      const st = await this.#fs.lstat(host).catch(() => undefined);
      if (st?.isDirectory()) fail("unlink", path, "is-a-directory", e);
      throw toPathIOError("unlink", path, e);
    }
  }

  /**
   * Rename or move within the root. Both parents must resolve inside the root, so a target
   * behind a symlink that points out is refused.
   *
   * @param from Existing virtual path.
   * @param to New virtual path.
   * @returns When done.
   */
  async rename(from: string, to: string): Promise<void> {
    const src = await this.#entry("rename", from);
    if (src.name === "") fail("rename", from, "permission");
    const dst = await this.#entry("rename", to);
    if (dst.name === "") fail("rename", to, "exists");
    try {
      await fsp.rename(src.host, dst.host);
    } catch (e) {
      const code = (e as { code?: string }).code;
      if (code === "EEXIST") fail("rename", to, "not-empty", e); // some file systems say EEXIST
      throw toPathIOError("rename", from, e);
    }
  }

  /**
   * Entries of a directory. Symlinks resolving inside the root are reported with their
   * target's stat and `linkTarget` (its virtual path); others as type `"symlink"`.
   *
   * @param path Virtual path of a directory.
   * @returns The entries, read in batches (large directories are not loaded at once).
   */
  list(path: string): AsyncIterable<DirEntry> {
    // deno-lint-ignore no-this-alias
    const self = this;
    return {
      async *[Symbol.asyncIterator]() {
        const real = await self.#existing("list", path);
        let dir: Awaited<ReturnType<Lookups["opendir"]>>;
        try {
          dir = await self.#fs.opendir(real, LIST_BATCH);
        } catch (e) {
          throw toPathIOError("list", path, e);
        }
        try {
          let batch: string[] = [];
          for (;;) {
            const name = await dir.read().catch((e) => {
              throw toPathIOError("list", path, e);
            });
            if (name !== null) batch.push(name);
            if (batch.length >= LIST_BATCH || (name === null && batch.length > 0)) {
              const entries = await Promise.all(batch.map((name) => self.#entryStat(real, name)));
              batch = [];
              for (const entry of entries) if (entry !== undefined) yield entry;
            }
            if (name === null) break;
          }
        } finally {
          await dir.close().catch(() => {});
        }
      },
    };
  }

  /**
   * Open a regular file for reading. The stream reads with positional reads in chunks of up
   * to `readChunkSize` and closes the file on end, cancel or error.
   *
   * @param path Virtual path of a file.
   * @param options `offset`: first byte to read. @default 0
   * @returns The byte stream.
   */
  async openRead(
    path: string,
    options: { offset?: number | undefined } = {},
  ): Promise<ReadableStream<Uint8Array>> {
    const start = checkOffset("openRead", path, options.offset);
    const real = await this.#existing("openRead", path);
    let handle: fsp.FileHandle;
    let size: number;
    try {
      // stat first: opening a FIFO or device could block or have side effects
      const st = await this.#fs.stat(real);
      if (st.isDirectory()) fail("openRead", path, "is-a-directory");
      if (!st.isFile()) fail("openRead", path, "permission");
      if (!this.#alwaysAsync && st.size - start <= SMALL_FILE) {
        const whole = readSmall(real, start, st.size - start);
        if (whole) return bytesStream(whole);
        // It grew past what a small read takes: stream it like any other file.
      }
      handle = await fsp.open(real, constants.O_RDONLY | NOFOLLOW);
      size = st.size;
    } catch (e) {
      throw toPathIOError("openRead", path, e);
    }
    return readableOf(handle, path, start, size, this.#chunk);
  }

  /**
   * Open a file for writing, creating it when missing. Without options it truncates; with
   * `offset` it writes in place from there (a gap past the end reads as NUL); with `append`
   * every write goes to the end. The file is closed on close, abort or a write error.
   * Writes resolve once queued (up to 1 MiB ahead of the file, written together in one
   * `writev`): do not change a chunk after writing it; `close` resolves when all is written.
   *
   * @param path Virtual path of a file whose parent exists.
   * @param options Offset or append mode.
   * @returns The byte sink.
   */
  async openWrite(
    path: string,
    options: OpenWriteOptions = {},
  ): Promise<WritableStream<Uint8Array>> {
    const offset = options.offset === undefined
      ? undefined
      : checkOffset("openWrite", path, options.offset);
    const append = options.append === true;
    const target = await this.#writeTarget("openWrite", path);
    let flags = constants.O_WRONLY | constants.O_CREAT | NOFOLLOW;
    if (append) flags |= constants.O_APPEND;
    else if (offset === undefined) flags |= constants.O_TRUNC;
    let handle: fsp.FileHandle;
    try {
      const st = await this.#fs.stat(target).catch(() => undefined);
      if (st?.isDirectory()) fail("openWrite", path, "is-a-directory");
      if (st !== undefined && !st.isFile()) fail("openWrite", path, "permission");
      handle = await fsp.open(target, flags, 0o666);
    } catch (e) {
      throw toPathIOError("openWrite", path, e);
    }
    return writableOf(handle, path, append ? null : offset ?? 0);
  }

  /**
   * Set the modification time (the access time is kept).
   *
   * @param path Virtual path.
   * @param mtime New modification time.
   * @returns When done.
   */
  async setMtime(path: string, mtime: Date): Promise<void> {
    const real = await this.#existing("setMtime", path);
    try {
      const st = await this.#fs.stat(real);
      await fsp.utimes(real, st.atime, mtime);
    } catch (e) {
      throw toPathIOError("setMtime", path, e);
    }
  }

  /**
   * Change permission bits.
   *
   * @param path Virtual path.
   * @param mode Bits such as `0o644` (masked to `0o7777`).
   * @returns When done.
   */
  async chmod(path: string, mode: number): Promise<void> {
    const real = await this.#existing("chmod", path);
    try {
      await fsp.chmod(real, mode & 0o7777);
    } catch (e) {
      throw toPathIOError("chmod", path, e);
    }
  }

  async #typeOrUndefined(path: string): Promise<FileStat["type"] | undefined> {
    try {
      return (await this.stat(path)).type;
    } catch (e) {
      if (e instanceof PathIOError && e.operation !== "resolve") {
        if (e.kind === "not-found" || e.kind === "not-a-directory" || e.kind === "outside-root") {
          return undefined;
        }
      }
      throw e;
    }
  }

  /** Stat of one listed entry; `undefined` when it vanished meanwhile. */
  async #entryStat(dirReal: string, name: string): Promise<DirEntry | undefined> {
    const host = join(dirReal, name);
    let lst: Stats;
    try {
      lst = await this.#fs.lstat(host);
    } catch {
      return undefined;
    }
    if (!lst.isSymbolicLink()) return { name, stat: statOf(lst) };
    const root = this.#realRoot!;
    try {
      const real = await this.#fs.realpath(host);
      if (isInside(root, real)) {
        const target = relative(root, real).split(sep).join("/");
        return { name, stat: { ...statOf(await this.#fs.stat(real)), linkTarget: "/" + target } };
      }
    } catch {
      // dangling: fall through
    }
    // Pointing outside (or nowhere): show the link itself, and its text only when relative,
    // so a listing never reveals host paths.
    const text = await this.#fs.readlink(host).catch(() => "");
    const shown = text !== "" && !text.startsWith("/") && !/^[A-Za-z]:/.test(text) ? text : undefined;
    return { name, stat: { ...statOf(lst), type: "symlink", ...(shown === undefined ? {} : { linkTarget: shown }) } };
  }

  /** Real path of the root, cached once it exists. */
  async #rootReal(operation: string, path: string): Promise<string> {
    if (this.#realRoot !== undefined) return this.#realRoot;
    try {
      const real = await this.#fs.realpath(this.#root);
      if (!(await this.#fs.stat(real)).isDirectory()) {
        fail(operation, path, "not-a-directory", new Error(`root ${this.#root} is not a directory`));
      }
      this.#realRoot = real;
      return real;
    } catch (e) {
      throw toPathIOError(operation, path, e);
    }
  }

  #segments(operation: string, path: string): string[] {
    const segments = virtualPathSegments(path);
    if (this.#windowsNames && segments.some((s) => /[\\:]/.test(s))) fail(operation, path, "outside-root");
    return segments;
  }

  /** `realpath` of `names` below `base` (a real directory), refused unless inside the root. */
  async #realInside(operation: string, path: string, base: string, names: readonly string[]): Promise<string> {
    const root = await this.#rootReal(operation, path);
    let real: string;
    try {
      real = await this.#fs.realpathBelow(base, names);
    } catch (e) {
      throw toPathIOError(operation, path, e);
    }
    if (!isInside(root, real)) fail(operation, path, "outside-root");
    return real;
  }

  /** Real host path of an existing entry, symlinks resolved, checked inside the root. */
  async #existing(operation: string, path: string): Promise<string> {
    const segments = this.#segments(operation, path);
    const root = await this.#rootReal(operation, path);
    return this.#realInside(operation, path, root, segments);
  }

  /**
   * The entry named by the last segment, inside its real (checked) parent; the last segment
   * itself is not followed. `name` is `""` for the root.
   */
  async #entry(operation: string, path: string): Promise<{ host: string; name: string; parent: string }> {
    const segments = this.#segments(operation, path);
    const root = await this.#rootReal(operation, path);
    const name = segments.pop();
    if (name === undefined) return { host: root, name: "", parent: root };
    const parent = await this.#realInside(operation, path, root, segments);
    return { host: join(parent, name), name, parent };
  }

  /** Where to open a file for writing: the resolved existing file, or a new name in its parent. */
  async #writeTarget(operation: string, path: string): Promise<string> {
    const { host, name, parent } = await this.#entry(operation, path);
    if (name === "") fail(operation, path, "is-a-directory");
    try {
      const real = await this.#fs.realpathBelow(parent, [name]);
      if (!isInside(this.#realRoot!, real)) fail(operation, path, "outside-root");
      return real;
    } catch (e) {
      if (e instanceof PathIOError) throw e;
      // Missing (or a dangling link, which O_NOFOLLOW then refuses): create it in the parent.
      return host;
    }
  }
}

function isInside(root: string, real: string): boolean {
  if (real === root) return true;
  const prefix = root.endsWith(sep) ? root : root + sep;
  return real.startsWith(prefix);
}

function statOf(st: Stats): FileStat {
  const type = st.isFile()
    ? "file"
    : st.isDirectory()
    ? "dir"
    : st.isSymbolicLink()
    ? "symlink"
    : "other";
  return {
    type,
    size: st.size,
    mtime: st.mtime,
    mode: st.mode & 0o7777,
    nlink: st.nlink,
    owner: String(st.uid),
    group: String(st.gid),
  };
}

