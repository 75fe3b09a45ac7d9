/**
 * The exported storage conformance suite (`anyftp/testing`) on every storage of anyftp, and
 * on a PathIO written here (a subtree view of another storage, as a third party would write
 * one): the suite is usable for storages outside this package.
 */
import { after } from "node:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PathIOError } from "../src/errors.ts";
import { LocalPathIO } from "../src/fs/local_path_io.ts";
import { MemoryPathIO } from "../src/fs/memory_path_io.ts";
import type { DirEntry, FileStat, OpenWriteOptions, PathIO } from "../src/fs/path_io.ts";
import { normalizeVirtualPath } from "../src/protocol/virtual_path.ts";
import { pathIOConformance } from "../src/testing/mod.ts";

const temps: string[] = [];
after(() => {
  for (const t of temps) rmSync(t, { recursive: true, force: true });
});

function tempRoot(): string {
  const root = mkdtempSync(join(tmpdir(), "anyftp-conf-"));
  temps.push(root);
  return root;
}

/**
 * A custom PathIO: the directory `prefix` of another storage, seen as `/`. Paths are
 * normalised before the prefix goes in front, so `..` cannot leave the subtree; the root
 * itself cannot be removed or renamed. It has no `chmod` and no `setMtime`.
 */
class SubtreePathIO implements PathIO {
  readonly #inner: PathIO;
  readonly #prefix: string;

  constructor(inner: PathIO, prefix: string) {
    this.#inner = inner;
    this.#prefix = normalizeVirtualPath(prefix);
  }

  #map(path: string): string {
    const normal = normalizeVirtualPath(path);
    return normal === "/" ? this.#prefix : this.#prefix + normal;
  }

  #notRoot(operation: string, path: string): string {
    const mapped = this.#map(path);
    if (mapped === this.#prefix) throw new PathIOError(operation, path, { kind: "permission" });
    return mapped;
  }

  async stat(path: string): Promise<FileStat> {
    return await this.#inner.stat(this.#map(path));
  }
  async exists(path: string): Promise<boolean> {
    return await this.#inner.exists(this.#map(path));
  }
  async isFile(path: string): Promise<boolean> {
    return await this.#inner.isFile(this.#map(path));
  }
  async isDir(path: string): Promise<boolean> {
    return await this.#inner.isDir(this.#map(path));
  }
  async mkdir(path: string, options?: { parents?: boolean }): Promise<void> {
    await this.#inner.mkdir(this.#map(path), options);
  }
  async rmdir(path: string): Promise<void> {
    await this.#inner.rmdir(this.#notRoot("rmdir", path));
  }
  async unlink(path: string): Promise<void> {
    await this.#inner.unlink(this.#map(path));
  }
  async rename(from: string, to: string): Promise<void> {
    await this.#inner.rename(this.#notRoot("rename", from), this.#notRoot("rename", to));
  }
  async *list(path: string): AsyncIterable<DirEntry> {
    yield* this.#inner.list(this.#map(path));
  }
  async openRead(path: string, options?: { offset?: number }): Promise<ReadableStream<Uint8Array>> {
    return await this.#inner.openRead(this.#map(path), options);
  }
  async openWrite(path: string, options?: OpenWriteOptions): Promise<WritableStream<Uint8Array>> {
    return await this.#inner.openWrite(this.#map(path), options);
  }
}

pathIOConformance("MemoryPathIO", () => new MemoryPathIO());
pathIOConformance("LocalPathIO", () => new LocalPathIO({ root: tempRoot() }));
pathIOConformance("LocalPathIO (alwaysAsync)", () => new LocalPathIO({ root: tempRoot(), alwaysAsync: true }));
pathIOConformance("a custom PathIO (subtree of a MemoryPathIO)", async () => {
  const inner = new MemoryPathIO();
  await inner.mkdir("/home/jail", { parents: true });
  await inner.mkdir("/home/outside");
  return new SubtreePathIO(inner, "/home/jail");
});
