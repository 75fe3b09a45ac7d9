/**
 * The storage conformance suite: {@linkcode pathIOConformance} registers, with `node:test`,
 * the cases `MemoryPathIO` and `LocalPathIO` pass: stat/exists/isFile/isDir, mkdir (with
 * parents), multi-MiB binary round trips, reads at offsets, truncate/overwrite/append writes
 * (also with concurrent appenders), open errors, unlink/rmdir/rename with their error kinds,
 * listings, mtime and mode, confinement (`..`, duplicate slashes, backslashes, NUL), and
 * cancelled reads and aborted writes.
 *
 * The file imports `node:test` and `node:assert/strict`, which `deno test`, `bun test` and
 * `node --test` all provide.
 *
 * @example
 * ```ts
 * // my_storage.test.ts — run with deno test, bun test or node --test
 * import { pathIOConformance } from "anyftp/testing";
 * import { MemoryPathIO } from "anyftp";
 * pathIOConformance("my storage", () => new MemoryPathIO({ readChunkSize: 1000 }));
 * ```
 *
 * @module
 */
import assert from "node:assert/strict";
import { describe, it as nodeIt } from "node:test";
import { PathIOError, type PathIOErrorKind } from "../errors.ts";
import type { OpenWriteOptions, PathIO } from "../fs/path_io.ts";
import { InvalidPathError } from "../protocol/virtual_path.ts";
import { readAll } from "./_bytes.ts";

const enc = new TextEncoder();
const dec = new TextDecoder();

async function write(
  fs: PathIO,
  path: string,
  data: Uint8Array | string,
  options: OpenWriteOptions = {},
): Promise<void> {
  const w = (await fs.openWrite(path, options)).getWriter();
  await w.write(typeof data === "string" ? enc.encode(data) : data);
  await w.close();
}

async function read(fs: PathIO, path: string, offset?: number): Promise<string> {
  return dec.decode(await readAll(await fs.openRead(path, { offset })));
}

async function rejectsKind(promise: Promise<unknown>, kind: PathIOErrorKind): Promise<void> {
  await assert.rejects(promise, (e: unknown) => {
    assert.ok(e instanceof PathIOError, `expected PathIOError, got ${e}`);
    assert.equal(e.kind, kind, `kind of: ${e.message}`);
    return true;
  });
}

async function names(fs: PathIO, path: string): Promise<string[]> {
  const out: string[] = [];
  for await (const entry of fs.list(path)) out.push(entry.name);
  return out.sort();
}

/** Options of {@linkcode pathIOConformance}. */
export interface PathIOConformanceOptions {
  /** Skip every case, with this reason (or `true`). @default false */
  readonly skip?: string | boolean | undefined;
  /** Titles of cases to skip because the storage documents another behaviour. @default [] */
  readonly except?: readonly string[] | undefined;
}

/**
 * Register the storage conformance cases for a {@linkcode PathIO} with `node:test` (one
 * `describe` block named `<name> conformance`). Call it at the top level of a test file;
 * `deno test -A`, `bun test` and `node --test` run it.
 *
 * Each case calls `makeStorage` for an empty storage of its own. The optional methods
 * `setMtime` and `chmod` are checked when the storage has them. A path holding NUL must
 * reject with `InvalidPathError` (what `normalizeVirtualPath` throws); every other failure
 * with a `PathIOError` of the right `kind`.
 *
 * @param name Label for the describe block.
 * @param makeStorage Gives a new, empty storage (a fresh temporary root for a disk storage).
 * @param options `skip`: skip every case (e.g. a server the storage needs is missing);
 *   `except`: titles of cases this storage is documented to behave differently in (object
 *   storage, say), which are skipped here and belong asserted in the storage's own tests.
 *
 * @example
 * ```ts
 * import { pathIOConformance } from "anyftp/testing";
 * import { MemoryPathIO } from "anyftp";
 * pathIOConformance("MemoryPathIO", () => new MemoryPathIO());
 * ```
 */
export function pathIOConformance(
  name: string,
  makeStorage: () => PathIO | Promise<PathIO>,
  options: PathIOConformanceOptions = {},
): void {
  const make = makeStorage;
  const except = new Set(options.except ?? []);
  const it = (title: string, fn: () => Promise<void>) => {
    const skip = options.skip || (except.has(title) && `${name} differs here by design`);
    nodeIt(title, { skip: skip || false }, fn);
  };
  describe(`${name} conformance`, () => {
    it("mkdir, stat, exists, isFile, isDir", async () => {
      const fs = await make();
      assert.equal(await fs.isDir("/"), true);
      assert.equal(await fs.exists("/a"), false);
      await fs.mkdir("/a");
      assert.equal(await fs.exists("/a"), true);
      assert.equal(await fs.isDir("/a"), true);
      assert.equal(await fs.isFile("/a"), false);
      const st = await fs.stat("/a");
      assert.equal(st.type, "dir");
      assert.ok(st.mtime instanceof Date);
      await write(fs, "/a/f.txt", "hello");
      assert.equal(await fs.isFile("/a/f.txt"), true);
      assert.equal(await fs.isDir("/a/f.txt"), false);
      assert.equal((await fs.stat("/a/f.txt")).size, 5);
      assert.equal((await fs.stat("/a/f.txt")).type, "file");
      assert.equal(await fs.exists("/a/f.txt/x"), false);
      assert.equal(await fs.isFile("/nope/x"), false);
      await rejectsKind(fs.stat("/missing"), "not-found");
      await rejectsKind(fs.stat("/a/f.txt/x"), "not-a-directory");
    });

    it("mkdir errors and parents", async () => {
      const fs = await make();
      await rejectsKind(fs.mkdir("/x/y"), "not-found");
      await fs.mkdir("/x/y/z", { parents: true });
      assert.equal(await fs.isDir("/x/y/z"), true);
      await fs.mkdir("/x/y/z", { parents: true }); // existing is fine with parents
      await rejectsKind(fs.mkdir("/x/y"), "exists");
      await write(fs, "/x/file", "1");
      await rejectsKind(fs.mkdir("/x/file"), "exists");
      await rejectsKind(fs.mkdir("/x/file", { parents: true }), "exists");
      await rejectsKind(fs.mkdir("/x/file/sub", { parents: true }), "not-a-directory");
      await rejectsKind(fs.mkdir("/x/file/sub"), "not-a-directory");
      await rejectsKind(fs.mkdir("/"), "exists");
      await fs.mkdir("/", { parents: true });
    });

    it("write then read round trip, binary, several MiB", async () => {
      const fs = await make();
      const data = new Uint8Array(3 * 1024 * 1024 + 17);
      for (let i = 0; i < data.length; i++) data[i] = (i * 7919 + (i >> 11)) & 0xff;
      const w = (await fs.openWrite("/big.bin")).getWriter();
      for (let i = 0; i < data.length; i += 100_000) await w.write(data.slice(i, i + 100_000));
      await w.close();
      assert.equal((await fs.stat("/big.bin")).size, data.length);
      const back = await readAll(await fs.openRead("/big.bin"));
      assert.equal(back.length, data.length);
      assert.deepEqual(back, data);
      const tail = await readAll(await fs.openRead("/big.bin", { offset: data.length - 5 }));
      assert.deepEqual(tail, data.slice(-5));
    });

    it("read at offsets 0, 3, 10 and past the end", async () => {
      const fs = await make();
      await write(fs, "/t.txt", "0123456789");
      assert.equal(await read(fs, "/t.txt", 0), "0123456789");
      assert.equal(await read(fs, "/t.txt", 3), "3456789");
      assert.equal(await read(fs, "/t.txt", 10), "");
      assert.equal(await read(fs, "/t.txt", 1000), "");
      await rejectsKind(fs.openRead("/t.txt", { offset: -1 }), "io");
    });

    it("plain write truncates; offset write overwrites in place and pads with NUL; append appends", async () => {
      const fs = await make();
      await write(fs, "/f", "0123456789");
      await write(fs, "/f", "ab");
      assert.equal(await read(fs, "/f"), "ab");
      await write(fs, "/f", "0123456789");
      await write(fs, "/f", "XY", { offset: 3 });
      assert.equal(await read(fs, "/f"), "012XY56789");
      await write(fs, "/f", "END", { offset: 13 });
      assert.equal(await read(fs, "/f"), "012XY56789\0\0\0END");
      await write(fs, "/g", "abc");
      await write(fs, "/g", "abc", { append: true });
      assert.equal(await read(fs, "/g"), "abcabc");
      await write(fs, "/new-append", "z", { append: true });
      assert.equal(await read(fs, "/new-append"), "z");
      await write(fs, "/new-offset", "z", { offset: 2 });
      assert.equal(await read(fs, "/new-offset"), "\0\0z");
    });

    it("append goes to the current end even with several writers", async () => {
      const fs = await make();
      await write(fs, "/log", "");
      const a = (await fs.openWrite("/log", { append: true })).getWriter();
      const b = (await fs.openWrite("/log", { append: true })).getWriter();
      await a.write(enc.encode("1"));
      await b.write(enc.encode("2"));
      await a.write(enc.encode("3"));
      await a.close();
      await b.close();
      assert.equal(await read(fs, "/log"), "123");
    });

    it("open errors", async () => {
      const fs = await make();
      await fs.mkdir("/d");
      await write(fs, "/file", "x");
      await rejectsKind(fs.openRead("/missing"), "not-found");
      await rejectsKind(fs.openRead("/d"), "is-a-directory");
      await rejectsKind(fs.openRead("/file/x"), "not-a-directory");
      await rejectsKind(fs.openWrite("/d"), "is-a-directory");
      await rejectsKind(fs.openWrite("/"), "is-a-directory");
      await rejectsKind(fs.openWrite("/nodir/x"), "not-found");
      await rejectsKind(fs.openWrite("/file/x"), "not-a-directory");
    });

    it("unlink and rmdir", async () => {
      const fs = await make();
      await fs.mkdir("/d/e", { parents: true });
      await write(fs, "/d/f", "x");
      await rejectsKind(fs.unlink("/missing"), "not-found");
      await rejectsKind(fs.unlink("/d"), "is-a-directory");
      await rejectsKind(fs.rmdir("/d"), "not-empty");
      await rejectsKind(fs.rmdir("/d/f"), "not-a-directory");
      await rejectsKind(fs.rmdir("/missing"), "not-found");
      await fs.unlink("/d/f");
      assert.equal(await fs.exists("/d/f"), false);
      await fs.rmdir("/d/e");
      await fs.rmdir("/d");
      assert.deepEqual(await names(fs, "/"), []);
      await assert.rejects(fs.rmdir("/"), PathIOError);
    });

    it("rename files and directories", async () => {
      const fs = await make();
      await fs.mkdir("/a/b", { parents: true });
      await write(fs, "/a/b/f", "data");
      await fs.rename("/a/b/f", "/a/g");
      assert.equal(await read(fs, "/a/g"), "data");
      assert.equal(await fs.exists("/a/b/f"), false);
      await fs.rename("/a", "/z");
      assert.equal(await read(fs, "/z/g"), "data");
      assert.equal(await fs.isDir("/z/b"), true);
      await write(fs, "/z/h", "other");
      await fs.rename("/z/h", "/z/g"); // replaces a file
      assert.equal(await read(fs, "/z/g"), "other");
      await fs.rename("/z/g", "/z/g"); // same path: no-op
      assert.equal(await read(fs, "/z/g"), "other");
      await rejectsKind(fs.rename("/missing", "/x"), "not-found");
      await rejectsKind(fs.rename("/z/g", "/nodir/x"), "not-found");
      await rejectsKind(fs.rename("/z/g", "/z/b"), "is-a-directory");
      await write(fs, "/z/b/inner", "1");
      await fs.mkdir("/y");
      await rejectsKind(fs.rename("/y", "/z/b"), "not-empty");
      await rejectsKind(fs.rename("/y", "/z/g"), "not-a-directory");
      await fs.mkdir("/empty");
      await fs.rename("/y", "/empty"); // replaces an empty directory
      assert.equal(await fs.exists("/y"), false);
      await assert.rejects(fs.rename("/z", "/z/b/inside"), PathIOError);
      assert.equal(await read(fs, "/z/b/inner"), "1");
    });

    it("list gives names and stats without . and ..", async () => {
      const fs = await make();
      await fs.mkdir("/d/sub", { parents: true });
      await write(fs, "/d/a.txt", "abc");
      await write(fs, "/d/b c.txt", "");
      const entries = new Map<string, { type: string; size: number }>();
      for await (const e of fs.list("/d")) entries.set(e.name, e.stat);
      assert.deepEqual([...entries.keys()].sort(), ["a.txt", "b c.txt", "sub"]);
      assert.equal(entries.get("a.txt")?.type, "file");
      assert.equal(entries.get("a.txt")?.size, 3);
      assert.equal(entries.get("sub")?.type, "dir");
      await rejectsKind(names(fs, "/missing"), "not-found");
      await rejectsKind(names(fs, "/d/a.txt"), "not-a-directory");
      assert.deepEqual(await names(fs, "/d/sub"), []);
    });

    it("setMtime (when the storage has it)", async () => {
      const fs = await make();
      if (!fs.setMtime) return;
      await write(fs, "/f", "x");
      const when = new Date("2001-02-03T04:05:06Z");
      await fs.setMtime("/f", when);
      assert.equal((await fs.stat("/f")).mtime.getTime(), when.getTime());
      await rejectsKind(fs.setMtime("/missing", when), "not-found");
    });

    it("chmod (when the storage has it)", async () => {
      const fs = await make();
      if (!fs.chmod) return;
      await write(fs, "/f", "x");
      await fs.chmod("/f", 0o600);
      assert.equal((await fs.stat("/f")).mode! & 0o777, 0o600);
      await fs.chmod("/f", 0o644);
      assert.equal((await fs.stat("/f")).mode! & 0o777, 0o644);
      await rejectsKind(fs.chmod("/missing", 0o600), "not-found");
    });

    it("writing updates mtime (checked with setMtime, when the storage has it)", async () => {
      const fs = await make();
      if (!fs.setMtime) return;
      await write(fs, "/f", "x");
      const old = new Date("2000-01-01T00:00:00Z");
      await fs.setMtime("/f", old);
      await write(fs, "/f", "y", { append: true });
      assert.ok((await fs.stat("/f")).mtime.getTime() > old.getTime());
    });

    it("paths with .. and duplicate slashes stay inside the root", async () => {
      const fs = await make();
      await fs.mkdir("/a");
      await write(fs, "/../../a/../x.txt", "inside");
      assert.equal(await read(fs, "/x.txt"), "inside");
      assert.equal(await read(fs, "//a/..//x.txt"), "inside");
      assert.deepEqual(await names(fs, "/../.."), ["a", "x.txt"]);
    });

    it("backslashes are ordinary name characters", async () => {
      const fs = await make();
      await write(fs, "/a\\b", "bs");
      assert.deepEqual(await names(fs, "/"), ["a\\b"]);
      assert.equal(await read(fs, "/a\\b"), "bs");
      await rejectsKind(fs.stat("/..\\..\\etc"), "not-found");
    });

    it("NUL in a path is refused", async () => {
      const fs = await make();
      await assert.rejects(fs.stat("/a\0b"), InvalidPathError);
      await assert.rejects(fs.openWrite("/a\0b"), InvalidPathError);
      await assert.rejects(fs.mkdir("/\0"), InvalidPathError);
      await assert.rejects(fs.rename("/x", "/y\0"), PathIOError);
      await assert.rejects(names(fs, "/\0"), InvalidPathError);
    });

    it("a cancelled read and an aborted write leave the storage consistent", async () => {
      const fs = await make();
      const data = new Uint8Array(2 * 1024 * 1024).fill(7);
      await write(fs, "/f", data);
      const reader = (await fs.openRead("/f")).getReader();
      const first = await reader.read();
      assert.equal(first.done, false);
      await reader.cancel();
      const w = (await fs.openWrite("/g")).getWriter();
      await w.write(enc.encode("partial"));
      await w.abort(new Error("client went away"));
      assert.equal(await read(fs, "/g"), "partial");
      await fs.unlink("/g");
      await fs.unlink("/f");
    });
  });
}
