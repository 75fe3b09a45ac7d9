// The same PathIO behaviour, checked on every storage implementation.
import { after, before, describe, it as itAll } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { MemoryPathIO } from "../src/fs/memory_path_io.ts";
import { LocalPathIO } from "../src/fs/local_path_io.ts";
import type { PathIO } from "../src/fs/path_io.ts";
import { PathIOError, type PathIOErrorKind } from "../src/errors.ts";
import { InvalidPathError } from "../src/protocol/virtual_path.ts";
import { S3PathIO } from "../src/fs/s3/s3_path_io.ts";
import { S3_ACCESS_KEY, S3_SECRET_KEY, type S3Server, skipUnlessS3, startS3Server } from "./_s3_server.ts";

const temps: string[] = [];
after(() => {
  for (const t of temps) rmSync(t, { recursive: true, force: true });
});

// S3PathIO on a real S3 server (OpenStack Swift's s3api), one fresh key prefix per test.
// Where object storage cannot behave like a file system (no MFMT/CHMOD, appenders that do
// not see each other, aborted writes that leave nothing), the differences are asserted in
// tests/fs_s3.test.ts instead.
const S3_DIFFERS = [
  "append goes to the current end even with several writers",
  "setMtime and chmod",
  "writing updates mtime",
  "a cancelled read and an aborted write leave the storage consistent",
];
const skipS3 = skipUnlessS3();
let s3: S3Server | undefined;
let s3Tests = 0;
before(async () => {
  if (skipS3) return;
  s3 = await startS3Server();
  await s3.createBucket("conformance");
});
after(() => s3?.close());

const storages: [string, () => PathIO, { skip?: string | false; differs?: string[] }?][] = [
  ["MemoryPathIO", () => new MemoryPathIO()],
  ["LocalPathIO", () => {
    const root = mkdtempSync(join(tmpdir(), "anyftp-conf-"));
    temps.push(root);
    return new LocalPathIO({ root });
  }],
  ["LocalPathIO (asyncLookups)", () => {
    const root = mkdtempSync(join(tmpdir(), "anyftp-conf-"));
    temps.push(root);
    return new LocalPathIO({ root, asyncLookups: true });
  }],
  ["S3PathIO", () =>
    new S3PathIO({
      endpoint: s3!.endpoint,
      bucket: "conformance",
      prefix: `t${++s3Tests}`,
      credentials: { accessKeyId: S3_ACCESS_KEY, secretAccessKey: S3_SECRET_KEY },
    }), { skip: skipS3, differs: S3_DIFFERS }],
];

const enc = new TextEncoder();
const dec = new TextDecoder();

async function write(fs: PathIO, path: string, data: Uint8Array | string, options = {}) {
  const w = (await fs.openWrite(path, options)).getWriter();
  await w.write(typeof data === "string" ? enc.encode(data) : data);
  await w.close();
}

async function readAll(stream: ReadableStream<Uint8Array>): Promise<Uint8Array> {
  const parts: Uint8Array[] = [];
  let total = 0;
  const reader = stream.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    parts.push(value);
    total += value.byteLength;
  }
  const out = new Uint8Array(total);
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.byteLength;
  }
  return out;
}

async function read(fs: PathIO, path: string, offset?: number): Promise<string> {
  return dec.decode(await readAll(await fs.openRead(path, { offset })));
}

async function rejectsKind(promise: Promise<unknown>, kind: PathIOErrorKind) {
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

for (const [label, make, quirks = {}] of storages) {
  const it = (name: string, fn: () => Promise<void>) =>
    itAll(name, { skip: quirks.differs?.includes(name) && "differs by design: asserted in its own test file" }, fn);
  describe(`${label} conformance`, { skip: quirks.skip ?? false }, () => {
    it("mkdir, stat, exists, isFile, isDir", async () => {
      const fs = make();
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
      const fs = make();
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
      const fs = make();
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
      const fs = make();
      await write(fs, "/t.txt", "0123456789");
      assert.equal(await read(fs, "/t.txt", 0), "0123456789");
      assert.equal(await read(fs, "/t.txt", 3), "3456789");
      assert.equal(await read(fs, "/t.txt", 10), "");
      assert.equal(await read(fs, "/t.txt", 1000), "");
      await rejectsKind(fs.openRead("/t.txt", { offset: -1 }), "io");
    });

    it("plain write truncates; offset write overwrites in place and pads with NUL; append appends", async () => {
      const fs = make();
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
      const fs = make();
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
      const fs = make();
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
      const fs = make();
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
      const fs = make();
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
      const fs = make();
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

    it("setMtime and chmod", async () => {
      const fs = make();
      await write(fs, "/f", "x");
      const when = new Date("2001-02-03T04:05:06Z");
      await fs.setMtime!("/f", when);
      assert.equal((await fs.stat("/f")).mtime.getTime(), when.getTime());
      await fs.chmod!("/f", 0o600);
      assert.equal((await fs.stat("/f")).mode! & 0o777, 0o600);
      await fs.chmod!("/f", 0o644);
      assert.equal((await fs.stat("/f")).mode! & 0o777, 0o644);
      await rejectsKind(fs.setMtime!("/missing", when), "not-found");
      await rejectsKind(fs.chmod!("/missing", 0o600), "not-found");
    });

    it("writing updates mtime", async () => {
      const fs = make();
      await write(fs, "/f", "x");
      const old = new Date("2000-01-01T00:00:00Z");
      await fs.setMtime!("/f", old);
      await write(fs, "/f", "y", { append: true });
      assert.ok((await fs.stat("/f")).mtime.getTime() > old.getTime());
    });

    it("paths with .. and duplicate slashes stay inside the root", async () => {
      const fs = make();
      await fs.mkdir("/a");
      await write(fs, "/../../a/../x.txt", "inside");
      assert.equal(await read(fs, "/x.txt"), "inside");
      assert.equal(await read(fs, "//a/..//x.txt"), "inside");
      assert.deepEqual(await names(fs, "/../.."), ["a", "x.txt"]);
    });

    it("backslashes are ordinary name characters", async () => {
      const fs = make();
      await write(fs, "/a\\b", "bs");
      assert.deepEqual(await names(fs, "/"), ["a\\b"]);
      assert.equal(await read(fs, "/a\\b"), "bs");
      await rejectsKind(fs.stat("/..\\..\\etc"), "not-found");
    });

    it("NUL in a path is refused", async () => {
      const fs = make();
      await assert.rejects(fs.stat("/a\0b"), InvalidPathError);
      await assert.rejects(fs.openWrite("/a\0b"), InvalidPathError);
      await assert.rejects(fs.mkdir("/\0"), InvalidPathError);
      await assert.rejects(fs.rename("/x", "/y\0"), PathIOError);
      await assert.rejects(names(fs, "/\0"), InvalidPathError);
    });

    it("a cancelled read and an aborted write leave the storage consistent", async () => {
      const fs = make();
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
