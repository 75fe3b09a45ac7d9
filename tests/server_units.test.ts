/**
 * Pure parts of the server: LIST and MLSx formatting, ASCII conversion, the control input
 * filter, permissions, users, listing options, the passive port pool.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { NoAvailablePortError, PathIsNotAbsoluteError } from "../src/errors.ts";
import { createMemoryNet } from "../src/net/memory.ts";
import { fromCrlfStream, toCrlfStream } from "../src/protocol/ascii_stream.ts";
import { formatListDate, formatListLine, formatListMode, isListableName } from "../src/protocol/list_format.ts";
import { parseUnixListLine } from "../src/protocol/list_parse.ts";
import {
  formatMlstFeature,
  formatMlsxFacts,
  formatMlsxLine,
  formatMlsxPerm,
  formatMlsxTime,
  parseMlstOptions,
} from "../src/protocol/mlsx_format.ts";
import { parseMlsxLine } from "../src/protocol/mlsx_parse.ts";
import { ControlInput } from "../src/server/_control_input.ts";
import { stripListOptions } from "../src/server/_list_options.ts";
import { PortPool } from "../src/server/_port_pool.ts";
import { resolveAccess } from "../src/server/permissions.ts";
import { User } from "../src/server/user.ts";
import { MemoryUserManager } from "../src/server/user_manager.ts";
import { bytes, readAll, text } from "./_support/mod.ts";

const NOW = new Date("2024-06-15T12:00:00Z");

describe("list_format", () => {
  it("formats modes like ls", () => {
    assert.equal(formatListMode("file", 0o644), "-rw-r--r--");
    assert.equal(formatListMode("dir", 0o755), "drwxr-xr-x");
    assert.equal(formatListMode("dir"), "drwxr-xr-x");
    assert.equal(formatListMode("file"), "-rw-r--r--");
    assert.equal(formatListMode("symlink"), "lrwxrwxrwx");
    assert.equal(formatListMode("file", 0o4755), "-rwsr-xr-x");
    assert.equal(formatListMode("dir", 0o1777), "drwxrwxrwt");
    assert.equal(formatListMode("file", 0o2644), "-rw-r-Sr--");
  });

  it("shows the time for recent entries and the year for old or future ones", () => {
    assert.equal(formatListDate(new Date("2024-06-01T08:05:00Z"), NOW), "Jun  1 08:05");
    assert.equal(formatListDate(new Date("2023-06-01T08:05:00Z"), NOW), "Jun  1  2023");
    assert.equal(formatListDate(new Date("2025-01-01T00:00:00Z"), NOW), "Jan  1  2025");
    assert.equal(formatListDate(new Date(NaN), NOW), "Jan  1  1970");
  });

  it("produces lines the Unix list parser reads back (name with spaces, symlink target)", () => {
    const file = formatListLine("my file.txt", { type: "file", size: 1234, mtime: new Date("2024-06-01T08:05:00Z") }, { now: NOW });
    assert.equal(file, "-rw-r--r--    1 ftp      ftp              1234 Jun  1 08:05 my file.txt");
    const parsed = parseUnixListLine(file, { now: NOW });
    assert.equal(parsed?.name, "my file.txt");
    assert.equal(parsed?.type, "file");
    assert.equal(parsed?.size, 1234);
    const link = formatListLine("l", { type: "symlink", size: 3, mtime: NOW, linkTarget: "a b" }, { now: NOW });
    assert.match(link, /^lrwxrwxrwx .* l -> a b$/);
    assert.equal(parseUnixListLine(link, { now: NOW })?.type, "symlink");
    const dir = formatListLine("d", { type: "dir", size: 0, mtime: NOW, owner: "some one", group: "" }, { now: NOW });
    assert.match(dir, /^drwxr-xr-x {4}2 some_one - /);
    assert.equal(parseUnixListLine(dir, { now: NOW })?.type, "dir");
  });

  it("refuses names with CR or LF", () => {
    assert.equal(isListableName("ok name"), true);
    assert.equal(isListableName("a\nb"), false);
    assert.equal(isListableName("a\rb"), false);
  });
});

describe("mlsx_format", () => {
  const stat = { type: "file" as const, size: 5, mtime: new Date("2024-01-31T12:00:05.250Z"), mode: 0o640, owner: "a;b", group: "g=1" };

  it("formats times as UTC YYYYMMDDHHMMSS", () => {
    assert.equal(formatMlsxTime(stat.mtime), "20240131120005");
    assert.equal(formatMlsxTime(new Date(NaN)), "19700101000000");
  });

  it("formats facts in a fixed order, only the selected ones, with safe values", () => {
    assert.equal(
      formatMlsxFacts(stat, { facts: ["unix.group", "unix.owner", "unix.mode", "perm", "modify", "size", "type"], access: { readable: true, writable: false } }),
      "type=file;size=5;modify=20240131120005;perm=r;unix.mode=0640;unix.owner=a_b;unix.group=g_1;",
    );
    assert.equal(formatMlsxFacts({ type: "dir", size: 0, mtime: stat.mtime }), "type=dir;modify=20240131120005;");
    assert.equal(formatMlsxFacts(stat, { facts: [] }), "");
    assert.equal(formatMlsxFacts(stat, { facts: ["type"], typeOverride: "cdir" }), "type=cdir;");
    assert.equal(formatMlsxFacts({ ...stat, type: "symlink" }, { facts: ["type"] }), "type=OS.unix=slink;");
  });

  it("perm facts follow access", () => {
    assert.equal(formatMlsxPerm("file", { readable: true, writable: true }), "rawdf");
    assert.equal(formatMlsxPerm("dir", { readable: true, writable: false }), "el");
    assert.equal(formatMlsxPerm("dir", { readable: false, writable: true }), "cmpdf");
    assert.equal(formatMlsxPerm("file", { readable: false, writable: false }), "");
  });

  it("lines round-trip through the client's MLSx parser", () => {
    const line = formatMlsxLine("a b;c.txt", stat, { access: { readable: true, writable: true } });
    assert.equal(line, "type=file;size=5;modify=20240131120005;perm=rawdf;unix.mode=0640; a b;c.txt");
    const parsed = parseMlsxLine(line);
    assert.equal(parsed?.name, "a b;c.txt");
    assert.equal(parsed?.type, "file");
    assert.equal(parsed?.size, 5);
  });

  it("FEAT marks selected facts; OPTS MLST parsing ignores unknown facts and case", () => {
    assert.equal(formatMlstFeature(["type", "size"]), "type*;size*;modify;perm;unix.mode;unix.owner;unix.group;");
    assert.deepEqual(parseMlstOptions("Type;SIZE;x.unknown;"), ["type", "size"]);
    assert.deepEqual(parseMlstOptions(""), []);
    assert.equal(parseMlstOptions("type; size"), undefined);
  });
});

async function through(ts: TransformStream<Uint8Array, Uint8Array>, chunks: Uint8Array[]): Promise<string> {
  const src = new ReadableStream<Uint8Array>({
    start(c) {
      for (const ch of chunks) c.enqueue(ch);
      c.close();
    },
  });
  return text(await readAll(src.pipeThrough(ts)));
}

/** Every way of cutting `s` into two or three chunks. */
function splits(s: string): Uint8Array[][] {
  const b = bytes(s);
  const out: Uint8Array[][] = [[b]];
  for (let i = 0; i <= b.length; i++) {
    out.push([b.subarray(0, i), b.subarray(i)]);
    for (let j = i; j <= b.length; j++) out.push([b.subarray(0, i), b.subarray(i, j), b.subarray(j)]);
  }
  return out;
}

describe("ascii_stream", () => {
  it("toCrlf turns bare LF into CRLF and keeps CRLF, however the input is chunked", async () => {
    for (const [input, expected] of [["a\nb\r\nc\n\n\r\r\n", "a\r\nb\r\nc\r\n\r\n\r\r\n"], ["\n", "\r\n"], ["", ""]]) {
      for (const chunks of splits(input!)) {
        assert.equal(await through(toCrlfStream(), chunks), expected, JSON.stringify(chunks.map(text)));
      }
    }
  });

  it("fromCrlf turns CRLF into LF and keeps a lone CR, however the input is chunked", async () => {
    for (const [input, expected] of [["a\r\nb\rc\r\n\r\r\n\r", "a\nb\rc\n\r\n\r"], ["\r\n", "\n"], ["x", "x"]]) {
      for (const chunks of splits(input!)) {
        assert.equal(await through(fromCrlfStream(), chunks), expected, JSON.stringify(chunks.map(text)));
      }
    }
  });

  it("passes chunks without line endings through untouched (no copy)", async () => {
    const chunk = bytes("no newline here");
    const ts = toCrlfStream();
    const writer = ts.writable.getWriter();
    const reader = ts.readable.getReader();
    void writer.write(chunk);
    assert.equal((await reader.read()).value, chunk);
  });
});

describe("control input filter", () => {
  async function filtered(chunks: number[][]): Promise<string> {
    const src = new ReadableStream<Uint8Array>({
      start(c) {
        for (const ch of chunks) c.enqueue(new Uint8Array(ch));
        c.close();
      },
    });
    const input = new ControlInput(src);
    let out = "";
    // Bounded: the source holds a few chunks, then ends.
    for (let r = await input.read(); !r.done; r = await input.read()) {
      out += new TextDecoder("latin1").decode(r.value);
    }
    return out;
  }
  const b = (s: string) => [...bytes(s)];

  it("passes normal CRLF lines through", async () => {
    assert.equal(await filtered([b("USER a\r\nPASS b\r\n")]), "USER a\r\nPASS b\r\n");
  });

  it("ends a line at a bare CR (ftplib's urgent ABOR), also across chunks", async () => {
    assert.equal(await filtered([b("ABOR\rQUIT\r\n")]), "ABOR\r\nQUIT\r\n");
    assert.equal(await filtered([b("ABOR\r"), b("\nNOOP\r\n")]), "ABOR\r\nNOOP\r\n");
    assert.equal(await filtered([b("ABOR\r"), b("QUIT\r\n")]), "ABOR\r\nQUIT\r\n");
  });

  it("drops Telnet commands, keeps escaped 0xFF, and keeps data after a lone IAC", async () => {
    assert.equal(await filtered([[0xff, 0xf4, 0xff, 0xf2, ...b("ABOR\r\n")]]), "ABOR\r\n");
    assert.equal(await filtered([[0xff, 0xf4, 0xff], b("ABOR\r\n")]), "ABOR\r\n");
    assert.equal(await filtered([[0xff, 0xfb, 0x01, ...b("NOOP\r\n")]]), "NOOP\r\n");
    assert.equal(await filtered([[0xff], [0xfd], [0x03], b("NOOP\r\n")]), "NOOP\r\n");
    assert.equal(await filtered([[...b("a"), 0xff, 0xff, ...b("b\r\n")]]), "a\xffb\r\n");
  });
});

describe("permissions and users", () => {
  it("the nearest rule wins; no rule means no access", () => {
    const rules = [{ path: "/", writable: false }, { path: "/pub/in" }, { path: "/pub/in/ro", writable: false }, { path: "/hidden", readable: false }];
    assert.deepEqual(resolveAccess(rules, "/x"), { readable: true, writable: false });
    assert.deepEqual(resolveAccess(rules, "/pub/in"), { readable: true, writable: true });
    assert.deepEqual(resolveAccess(rules, "/pub/in/a/b"), { readable: true, writable: true });
    assert.deepEqual(resolveAccess(rules, "/pub/in/ro/x"), { readable: true, writable: false });
    assert.deepEqual(resolveAccess(rules, "/pub/inx"), { readable: true, writable: false });
    assert.deepEqual(resolveAccess(rules, "/hidden/a"), { readable: false, writable: true });
    assert.deepEqual(resolveAccess([{ path: "/only" }], "/other"), { readable: false, writable: false });
  });

  it("users validate paths, match logins, verify passwords", async () => {
    assert.throws(() => new User({ login: "a", homePath: "rel" }), PathIsNotAbsoluteError);
    assert.throws(() => new User({ login: "a", basePath: "rel" }), PathIsNotAbsoluteError);
    assert.throws(() => new User({}), TypeError);
    const u = new User({ login: "a", password: "pw", basePath: "/x/../y/", homePath: "/h/" });
    assert.equal(u.basePath, "/y");
    assert.equal(u.homePath, "/h");
    assert.equal(u.matches("a"), true);
    assert.equal(u.matches("A"), false);
    const ctx = { sessionId: 1, remote: { hostname: "127.0.0.1", port: 1 } };
    assert.equal(await u.verifyPassword("pw", ctx), true);
    assert.equal(await u.verifyPassword("pw2", ctx), false);
    assert.equal(await u.verifyPassword("", ctx), false);
    const anon = new User({ anonymous: true });
    assert.equal(anon.login, "anonymous");
    assert.ok(anon.matches("FTP") && anon.matches("Anonymous"));
    assert.deepEqual(anon.access("/"), { readable: true, writable: false });
    assert.equal(await anon.verifyPassword("anything", ctx), true);
    const m = new MemoryUserManager([{ login: "open" }, u]);
    assert.equal((await m.getUser("open")).kind, "ok");
    assert.equal((await m.getUser("a")).kind, "password-required");
    assert.equal((await m.getUser("nobody")).kind, "refused");
  });

  it("LIST options are stripped, paths kept", () => {
    assert.equal(stripListOptions("-la"), "");
    assert.equal(stripListOptions("-l -a dir name"), "dir name");
    assert.equal(stripListOptions("  -a  /x"), "/x");
    assert.equal(stripListOptions("file-name"), "file-name");
    assert.equal(stripListOptions("-"), "-");
  });
});

describe("passive port pool", () => {
  it("hands out each port of the range once and takes them back", async () => {
    const net = createMemoryNet();
    const pool = new PortPool({ min: 40000, max: 40002 });
    const a = await pool.open(net, "127.0.0.1");
    const b = await pool.open(net, "127.0.0.1");
    const c = await pool.open(net, "127.0.0.1");
    assert.deepEqual([a, b, c].map((x) => x.listener.addr.port).sort(), [40000, 40001, 40002]);
    await assert.rejects(pool.open(net, "127.0.0.1"), NoAvailablePortError);
    b.release();
    b.release();
    const d = await pool.open(net, "127.0.0.1");
    assert.equal(d.listener.addr.port, b.listener.addr.port);
    for (const x of [a, c, d]) x.release();
    assert.equal(pool.inUse, 0);
    assert.throws(() => new PortPool({ min: 10, max: 5 }), RangeError);
  });

  it("without a range, ports from the OS are reused in rotation, oldest freed first", async () => {
    const net = createMemoryNet();
    const pool = new PortPool();
    // Fresh ports until a few dozen were freed, so TIME_WAIT spreads over many ports.
    const first: number[] = [];
    for (let i = 0; i < 32; i++) {
      const p = await pool.open(net, "127.0.0.1");
      assert.ok(!first.includes(p.listener.addr.port));
      first.push(p.listener.addr.port);
      p.release();
    }
    const again = await pool.open(net, "127.0.0.1");
    assert.equal(again.listener.addr.port, first[0]);
    // Fewer than 32 left to rotate: a fresh one (and two open at once never share a port).
    const fresh = await pool.open(net, "127.0.0.1");
    assert.ok(!first.includes(fresh.listener.addr.port));
    again.release();
    fresh.release();
    // A remembered port someone else took meanwhile is skipped, and forgotten.
    const squatter = await net.listen({ hostname: "127.0.0.1", port: first[1]!, backlog: 1 });
    const third = await pool.open(net, "127.0.0.1");
    assert.equal(third.listener.addr.port, first[2]);
    squatter.close();
    third.release();
    const seen = new Set<number>();
    for (let i = 0; i < 40; i++) {
      const p = await pool.open(net, "127.0.0.1");
      assert.notEqual(p.listener.addr.port, first[1]);
      seen.add(p.listener.addr.port);
      p.release();
    }
    assert.ok(seen.size >= 30, `rotated over ${seen.size} ports`);
  });
});
