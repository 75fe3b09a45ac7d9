import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { LocalPathIO } from "../src/fs/local_path_io.ts";
import { kindOfErrno, toPathIOError } from "../src/fs/_errno.ts";
import { PathIOError, type PathIOErrorKind } from "../src/errors.ts";
import type { DirEntry } from "../src/fs/path_io.ts";

const enc = new TextEncoder();
const dec = new TextDecoder();

async function rejectsKind(promise: Promise<unknown>, kind: PathIOErrorKind) {
  await assert.rejects(promise, (e: unknown) => {
    assert.ok(e instanceof PathIOError, `expected PathIOError, got ${e}`);
    assert.equal(e.kind, kind, `kind of: ${e.message}`);
    return true;
  });
}

async function readText(stream: ReadableStream<Uint8Array>): Promise<string> {
  const reader = stream.getReader();
  let text = "";
  for (;;) {
    const { done, value } = await reader.read();
    if (done) return text + dec.decode();
    text += dec.decode(value, { stream: true });
  }
}

async function writeText(fs: LocalPathIO, path: string, text: string) {
  const w = (await fs.openWrite(path)).getWriter();
  await w.write(enc.encode(text));
  await w.close();
}

async function listAll(fs: LocalPathIO, path: string): Promise<Map<string, DirEntry>> {
  const out = new Map<string, DirEntry>();
  for await (const e of fs.list(path)) out.set(e.name, e);
  return out;
}

// Layout:  base/outside/{secret.txt, dir/inner.txt, emptydir/}
//          base/root/{inside.txt, sub/, links...}
let base = "";
let root = "";
let outside = "";
let fs: LocalPathIO;
let fsAsync: LocalPathIO;
let secretMode = 0;
let secretMtime = 0;

before(() => {
  base = mkdtempSync(join(tmpdir(), "anyftp-local-"));
  root = join(base, "root");
  outside = join(base, "outside");
  mkdirSync(join(outside, "dir"), { recursive: true });
  mkdirSync(join(outside, "emptydir"));
  writeFileSync(join(outside, "secret.txt"), "SECRET");
  writeFileSync(join(outside, "dir", "inner.txt"), "INNER");
  mkdirSync(join(root, "sub"), { recursive: true });
  writeFileSync(join(root, "inside.txt"), "inside");
  writeFileSync(join(root, "sub", "deep.txt"), "deep");
  symlinkSync(join(outside, "secret.txt"), join(root, "abs-file-link"));
  symlinkSync("../outside/secret.txt", join(root, "rel-file-link"));
  symlinkSync(join(outside), join(root, "dir-link"));
  symlinkSync("../../outside", join(root, "sub", "rel-dir-link"));
  symlinkSync(join(outside, "not-yet.txt"), join(root, "dangling-out"));
  symlinkSync("inside.txt", join(root, "good-file-link"));
  symlinkSync("sub", join(root, "good-dir-link"));
  symlinkSync("missing-inside", join(root, "dangling-in"));
  secretMode = statSync(join(outside, "secret.txt")).mode;
  secretMtime = statSync(join(outside, "secret.txt")).mtimeMs;
  fs = new LocalPathIO({ root });
  fsAsync = new LocalPathIO({ root, alwaysAsync: true });
});

after(() => {
  rmSync(base, { recursive: true, force: true });
});

function outsideUntouched() {
  assert.equal(readFileSync(join(outside, "secret.txt"), "utf8"), "SECRET");
  assert.equal(readFileSync(join(outside, "dir", "inner.txt"), "utf8"), "INNER");
  assert.deepEqual(readdirSync(outside).sort(), ["dir", "emptydir", "secret.txt"]);
  assert.deepEqual(readdirSync(join(outside, "dir")), ["inner.txt"]);
  assert.deepEqual(readdirSync(join(outside, "emptydir")), []);
  assert.equal(statSync(join(outside, "secret.txt")).mode, secretMode);
  assert.equal(statSync(join(outside, "secret.txt")).mtimeMs, secretMtime);
}

// Both ways of running lookups (synchronous by default, or on the thread pool) must contain
// paths alike.
for (const alwaysAsync of [false, true]) {
  describe(`LocalPathIO containment${alwaysAsync ? " (alwaysAsync)" : ""}`, () => {
    const io = () => (alwaysAsync ? fsAsync : fs);

    it("`..` chains and absolute paths map inside the root", async () => {
      await rejectsKind(io().stat("/../../../outside/secret.txt"), "not-found");
      await rejectsKind(io().stat("../outside/secret.txt"), "not-found");
      await rejectsKind(io().stat(join(outside, "secret.txt")), "not-found");
      await rejectsKind(io().openRead("/../outside/secret.txt"), "not-found");
      assert.equal(await readText(await io().openRead("/../../inside.txt")), "inside");
      await writeText(io(), "/../escape.txt", "x");
      assert.equal(existsSync(join(root, "escape.txt")), true);
      assert.equal(existsSync(join(base, "escape.txt")), false);
      await io().mkdir("/../../mk", { parents: true });
      assert.equal(existsSync(join(root, "mk")), true);
      assert.equal(existsSync(join(base, "mk")), false);
      await io().rename("/../escape.txt", "/../../escape2.txt");
      assert.equal(existsSync(join(root, "escape2.txt")), true);
      assert.equal(existsSync(join(base, "escape2.txt")), false);
      await io().unlink("/escape2.txt");
      await io().rmdir("/mk");
      outsideUntouched();
    });

    it("file symlinks pointing outside (absolute and relative) are refused", async () => {
      for (const link of ["/abs-file-link", "/rel-file-link"]) {
        await rejectsKind(io().stat(link), "outside-root");
        await rejectsKind(io().openRead(link), "outside-root");
        await rejectsKind(io().openWrite(link), "outside-root");
        await rejectsKind(io().openWrite(link, { append: true }), "outside-root");
        await rejectsKind(io().openWrite(link, { offset: 0 }), "outside-root");
        await rejectsKind(io().setMtime(link, new Date(0)), "outside-root");
        await rejectsKind(io().chmod(link, 0o777), "outside-root");
        assert.equal(await io().exists(link), false);
        assert.equal(await io().isFile(link), false);
      }
      outsideUntouched();
    });

    it("directory symlinks pointing outside are refused for every operation", async () => {
      for (const link of ["/dir-link", "/sub/rel-dir-link"]) {
        await rejectsKind(io().stat(link), "outside-root");
        await rejectsKind(io().stat(`${link}/secret.txt`), "outside-root");
        await rejectsKind(listAll(io(), link), "outside-root");
        await rejectsKind(listAll(io(), `${link}/dir`), "outside-root");
        await rejectsKind(io().openRead(`${link}/secret.txt`), "outside-root");
        await rejectsKind(io().openWrite(`${link}/secret.txt`), "outside-root");
        await rejectsKind(io().openWrite(`${link}/new.txt`), "outside-root");
        await rejectsKind(io().mkdir(`${link}/newdir`), "outside-root");
        await rejectsKind(io().mkdir(`${link}/a/b`, { parents: true }), "outside-root");
        await rejectsKind(io().mkdir(`${link}/dir`, { parents: true }), "outside-root");
        await rejectsKind(io().rmdir(`${link}/emptydir`), "outside-root");
        await rejectsKind(io().unlink(`${link}/secret.txt`), "outside-root");
        await rejectsKind(io().rename(`${link}/secret.txt`, "/stolen.txt"), "outside-root");
        await rejectsKind(io().rename("/inside.txt", `${link}/planted.txt`), "outside-root");
        await rejectsKind(io().setMtime(`${link}/secret.txt`, new Date(0)), "outside-root");
        await rejectsKind(io().chmod(`${link}/secret.txt`, 0o600), "outside-root");
        assert.equal(await io().isDir(link), false);
      }
      assert.equal(await io().exists("/stolen.txt"), false);
      assert.equal(await io().exists("/inside.txt"), true);
      outsideUntouched();
    });

    it("a dangling symlink pointing outside cannot be used to create a file there", async () => {
      await rejectsKind(io().stat("/dangling-out"), "not-found");
      await assert.rejects(io().openWrite("/dangling-out"), PathIOError);
      await assert.rejects(io().openWrite("/dangling-out", { append: true }), PathIOError);
      await assert.rejects(io().openWrite("/dangling-out", { offset: 3 }), PathIOError);
      assert.equal(existsSync(join(outside, "not-yet.txt")), false);
      await assert.rejects(io().mkdir("/dangling-out"), PathIOError);
      assert.equal(existsSync(join(outside, "not-yet.txt")), false);
      outsideUntouched();
    });

    it("a symlink created inside the root after construction, pointing out, is refused", async () => {
      const local = new LocalPathIO({ root, alwaysAsync });
      await local.stat("/"); // root resolved and cached first
      symlinkSync(join(outside, "dir"), join(root, "late-link"));
      try {
        await rejectsKind(local.openRead("/late-link/inner.txt"), "outside-root");
        await rejectsKind(local.openWrite("/late-link/inner.txt"), "outside-root");
        await rejectsKind(local.openWrite("/late-link/x"), "outside-root");
      } finally {
        rmSync(join(root, "late-link"));
      }
      outsideUntouched();
    });

    it("symlinks that stay inside the root work and are listed with their virtual target", async () => {
      assert.equal(await readText(await io().openRead("/good-file-link")), "inside");
      assert.equal((await io().stat("/good-file-link")).type, "file");
      assert.equal(await io().isDir("/good-dir-link"), true);
      assert.equal(await readText(await io().openRead("/good-dir-link/deep.txt")), "deep");
      const entries = await listAll(io(), "/");
      assert.equal(entries.get("good-file-link")?.stat.type, "file");
      assert.equal(entries.get("good-file-link")?.stat.linkTarget, "/inside.txt");
      assert.equal(entries.get("good-dir-link")?.stat.type, "dir");
      assert.equal(entries.get("good-dir-link")?.stat.linkTarget, "/sub");
      // links out show as symlinks; host paths never appear
      assert.equal(entries.get("abs-file-link")?.stat.type, "symlink");
      assert.equal(entries.get("abs-file-link")?.stat.linkTarget, undefined);
      assert.equal(entries.get("dir-link")?.stat.type, "symlink");
      assert.equal(entries.get("dir-link")?.stat.linkTarget, undefined);
      assert.equal(entries.get("rel-file-link")?.stat.type, "symlink");
      assert.equal(entries.get("rel-file-link")?.stat.linkTarget, "../outside/secret.txt");
      assert.equal(entries.get("dangling-in")?.stat.type, "symlink");
      assert.equal(entries.get("inside.txt")?.stat.type, "file");
      assert.equal(entries.get("sub")?.stat.type, "dir");
      for (const e of entries.values()) assert.ok(!String(e.stat.linkTarget).includes(base));
    });

    it("removing or renaming a link inside the root acts on the link, not its target", async () => {
      symlinkSync(join(outside, "secret.txt"), join(root, "to-remove"));
      await io().rename("/to-remove", "/sub/renamed-link");
      await rejectsKind(io().stat("/sub/renamed-link"), "outside-root");
      await io().unlink("/sub/renamed-link");
      assert.equal(existsSync(join(root, "sub", "renamed-link")), false);
      outsideUntouched();
    });

    it("a root that is itself a symlink works", async () => {
      const linkRoot = join(base, `root-link${alwaysAsync ? "-async" : ""}`);
      symlinkSync(root, linkRoot);
      const viaLink = new LocalPathIO({ root: linkRoot, alwaysAsync });
      assert.equal(await readText(await viaLink.openRead("/inside.txt")), "inside");
      await rejectsKind(viaLink.stat("/dir-link"), "outside-root");
      assert.equal(viaLink.root, linkRoot);
    });

    it("a missing root reports not-found, and works once created", async () => {
      const later = join(base, `later${alwaysAsync ? "-async" : ""}`);
      const lfs = new LocalPathIO({ root: later, alwaysAsync });
      await rejectsKind(lfs.stat("/"), "not-found");
      assert.equal(await lfs.exists("/x"), false);
      mkdirSync(later);
      assert.equal(await lfs.isDir("/"), true);
    });

    it("a file as root is refused", async () => {
      const lfs = new LocalPathIO({ root: join(root, "inside.txt"), alwaysAsync });
      await rejectsKind(lfs.stat("/"), "not-a-directory");
    });

    it("FIFOs and other special files are not opened", async () => {
      if (process.platform === "win32") return;
      const { execFileSync } = await import("node:child_process");
      const fifo = join(root, "fifo");
      try {
        execFileSync("mkfifo", [fifo]);
      } catch {
        return; // no mkfifo here
      }
      try {
        assert.equal((await io().stat("/fifo")).type, "other");
        await rejectsKind(io().openRead("/fifo"), "permission");
        await rejectsKind(io().openWrite("/fifo"), "permission");
      } finally {
        rmSync(fifo);
      }
    });

    it("permission errors map to kind permission", async () => {
      if (process.getuid?.() === 0) return; // root ignores permission bits
      mkdirSync(join(root, "locked"));
      writeFileSync(join(root, "locked", "f"), "x");
      await io().chmod("/locked", 0o000);
      try {
        await rejectsKind(listAll(io(), "/locked"), "permission");
        await rejectsKind(io().openRead("/locked/f"), "permission");
      } finally {
        await io().chmod("/locked", 0o755);
        rmSync(join(root, "locked"), { recursive: true });
      }
    });
  });
}

describe("LocalPathIO Windows name rules", () => {
  it("with windowsNames, backslashes and colons are refused as outside-root", async () => {
    const win = new LocalPathIO({ root, windowsNames: true });
    for (
      const p of ["/..\\..\\secret.txt", "/sub\\deep.txt", "/C:", "/inside.txt:stream", "/a\\b"]
    ) {
      await rejectsKind(win.stat(p), "outside-root");
      await rejectsKind(win.openWrite(p), "outside-root");
      await rejectsKind(win.mkdir(p), "outside-root");
    }
    assert.equal(await win.exists("/sub\\deep.txt"), false);
    assert.equal(readdirSync(root).some((n) => n.includes("\\") || n.includes(":")), false);
    assert.equal(await readText(await win.openRead("/sub/deep.txt")), "deep");
  });

  it("without it (POSIX default), a backslash is an ordinary name character", async () => {
    await writeText(fs, "/back\\slash", "bs");
    assert.ok(readdirSync(root).includes("back\\slash"));
    assert.equal(await readText(await fs.openRead("/back\\slash")), "bs");
    await fs.unlink("/back\\slash");
  });
});

describe("LocalPathIO streams", () => {
  it("reads with large chunks, sized to what is left", async () => {
    const big = new LocalPathIO({ root, readChunkSize: 256 * 1024 });
    writeFileSync(join(root, "big.bin"), new Uint8Array(600 * 1024).fill(5));
    const reader = (await big.openRead("/big.bin")).getReader();
    const sizes: number[] = [];
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      sizes.push(value.byteLength);
      assert.equal(Object.getPrototypeOf(value), Uint8Array.prototype);
    }
    assert.deepEqual(sizes, [256 * 1024, 256 * 1024, 88 * 1024]);
    rmSync(join(root, "big.bin"));
  });

  it("files around the small-file size read the same in both modes, at offsets too", async () => {
    for (const alwaysAsync of [false, true]) {
      const lfs = new LocalPathIO({ root, alwaysAsync, readChunkSize: 64 * 1024 });
      for (const size of [0, 1, 4096, 64 * 1024 - 1, 64 * 1024, 64 * 1024 + 1, 200 * 1024]) {
        const data = new Uint8Array(size).map((_, i) => i % 251);
        writeFileSync(join(root, "sized.bin"), data);
        for (const offset of [0, 1, size, size + 5]) {
          const reader = (await lfs.openRead("/sized.bin", { offset })).getReader();
          const parts: Uint8Array[] = [];
          for (;;) {
            const { done, value } = await reader.read();
            if (done) break;
            assert.ok(value.byteLength > 0, "no empty chunks");
            parts.push(value);
          }
          const got = new Uint8Array(parts.reduce((n, p) => n + p.byteLength, 0));
          let at = 0;
          for (const p of parts) (got.set(p, at), (at += p.byteLength));
          assert.deepEqual(
            got,
            data.subarray(Math.min(offset, size)),
            `size ${size} offset ${offset}`,
          );
        }
      }
    }
    rmSync(join(root, "sized.bin"));
  });

  it("open read and write streams do not leak file descriptors", async () => {
    const fdDir = "/proc/self/fd";
    if (!existsSync(fdDir)) {
      if (process.env.CI) assert.fail("no /proc/self/fd to count descriptors on this CI host");
      return;
    }
    const count = () => readdirSync(fdDir).length;
    writeFileSync(join(root, "leak.bin"), new Uint8Array(300 * 1024).fill(1));
    writeFileSync(join(root, "leak-small.bin"), "s".repeat(1000));
    const small = new LocalPathIO({ root, readChunkSize: 64 * 1024 });
    const baseline = count();
    for (let i = 0; i < 100; i++) {
      // read one chunk then cancel
      const r = (await small.openRead("/leak.bin")).getReader();
      await r.read();
      await r.cancel();
      // read to the end
      await readText(await small.openRead("/leak.bin", { offset: i * 100 }));
      // cancel without reading
      await (await small.openRead("/leak.bin")).cancel();
      // small files (read whole when opened): to the end, and cancelled
      assert.equal((await readText(await small.openRead("/leak-small.bin"))).length, 1000);
      await (await small.openRead("/leak-small.bin", { offset: 10 })).cancel();
      // write and close
      const w = (await small.openWrite(`/leak-${i % 3}.txt`)).getWriter();
      await w.write(enc.encode("x"));
      await w.close();
      // write and abort
      const a = (await small.openWrite(`/leak-a.txt`, { append: true })).getWriter();
      await a.write(enc.encode("y"));
      await a.abort(new Error("gone"));
      // abort without writing
      await (await small.openWrite(`/leak-b.txt`)).abort();
    }
    // opening a read stream on a file that fails mid-read: error path closes too
    const after = count();
    assert.ok(after <= baseline + 3, `fds grew from ${baseline} to ${after}`);
    for (
      const f of ["leak.bin", "leak-0.txt", "leak-1.txt", "leak-2.txt", "leak-a.txt", "leak-b.txt"]
    ) {
      rmSync(join(root, f));
    }
  });

  it("a failing write closes the file and reports a PathIOError", async () => {
    const fdDir = "/proc/self/fd";
    const count = () => (existsSync(fdDir) ? readdirSync(fdDir).length : 0);
    const before = count();
    const w = (await fs.openWrite("/bad-write.txt")).getWriter();
    // a non-byte chunk is refused, and the refusal closes the file like any write error
    await assert.rejects(w.write(42 as unknown as Uint8Array), PathIOError);
    assert.ok(count() <= before);
    await assert.rejects(w.write(enc.encode("after the error")));
    rmSync(join(root, "bad-write.txt"));
  });
});

  it("an aborted write stream still writes every chunk it accepted (a resume starts there)", async () => {
    const w = (await fs.openWrite("/cut.bin")).getWriter();
    const chunks = [0, 1, 2, 3].map((n) => new Uint8Array(64 * 1024).fill(n + 1));
    // Accepted without waiting for the file: the first goes out, the rest queue behind it.
    for (const c of chunks) await w.write(c);
    await w.abort(new Error("the data connection was cut"));
    const stored = readFileSync(join(root, "cut.bin"));
    assert.equal(stored.byteLength, 4 * 64 * 1024);
    for (const [n, c] of chunks.entries()) {
      assert.ok(stored.subarray(n * c.byteLength, (n + 1) * c.byteLength).every((b) => b === n + 1));
    }
    rmSync(join(root, "cut.bin"));
  });

describe("errno mapping", () => {
  const cases: [string, PathIOErrorKind][] = [
    ["ENOENT", "not-found"],
    ["EEXIST", "exists"],
    ["ENOTDIR", "not-a-directory"],
    ["EISDIR", "is-a-directory"],
    ["ENOTEMPTY", "not-empty"],
    ["EACCES", "permission"],
    ["EPERM", "permission"],
    ["EROFS", "permission"],
    ["ENOSPC", "no-space"],
    ["EDQUOT", "no-space"],
    ["EIO", "io"],
    ["EWHATEVER", "io"],
  ];
  for (const [code, kind] of cases) {
    it(`${code} → ${kind}`, () => {
      const cause = Object.assign(new Error(code), { code });
      assert.equal(kindOfErrno(cause), kind);
      const e = toPathIOError("op", "/p", cause);
      assert.equal(e.kind, kind);
      assert.equal(e.cause, cause);
      assert.equal(e.path, "/p");
    });
  }
  it("non-errors and PathIOErrors", () => {
    assert.equal(kindOfErrno(undefined), "io");
    assert.equal(kindOfErrno("ENOENT"), "io");
    const original = new PathIOError("x", "/y", { kind: "exists" });
    assert.equal(toPathIOError("op", "/p", original), original);
  });
});
