/**
 * An in-memory {@linkcode PathIO}: pure (no runtime APIs), fast, and shareable by every session
 * of a server — the storage for tests, demos and throwaway servers. Optional byte quota.
 *
 * @module
 */

import { checkOffset, fail } from "./_fail.ts";
import { virtualPathSegments } from "../protocol/virtual_path.ts";
import type { DirEntry, FileStat, OpenWriteOptions, PathIO } from "./path_io.ts";

/**
 * Options for {@linkcode MemoryPathIO}.
 *
 * @example
 * ```ts
 * import { MemoryPathIO, type MemoryPathIOOptions } from "./memory_path_io.ts";
 * const options: MemoryPathIOOptions = { maxBytes: 100 * 1024 * 1024, readChunkSize: 256 * 1024 };
 * const fs = new MemoryPathIO(options);
 * ```
 */
export interface MemoryPathIOOptions {
  /** Total bytes all files together may hold; a write past it fails with kind `"no-space"`. @default unlimited */
  readonly maxBytes?: number | undefined;
  /** Size of the chunks a read stream yields, in bytes. @default 65536 */
  readonly readChunkSize?: number | undefined;
  /** Permission bits of new files. @default 0o644 */
  readonly fileMode?: number | undefined;
  /** Permission bits of new directories. @default 0o755 */
  readonly dirMode?: number | undefined;
  /** Clock for modification times (injectable for tests). @default () => new Date() */
  readonly now?: (() => Date) | undefined;
}

interface FileNode {
  readonly kind: "file";
  /** Backing buffer; its length is the capacity, `size` is how much of it is the file. */
  data: Uint8Array;
  size: number;
  mtime: Date;
  mode: number;
  /** Whether the node is reachable from the root (counts against the quota). */
  attached: boolean;
}

interface DirNode {
  readonly kind: "dir";
  readonly children: Map<string, Node>;
  mtime: Date;
  mode: number;
}

type Node = FileNode | DirNode;

const MIN_CAPACITY = 4096;

/**
 * In-memory storage implementing {@linkcode PathIO}. One instance can back many sessions;
 * every operation runs to completion synchronously inside its promise, so concurrent sessions
 * see a consistent tree.
 *
 * @example
 * ```ts
 * import { MemoryPathIO } from "./memory_path_io.ts";
 * const fs = new MemoryPathIO({ maxBytes: 1024 * 1024 });
 * await fs.mkdir("/pub/docs", { parents: true });
 * const w = (await fs.openWrite("/pub/docs/hello.txt")).getWriter();
 * await w.write(new TextEncoder().encode("hello"));
 * await w.close();
 * console.log((await fs.stat("/pub/docs/hello.txt")).size); // 5
 * ```
 */
export class MemoryPathIO implements PathIO {
  #root: DirNode;
  #maxBytes: number;
  #used = 0;
  #chunk: number;
  #fileMode: number;
  #dirMode: number;
  #now: () => Date;

  /**
   * Create a MemoryPathIO.
   *
   * @param options Quota, read chunk size, default modes and clock.
   */
  constructor(options: MemoryPathIOOptions = {}) {
    this.#maxBytes = options.maxBytes ?? Infinity;
    this.#chunk = Math.max(1, Math.floor(options.readChunkSize ?? 65536));
    this.#fileMode = options.fileMode ?? 0o644;
    this.#dirMode = options.dirMode ?? 0o755;
    this.#now = options.now ?? (() => new Date());
    this.#root = { kind: "dir", children: new Map(), mtime: this.#now(), mode: this.#dirMode };
  }

  /** Bytes currently held by all files (what the quota counts). */
  get usedBytes(): number {
    return this.#used;
  }

  /** The quota in bytes (`Infinity` when unlimited). */
  get maxBytes(): number {
    return this.#maxBytes;
  }

  /**
   * Metadata of a path.
   *
   * @param path Virtual path.
   * @returns Its {@linkcode FileStat}.
   */
  stat(path: string): Promise<FileStat> {
    return this.#run(() => statOf(this.#find("stat", path)));
  }

  /**
   * Whether the path exists.
   *
   * @param path Virtual path.
   * @returns `true` when it exists.
   */
  exists(path: string): Promise<boolean> {
    return this.#run(() => this.#tryFind(path) !== undefined);
  }

  /**
   * Whether the path is a file.
   *
   * @param path Virtual path.
   * @returns `true` for a regular file.
   */
  isFile(path: string): Promise<boolean> {
    return this.#run(() => this.#tryFind(path)?.kind === "file");
  }

  /**
   * Whether the path is a directory.
   *
   * @param path Virtual path.
   * @returns `true` for a directory.
   */
  isDir(path: string): Promise<boolean> {
    return this.#run(() => this.#tryFind(path)?.kind === "dir");
  }

  /**
   * Create a directory.
   *
   * @param path Virtual path.
   * @param options `parents`: create missing parents and accept an existing directory.
   * @returns When done.
   */
  mkdir(path: string, options: { parents?: boolean | undefined } = {}): Promise<void> {
    return this.#run(() => {
      const segments = virtualPathSegments(path);
      let dir = this.#root;
      for (const [i, name] of segments.entries()) {
        const last = i === segments.length - 1;
        const child = dir.children.get(name);
        if (child === undefined) {
          if (!last && !options.parents) fail("mkdir", path, "not-found");
          const created: DirNode = {
            kind: "dir",
            children: new Map(),
            mtime: this.#now(),
            mode: this.#dirMode,
          };
          dir.children.set(name, created);
          dir.mtime = this.#now();
          dir = created;
        } else if (child.kind === "file") {
          fail("mkdir", path, last ? "exists" : "not-a-directory");
        } else {
          if (last && !options.parents) fail("mkdir", path, "exists");
          dir = child;
        }
      }
      if (segments.length === 0 && !options.parents) fail("mkdir", path, "exists");
    });
  }

  /**
   * Remove an empty directory.
   *
   * @param path Virtual path.
   * @returns When done.
   */
  rmdir(path: string): Promise<void> {
    return this.#run(() => {
      const { parent, name } = this.#parentOf("rmdir", path);
      if (parent === undefined) fail("rmdir", path, "permission"); // the root stays
      const node = parent.children.get(name);
      if (node === undefined) fail("rmdir", path, "not-found");
      if (node.kind !== "dir") fail("rmdir", path, "not-a-directory");
      if (node.children.size > 0) fail("rmdir", path, "not-empty");
      parent.children.delete(name);
      parent.mtime = this.#now();
    });
  }

  /**
   * Remove a file.
   *
   * @param path Virtual path.
   * @returns When done.
   */
  unlink(path: string): Promise<void> {
    return this.#run(() => {
      const { parent, name } = this.#parentOf("unlink", path);
      if (parent === undefined) fail("unlink", path, "is-a-directory");
      const node = parent.children.get(name);
      if (node === undefined) fail("unlink", path, "not-found");
      if (node.kind !== "file") fail("unlink", path, "is-a-directory");
      parent.children.delete(name);
      parent.mtime = this.#now();
      this.#detach(node);
    });
  }

  /**
   * Rename or move a file or directory, replacing a file or empty directory at the target
   * the way POSIX `rename` does.
   *
   * @param from Existing virtual path.
   * @param to New virtual path.
   * @returns When done.
   */
  rename(from: string, to: string): Promise<void> {
    return this.#run(() => {
      const src = this.#parentOf("rename", from);
      if (src.parent === undefined) fail("rename", from, "permission");
      const node = src.parent.children.get(src.name);
      if (node === undefined) fail("rename", from, "not-found");
      const fromSegs = virtualPathSegments(from);
      const toSegs = virtualPathSegments(to);
      if (fromSegs.join("/") === toSegs.join("/")) return;
      if (
        node.kind === "dir" && toSegs.length > fromSegs.length &&
        fromSegs.every((s, i) => toSegs[i] === s)
      ) {
        fail("rename", to, "io", new Error("cannot move a directory into itself"));
      }
      const dst = this.#parentOf("rename", to);
      if (dst.parent === undefined) fail("rename", to, "exists");
      const existing = dst.parent.children.get(dst.name);
      if (existing !== undefined) {
        if (node.kind === "file" && existing.kind === "dir") fail("rename", to, "is-a-directory");
        if (node.kind === "dir" && existing.kind === "file") fail("rename", to, "not-a-directory");
        if (existing.kind === "dir" && existing.children.size > 0) fail("rename", to, "not-empty");
        if (existing.kind === "file") this.#detach(existing);
      }
      src.parent.children.delete(src.name);
      dst.parent.children.set(dst.name, node);
      const now = this.#now();
      src.parent.mtime = now;
      dst.parent.mtime = now;
    });
  }

  /**
   * Entries of a directory, in creation order. The listing is a snapshot taken when iteration
   * starts.
   *
   * @param path Virtual path of a directory.
   * @returns The entries.
   */
  list(path: string): AsyncIterable<DirEntry> {
    // deno-lint-ignore no-this-alias
    const self = this;
    return {
      async *[Symbol.asyncIterator]() {
        const entries = await self.#run(() => {
          const node = self.#find("list", path);
          if (node.kind !== "dir") fail("list", path, "not-a-directory");
          return [...node.children].map(([name, child]) => ({ name, stat: statOf(child) }));
        });
        yield* entries;
      },
    };
  }

  /**
   * Open a file for reading. The stream yields copies of `readChunkSize`-byte slices read
   * when pulled (so it follows concurrent writes, like an open file) and ends at end of file.
   *
   * @param path Virtual path of a file.
   * @param options `offset`: first byte to read. @default 0
   * @returns The byte stream.
   */
  openRead(path: string, options: { offset?: number | undefined } = {}): Promise<ReadableStream<Uint8Array>> {
    return this.#run(() => {
      let position = checkOffset("openRead", path, options.offset);
      const node = this.#find("openRead", path);
      if (node.kind !== "file") fail("openRead", path, "is-a-directory");
      const chunk = this.#chunk;
      return new ReadableStream<Uint8Array>({
        pull(controller) {
          if (position >= node.size) {
            controller.close();
            return;
          }
          const end = Math.min(node.size, position + chunk);
          // A copy: the consumer may keep or transfer it, and later writes must not change it.
          controller.enqueue(node.data.slice(position, end));
          position = end;
        },
      }, { highWaterMark: 1 });
    });
  }

  /**
   * Open a file for writing, creating it when missing. Without options it truncates; with
   * `offset` it overwrites in place from there (padding with NUL when past the end); with
   * `append` every write goes to the current end.
   *
   * @param path Virtual path of a file whose parent exists.
   * @param options Offset or append mode.
   * @returns The byte sink; each write fails with kind `"no-space"` when over quota.
   */
  openWrite(path: string, options: OpenWriteOptions = {}): Promise<WritableStream<Uint8Array>> {
    return this.#run(() => {
      const offset = options.offset === undefined
        ? undefined
        : checkOffset("openWrite", path, options.offset);
      const { parent, name } = this.#parentOf("openWrite", path);
      if (parent === undefined) fail("openWrite", path, "is-a-directory");
      let node = parent.children.get(name);
      if (node?.kind === "dir") fail("openWrite", path, "is-a-directory");
      if (node === undefined) {
        node = {
          kind: "file",
          data: new Uint8Array(0),
          size: 0,
          mtime: this.#now(),
          mode: this.#fileMode,
          attached: true,
        };
        parent.children.set(name, node);
        parent.mtime = this.#now();
      } else if (offset === undefined && !options.append) {
        this.#resize(node, 0);
        node.data = new Uint8Array(0); // give the memory back
        node.mtime = this.#now();
      }
      const file = node;
      let position = offset ?? 0;
      return new WritableStream<Uint8Array>({
        write: (bytes) => {
          if (options.append) position = file.size;
          this.#writeAt(file, path, position, bytes);
          position += bytes.byteLength;
        },
      });
    });
  }

  /**
   * Set the modification time.
   *
   * @param path Virtual path.
   * @param mtime New modification time.
   * @returns When done.
   */
  setMtime(path: string, mtime: Date): Promise<void> {
    return this.#run(() => {
      this.#find("setMtime", path).mtime = new Date(mtime.getTime());
    });
  }

  /**
   * Change permission bits (stored and reported by `stat`; not enforced).
   *
   * @param path Virtual path.
   * @param mode Bits such as `0o644`.
   * @returns When done.
   */
  chmod(path: string, mode: number): Promise<void> {
    return this.#run(() => {
      this.#find("chmod", path).mode = mode & 0o7777;
    });
  }

  #writeAt(file: FileNode, path: string, position: number, bytes: Uint8Array): void {
    const end = position + bytes.byteLength;
    if (end > file.size) this.#resize(file, end, path);
    file.data.set(bytes, position);
    file.mtime = this.#now();
  }

  /** Grow (zero-filled) or shrink the file, keeping quota accounting and amortised capacity. */
  #resize(file: FileNode, size: number, path = ""): void {
    const delta = size - file.size;
    if (file.attached && delta > 0 && this.#used + delta > this.#maxBytes) {
      fail("write", path, "no-space");
    }
    if (size > file.data.length) {
      let capacity = Math.max(MIN_CAPACITY, file.data.length * 2, size);
      if (this.#maxBytes !== Infinity) capacity = Math.max(size, Math.min(capacity, this.#maxBytes));
      const grown = new Uint8Array(capacity);
      grown.set(file.data.subarray(0, file.size));
      file.data = grown;
    } else if (size > file.size) {
      file.data.fill(0, file.size, size); // bytes past the old end may be stale after a truncate
    }
    file.size = size;
    if (file.attached) this.#used += delta;
  }

  #detach(file: FileNode): void {
    if (!file.attached) return;
    file.attached = false;
    this.#used -= file.size;
  }

  #tryFind(path: string): Node | undefined {
    let node: Node = this.#root;
    for (const name of virtualPathSegments(path)) {
      if (node.kind !== "dir") return undefined;
      const child: Node | undefined = node.children.get(name);
      if (child === undefined) return undefined;
      node = child;
    }
    return node;
  }

  #find(operation: string, path: string): Node {
    let node: Node = this.#root;
    for (const name of virtualPathSegments(path)) {
      if (node.kind !== "dir") fail(operation, path, "not-a-directory");
      const child: Node | undefined = node.children.get(name);
      if (child === undefined) fail(operation, path, "not-found");
      node = child;
    }
    return node;
  }

  /** The directory that holds the last name of `path` (`parent` undefined for the root). */
  #parentOf(operation: string, path: string): { parent: DirNode | undefined; name: string } {
    const segments = virtualPathSegments(path);
    const name = segments.pop();
    if (name === undefined) return { parent: undefined, name: "" };
    const parent = this.#find(operation, "/" + segments.join("/"));
    if (parent.kind !== "dir") fail(operation, path, "not-a-directory");
    return { parent, name };
  }

  /** Run synchronously, turning any throw into a rejected promise. */
  #run<T>(body: () => T): Promise<T> {
    try {
      return Promise.resolve(body());
    } catch (e) {
      return Promise.reject(e);
    }
  }
}

function statOf(node: Node): FileStat {
  if (node.kind === "file") {
    return { type: "file", size: node.size, mtime: new Date(node.mtime), mode: node.mode, nlink: 1 };
  }
  let subdirs = 0;
  for (const child of node.children.values()) if (child.kind === "dir") subdirs++;
  return { type: "dir", size: 0, mtime: new Date(node.mtime), mode: node.mode, nlink: 2 + subdirs };
}

