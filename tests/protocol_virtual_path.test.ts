import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { posix } from "node:path";
import {
  assertValidPath,
  basename,
  dirname,
  InvalidPathError,
  isVirtualPathInside,
  joinVirtualPath,
  normalizeVirtualPath,
  resolveVirtualPath,
  virtualPathSegments,
} from "../src/protocol/virtual_path.ts";
import { FtpError, PathIOError } from "../src/errors.ts";

describe("normalizeVirtualPath", () => {
  const cases: [string, string][] = [
    ["", "/"],
    ["/", "/"],
    ["//", "/"],
    [".", "/"],
    ["..", "/"],
    ["/..", "/"],
    ["/../../x", "/x"],
    ["/a/b/../../../..", "/"],
    ["../../../", "/"],
    ["/a/../b/..", "/"],
    ["a", "/a"],
    ["a/b", "/a/b"],
    ["/a/", "/a"],
    ["/a//b///c", "/a/b/c"],
    ["/a/./b/.", "/a/b"],
    ["/a/b/../c", "/a/c"],
    ["/a/.../b", "/a/.../b"],
    ["/a/..b/c..", "/a/..b/c.."],
    ["/~", "/~"],
    ["~/x", "/~/x"],
    ["/a\\..\\..\\etc", "/a\\..\\..\\etc"],
    ["\\..\\x", "/\\..\\x"],
    ["/ spaced name /x", "/ spaced name /x"],
    ["/ü/日本/🙂", "/ü/日本/🙂"],
    ["/C:/Windows", "/C:/Windows"],
  ];
  for (const [input, expected] of cases) {
    it(`${JSON.stringify(input)} → ${JSON.stringify(expected)}`, () => {
      assert.equal(normalizeVirtualPath(input), expected);
    });
  }

  it("is idempotent and agrees with posix.resolve from / on random paths", () => {
    let seed = 12345;
    const rand = (n: number) => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return seed % n;
    };
    const parts = ["", ".", "..", "a", "b", "...", "\\", "x y", "~"];
    for (let i = 0; i < 2000; i++) {
      const n = rand(8);
      const segs: string[] = [];
      for (let j = 0; j < n; j++) segs.push(parts[rand(parts.length)] ?? "");
      const p = (rand(2) ? "/" : "") + segs.join("/") + (rand(3) === 0 ? "/" : "");
      const got = normalizeVirtualPath(p);
      assert.equal(got, posix.resolve("/", p), p);
      assert.equal(normalizeVirtualPath(got), got);
      assert.ok(got.startsWith("/"));
      assert.ok(!got.split("/").includes(".."), p);
    }
  });

  it("rejects NUL anywhere with InvalidPathError (a PathIOError of kind io)", () => {
    for (const bad of ["\0", "/a\0", "/a/\0/b", "\0/..", "/x/y\0z"]) {
      assert.throws(() => normalizeVirtualPath(bad), (e: unknown) => {
        assert.ok(e instanceof InvalidPathError);
        assert.ok(e instanceof PathIOError);
        assert.ok(e instanceof FtpError);
        assert.equal(e.kind, "io");
        assert.equal(e.operation, "resolve");
        assert.equal(e.path, bad);
        assert.match(e.message, /NUL/);
        assert.ok(!e.message.includes("\0"), "the message escapes the NUL");
        assert.equal(e.name, "InvalidPathError");
        return true;
      });
    }
  });
});

describe("resolveVirtualPath", () => {
  const cases: [string, string, string][] = [
    ["/", "", "/"],
    ["/home/bob", "", "/home/bob"],
    ["/home/bob", ".", "/home/bob"],
    ["/home/bob", "..", "/home"],
    ["/home/bob", "../..", "/"],
    ["/home/bob", "../../../../..", "/"],
    ["/home/bob", "../../../etc/passwd", "/etc/passwd"],
    ["/home/bob", "x.txt", "/home/bob/x.txt"],
    ["/home/bob", "sub/dir/", "/home/bob/sub/dir"],
    ["/home/bob", "/etc", "/etc"],
    ["/home/bob", "//etc//x", "/etc/x"],
    ["/home/bob", "/../..", "/"],
    ["/home/bob", "~", "/home/bob/~"],
    ["/home/bob", "~/x", "/home/bob/~/x"],
    ["/home/bob", "\\etc", "/home/bob/\\etc"],
    ["/home/bob", "..\\..\\etc", "/home/bob/..\\..\\etc"],
    ["/", "../../../", "/"],
    ["/a", "../b/..", "/"],
    ["/home/bob", " leading space", "/home/bob/ leading space"],
  ];
  for (const [cwd, arg, expected] of cases) {
    it(`(${JSON.stringify(cwd)}, ${JSON.stringify(arg)}) → ${JSON.stringify(expected)}`, () => {
      assert.equal(resolveVirtualPath(cwd, arg), expected);
    });
  }

  it("normalises a sloppy cwd too", () => {
    assert.equal(resolveVirtualPath("/a//b/../", "c"), "/a/c");
    assert.equal(resolveVirtualPath("", "c"), "/c");
  });

  it("rejects NUL in the argument or the cwd", () => {
    assert.throws(() => resolveVirtualPath("/", "a\0"), InvalidPathError);
    assert.throws(() => resolveVirtualPath("/", "/a\0"), InvalidPathError);
    assert.throws(() => resolveVirtualPath("/x\0", "a"), InvalidPathError);
  });
});

describe("joinVirtualPath / basename / dirname / segments", () => {
  it("joins without restarting at an absolute name", () => {
    assert.equal(joinVirtualPath("/pub", "a.txt"), "/pub/a.txt");
    assert.equal(joinVirtualPath("/pub", "/a.txt"), "/pub/a.txt");
    assert.equal(joinVirtualPath("/pub/", "sub/../b"), "/pub/b");
    assert.equal(joinVirtualPath("/pub", "../../.."), "/");
    assert.equal(joinVirtualPath("/", ""), "/");
    assert.throws(() => joinVirtualPath("/", "\0"), InvalidPathError);
  });

  it("basename", () => {
    assert.equal(basename("/"), "");
    assert.equal(basename(""), "");
    assert.equal(basename("/a"), "a");
    assert.equal(basename("/a/b.txt"), "b.txt");
    assert.equal(basename("/a/b/"), "b");
    assert.equal(basename("/a/b/.."), "a");
    assert.equal(basename("/a\\b"), "a\\b");
    assert.throws(() => basename("/\0"), InvalidPathError);
  });

  it("dirname", () => {
    assert.equal(dirname("/"), "/");
    assert.equal(dirname("/a"), "/");
    assert.equal(dirname("/a/b"), "/a");
    assert.equal(dirname("/a/b/"), "/a");
    assert.equal(dirname("a/b/c"), "/a/b");
    assert.equal(dirname("/a/../b/c"), "/b");
    assert.throws(() => dirname("/\0"), InvalidPathError);
  });

  it("segments", () => {
    assert.deepEqual(virtualPathSegments("/"), []);
    assert.deepEqual(virtualPathSegments("/a//b/../c/"), ["a", "c"]);
    assert.deepEqual(virtualPathSegments("../x"), ["x"]);
  });

  it("isVirtualPathInside compares whole names", () => {
    assert.equal(isVirtualPathInside("/", "/anything"), true);
    assert.equal(isVirtualPathInside("/", "/"), true);
    assert.equal(isVirtualPathInside("/pub", "/pub"), true);
    assert.equal(isVirtualPathInside("/pub", "/pub/a/b"), true);
    assert.equal(isVirtualPathInside("/pub/", "/pub/a"), true);
    assert.equal(isVirtualPathInside("/pub", "/public"), false);
    assert.equal(isVirtualPathInside("/pub", "/"), false);
    assert.equal(isVirtualPathInside("/pub", "/pub/../etc"), false);
    assert.equal(isVirtualPathInside("/a/b", "/a"), false);
  });

  it("assertValidPath accepts everything but NUL", () => {
    assertValidPath("/a b\\c\r\n~");
    assert.throws(() => assertValidPath("\0"), InvalidPathError);
  });
});
