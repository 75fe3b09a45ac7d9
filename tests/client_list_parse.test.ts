// Listing parsers against real listings captured from vsftpd and pyftpdlib (see
// tests/fixtures/listings/), documented DOS/IIS lines and RFC 3659 MLSx examples.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import process from "node:process";
import { fileURLToPath } from "node:url";
import { parseDosListLine, parseListLine, parseUnixListLine } from "../src/protocol/list_parse.ts";
import { isMlsxSelfOrParent, parseMlsxLine, parseMlsxTime } from "../src/protocol/mlsx_parse.ts";
import type { ParsedEntry } from "../src/protocol/list_entry.ts";

// Fixtures live in the source tree; under Node the test runs from dist/tests, so fall back to
// the working directory (the repository root in scripts/test.sh).
function fixture(name: string): string[] {
  const beside = fileURLToPath(new URL(`./fixtures/listings/${name}`, import.meta.url));
  const path = existsSync(beside) ? beside : join(process.cwd(), "tests/fixtures/listings", name);
  return readFileSync(path, "utf8").split(/\r?\n/).filter((l) => l !== "");
}

const NOW = new Date(Date.UTC(2026, 10, 26, 15, 0));

function byName(entries: (ParsedEntry | undefined)[]): Map<string, ParsedEntry> {
  const m = new Map<string, ParsedEntry>();
  for (const e of entries) if (e) m.set(e.name, e);
  return m;
}

for (const server of ["vsftpd", "pyftpdlib"]) {
  describe(`LIST lines captured from ${server}`, () => {
    const entries = byName(
      fixture(`${server}_list.txt`).map((l) => parseListLine(l, { now: NOW })),
    );
    it("parses every line", () => {
      assert.equal(entries.size, fixture(`${server}_list.txt`).length);
    });
    it("files with size, mode and dates (recent: this year; old: with year)", () => {
      const big = entries.get("big.bin")!;
      assert.equal(big.type, "file");
      assert.equal(big.size, 123456);
      assert.equal(big.mode, 0o640);
      assert.equal(big.modified?.toISOString(), "2026-11-26T14:55:00.000Z");
      const file = entries.get("file.txt")!;
      assert.equal(file.size, 5);
      assert.equal(file.modified?.toISOString(), "2019-03-04T00:00:00.000Z");
    });
    it("directories, names with inner double spaces", () => {
      assert.equal(entries.get("sub dir")?.type, "dir");
      assert.equal(entries.get("name with  spaces.txt")?.size, 1);
    });
    it("symlinks with targets, dangling too", () => {
      assert.deepEqual([entries.get("link")?.type, entries.get("link")?.linkTarget], [
        "symlink",
        "file.txt",
      ]);
      assert.deepEqual([entries.get("dangling")?.type, entries.get("dangling")?.linkTarget], [
        "symlink",
        "missing",
      ]);
    });
    it("other kinds (a FIFO) are 'other'", () => {
      assert.equal(entries.get("pipe")?.type, "other");
    });
  });
}

describe("MLSD lines captured from pyftpdlib", () => {
  const lines = fixture("pyftpdlib_mlsd.txt");
  const entries = byName(lines.map((l) => parseMlsxLine(l)));
  it("parses every line with facts", () => {
    assert.equal(entries.size, lines.length);
    const f = entries.get("file.txt")!;
    assert.equal(f.type, "file");
    assert.equal(f.size, 5);
    assert.equal(f.modified?.toISOString(), "2019-03-04T05:06:07.000Z");
    assert.equal(f.facts["perm"], "radfwMT");
    assert.equal(entries.get("sub dir")?.type, "dir");
    assert.equal(entries.get("name with  spaces.txt")?.size, 1);
  });
});

describe("MLSx facts (RFC 3659 examples and variants)", () => {
  const entries = fixture("rfc3659_mlsd.txt").map((l) => parseMlsxLine(l)!);
  it("cdir and pdir are recognised and skipped", () => {
    assert.equal(isMlsxSelfOrParent(entries[0]!), true);
    assert.equal(isMlsxSelfOrParent(entries[1]!), true);
    assert.equal(isMlsxSelfOrParent(entries[2]!), false);
  });
  it("fact names are case-insensitive; empty perm kept", () => {
    assert.equal(entries[2]!.name, "capmux.tar.z");
    assert.equal(entries[2]!.size, 25730);
    assert.equal(entries[2]!.facts["perm"], "");
    assert.equal(entries[2]!.modified?.toISOString(), "1994-07-28T09:58:54.000Z");
  });
  it("UNIX facts, fractional seconds", () => {
    assert.equal(entries[3]!.mode, 0o755);
    assert.equal(entries[3]!.owner, "ftp");
    assert.equal(entries[3]!.modified?.getUTCMilliseconds(), 123);
  });
  it("OS.unix=slink with target", () => {
    assert.equal(entries[4]!.type, "symlink");
    assert.equal(entries[4]!.linkTarget, "/pub/target");
  });
  it("names may hold ; and =", () => {
    assert.equal(entries[5]!.name, "semi;colon=name.txt");
  });
  it("MLST reply line with its leading space", () => {
    const e = parseMlsxLine(" type=file;size=9; /pub/a b.txt")!;
    assert.deepEqual([e.name, e.type, e.size], ["/pub/a b.txt", "file", 9]);
  });
  it("malformed input gives undefined", () => {
    assert.equal(parseMlsxLine("no-facts-no-space"), undefined);
    assert.equal(parseMlsxLine("type;size=1; x"), undefined);
    assert.equal(parseMlsxTime("2024013112"), undefined);
    assert.equal(parseMlsxTime("20241331120000"), undefined);
  });
});

describe("DOS/IIS listing lines", () => {
  const entries = byName(fixture("iis_dos.txt").map((l) => parseListLine(l)));
  it("parses every documented line", () => assert.equal(entries.size, 7));
  it("<DIR> and 12-hour times", () => {
    const d = entries.get("aspnet_client")!;
    assert.equal(d.type, "dir");
    assert.equal(d.modified?.toISOString(), "2024-01-31T15:45:00.000Z");
    assert.equal(entries.get("Program Files")?.modified?.toISOString(), "2000-04-27T21:09:00.000Z");
  });
  it("four-digit years, 12AM, sizes with separators, names with spaces", () => {
    assert.equal(entries.get("default.htm")?.size, 1234);
    assert.equal(entries.get("y2k.txt")?.modified?.toISOString(), "1999-12-01T00:00:00.000Z");
    assert.equal(entries.get("big file.zip")?.size, 1048576);
  });
  it("ISO dates with 24-hour times, junctions", () => {
    assert.equal(entries.get("iso dir")?.modified?.toISOString(), "2024-01-31T15:45:00.000Z");
    assert.equal(entries.get("Documents Link")?.type, "dir");
  });
  it("a Unix parser does not take DOS lines and vice versa", () => {
    assert.equal(parseUnixListLine("01-31-24  03:45PM       <DIR>          x"), undefined);
    assert.equal(parseDosListLine("-rw-r--r-- 1 0 0 5 Jan 01 12:00 x"), undefined);
  });
});

describe("Unix listing variants", () => {
  it("'total' headers and junk are not entries", () => {
    assert.equal(parseListLine("total 12"), undefined);
    assert.equal(parseListLine(""), undefined);
  });
  it("no group column, device files, ACL marker, setuid/sticky bits", () => {
    const a = parseUnixListLine("-rw-r--r-- 1 ftp 42 Jan 02 2020 nogroup.txt")!;
    assert.deepEqual([a.name, a.size, a.owner, a.group], ["nogroup.txt", 42, "ftp", undefined]);
    const b = parseUnixListLine("crw-rw-rw-  1 root root 1, 3 Jan 02  2020 null")!;
    assert.deepEqual([b.type, b.size], ["other", undefined]);
    const c = parseUnixListLine("drwxrwxrwt+ 9 root root 4096 Jan 02  2020 tmp")!;
    assert.deepEqual([c.type, c.mode], ["dir", 0o1777]);
    const d = parseUnixListLine("-rwsr-xr-x 1 root root 10 Jan 02  2020 su")!;
    assert.equal(d.mode, 0o4755);
  });
  it("a recent date in the future belongs to the previous year", () => {
    const e = parseUnixListLine("-rw-r--r-- 1 0 0 5 Dec 31 23:00 x", {
      now: new Date(Date.UTC(2026, 0, 5)),
    })!;
    assert.equal(e.modified?.toISOString(), "2025-12-31T23:00:00.000Z");
  });
  it("long-iso time style", () => {
    const e = parseUnixListLine("-rw-r--r-- 1 u g 7 2024-02-29 13:14 leap.txt")!;
    assert.equal(e.modified?.toISOString(), "2024-02-29T13:14:00.000Z");
  });
  it("a name that looks like a date stays whole; arrows only split symlinks", () => {
    const e = parseUnixListLine("-rw-r--r-- 1 0 0 5 Jan 02  2020 Jan 03 12:00 a -> b")!;
    assert.equal(e.name, "Jan 03 12:00 a -> b");
    assert.equal(e.linkTarget, undefined);
  });
});
