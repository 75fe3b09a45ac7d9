/**
 * The exported storage conformance suite (`anyftp/testing`) on every storage of anyftp, and
 * on a PathIO written here (a subtree view of another storage, as a third party would write
 * one): the suite is usable for storages outside this package.
 */
import { after, before } from "node:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PathIOError } from "../src/errors.ts";
import { LocalPathIO } from "../src/fs/local_path_io.ts";
import { MemoryPathIO } from "../src/fs/memory_path_io.ts";
import type { DirEntry, FileStat, OpenWriteOptions, PathIO } from "../src/fs/path_io.ts";
import { normalizeVirtualPath } from "../src/protocol/virtual_path.ts";
import { S3PathIO } from "../src/fs/s3/s3_path_io.ts";
import { nodeHttpFetch } from "../src/net/node.ts";
import { pathIOConformance } from "../src/testing/mod.ts";
import { S3_ACCESS_KEY, S3_SECRET_KEY, type S3Server, skipUnlessS3, startS3Server } from "./_support/mod.ts";

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

// S3PathIO on a real S3 server (OpenStack Swift's s3api), one fresh key prefix per case.
// Where object storage cannot behave like a file system (appenders that do not see each
// other, an aborted write that leaves the old object), the differences are asserted in
// tests/fs_s3.test.ts instead.
const S3_DIFFERS = [
  "append goes to the current end even with several writers",
  "a cancelled read and an aborted write leave the storage consistent",
];
const skipS3 = skipUnlessS3();
let s3: S3Server | undefined;
let s3Cases = 0;
before(async () => {
  if (skipS3) return;
  s3 = await startS3Server();
  await s3.createBucket("conformance");
});
after(() => s3?.close());
/** A fresh S3PathIO on the conformance bucket, under a key prefix of its own. */
const s3Storage = (fetch?: typeof nodeHttpFetch) =>
  new S3PathIO({
    endpoint: s3!.endpoint,
    bucket: "conformance",
    prefix: `t${++s3Cases}`,
    credentials: { accessKeyId: S3_ACCESS_KEY, secretAccessKey: S3_SECRET_KEY },
    ...(fetch ? { fetch } : {}),
  });
pathIOConformance("S3PathIO", () => s3Storage(), { skip: skipS3, except: S3_DIFFERS });
// The same with the Node transport `anyftp serve --s3` uses on Node (node:http for requests
// without a body); node:http exists on Deno and Bun too, so it runs everywhere.
pathIOConformance("S3PathIO over nodeHttpFetch", () => s3Storage(nodeHttpFetch), {
  skip: skipS3,
  except: S3_DIFFERS,
});
