import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { MemoryPathIO } from "../src/fs/memory_path_io.ts";
import { PathIOError } from "../src/errors.ts";

const enc = new TextEncoder();

async function chunksOf(stream: ReadableStream<Uint8Array>): Promise<Uint8Array[]> {
  const out: Uint8Array[] = [];
  const reader = stream.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) return out;
    out.push(value);
  }
}

describe("MemoryPathIO", () => {
  it("reads in chunks of readChunkSize, each a copy", async () => {
    const fs = new MemoryPathIO({ readChunkSize: 1000 });
    const w = (await fs.openWrite("/f")).getWriter();
    await w.write(new Uint8Array(2500).fill(1));
    await w.close();
    const chunks = await chunksOf(await fs.openRead("/f"));
    assert.deepEqual(chunks.map((c) => c.byteLength), [1000, 1000, 500]);
    chunks[0]?.fill(9); // mutating what a reader got must not change the file
    const again = await chunksOf(await fs.openRead("/f", { offset: 2400 }));
    assert.deepEqual(again.map((c) => c.byteLength), [100]);
    const first = await chunksOf(await fs.openRead("/f"));
    assert.equal(first[0]?.[0], 1);
  });

  it("a read stream follows writes made while it is open, like an open file", async () => {
    const fs = new MemoryPathIO({ readChunkSize: 2 });
    const w = (await fs.openWrite("/f")).getWriter();
    await w.write(enc.encode("ab"));
    const reader = (await fs.openRead("/f")).getReader();
    assert.deepEqual((await reader.read()).value, enc.encode("ab"));
    await w.write(enc.encode("cd"));
    const next = await reader.read();
    // the stream pulls one chunk ahead at most; either it saw the end or the new bytes
    if (!next.done) assert.deepEqual(next.value, enc.encode("cd"));
    reader.releaseLock();
  });

  it("many small writes grow the buffer amortised (large file built quickly)", async () => {
    const fs = new MemoryPathIO();
    const w = (await fs.openWrite("/f")).getWriter();
    const piece = new Uint8Array(1024).fill(3);
    for (let i = 0; i < 8192; i++) await w.write(piece); // 8 MiB in 1 KiB writes
    await w.close();
    assert.equal((await fs.stat("/f")).size, 8 * 1024 * 1024);
    assert.equal(fs.usedBytes, 8 * 1024 * 1024);
  });

  it("quota: a write over maxBytes fails with no-space and keeps the earlier bytes", async () => {
    const fs = new MemoryPathIO({ maxBytes: 10 });
    const w = (await fs.openWrite("/f")).getWriter();
    await w.write(enc.encode("12345678"));
    await assert.rejects(w.write(enc.encode("abc")), (e: unknown) => {
      assert.ok(e instanceof PathIOError);
      assert.equal(e.kind, "no-space");
      assert.equal(e.path, "/f");
      return true;
    });
    assert.equal((await fs.stat("/f")).size, 8);
    assert.equal(fs.usedBytes, 8);
    // overwriting in place does not need more space
    const o = (await fs.openWrite("/f", { offset: 0 })).getWriter();
    await o.write(enc.encode("ABCDEFGHIJ"));
    await o.close();
    assert.equal(fs.usedBytes, 10);
    // freeing space makes room again
    await fs.unlink("/f");
    assert.equal(fs.usedBytes, 0);
    const n = (await fs.openWrite("/g")).getWriter();
    await n.write(enc.encode("0123456789"));
    await n.close();
    assert.equal(fs.maxBytes, 10);
  });

  it("quota accounting follows truncate, rename over a file, and writes to unlinked files", async () => {
    const fs = new MemoryPathIO({ maxBytes: 100 });
    const put = async (p: string, s: string) => {
      const w = (await fs.openWrite(p)).getWriter();
      await w.write(enc.encode(s));
      await w.close();
    };
    await put("/a", "x".repeat(40));
    await put("/b", "y".repeat(30));
    assert.equal(fs.usedBytes, 70);
    await put("/a", "z".repeat(10)); // truncate + write
    assert.equal(fs.usedBytes, 40);
    await fs.rename("/a", "/b"); // /b's 30 bytes are gone
    assert.equal(fs.usedBytes, 10);
    const w = (await fs.openWrite("/b", { append: true })).getWriter();
    await fs.unlink("/b");
    assert.equal(fs.usedBytes, 0);
    await w.write(enc.encode("q".repeat(500))); // detached file: no quota, no leak in accounting
    await w.close();
    assert.equal(fs.usedBytes, 0);
  });

  it("offset write past the end pads with zeros even in reused capacity", async () => {
    const fs = new MemoryPathIO();
    const w1 = (await fs.openWrite("/f")).getWriter();
    await w1.write(new Uint8Array(100).fill(0xff));
    await w1.close();
    const w2 = (await fs.openWrite("/f")).getWriter(); // truncate
    await w2.write(new Uint8Array([1]));
    await w2.close();
    const w3 = (await fs.openWrite("/f", { offset: 5 })).getWriter();
    await w3.write(new Uint8Array([2]));
    await w3.close();
    const [bytes = new Uint8Array()] = await chunksOf(await fs.openRead("/f"));
    assert.deepEqual([...bytes], [1, 0, 0, 0, 0, 2]);
  });

  it("one instance is shared: changes are visible through every reference", async () => {
    const fs = new MemoryPathIO();
    const sessionA = fs;
    const sessionB = fs;
    await sessionA.mkdir("/shared");
    assert.equal(await sessionB.isDir("/shared"), true);
  });

  it("maintains mtimes from the injected clock, including parent directories", async () => {
    let t = 1_000_000;
    const fs = new MemoryPathIO({ now: () => new Date(t) });
    t = 2_000_000;
    await fs.mkdir("/d");
    assert.equal((await fs.stat("/")).mtime.getTime(), 2_000_000);
    t = 3_000_000;
    const w = (await fs.openWrite("/d/f")).getWriter();
    assert.equal((await fs.stat("/d")).mtime.getTime(), 3_000_000);
    t = 4_000_000;
    await w.write(enc.encode("x"));
    await w.close();
    assert.equal((await fs.stat("/d/f")).mtime.getTime(), 4_000_000);
    t = 5_000_000;
    await fs.unlink("/d/f");
    assert.equal((await fs.stat("/d")).mtime.getTime(), 5_000_000);
    const st = await fs.stat("/d");
    st.mtime.setTime(0); // stat returns a copy
    assert.equal((await fs.stat("/d")).mtime.getTime(), 5_000_000);
  });

  it("default modes, nlink and chmod masking", async () => {
    const fs = new MemoryPathIO({ fileMode: 0o640, dirMode: 0o750 });
    await fs.mkdir("/d/e", { parents: true });
    const w = (await fs.openWrite("/d/f")).getWriter();
    await w.close();
    assert.equal((await fs.stat("/d")).mode, 0o750);
    assert.equal((await fs.stat("/d")).nlink, 3);
    assert.equal((await fs.stat("/d/f")).mode, 0o640);
    await fs.chmod("/d/f", 0o100755);
    assert.equal((await fs.stat("/d/f")).mode, 0o755);
  });

  it("rmdir and rename of the root are refused", async () => {
    const fs = new MemoryPathIO();
    await assert.rejects(fs.rmdir("/"), (e: unknown) => e instanceof PathIOError && e.kind === "permission");
    await assert.rejects(fs.rename("/", "/x"), (e: unknown) => e instanceof PathIOError && e.kind === "permission");
    await assert.rejects(fs.unlink("/"), (e: unknown) => e instanceof PathIOError && e.kind === "is-a-directory");
  });
});
