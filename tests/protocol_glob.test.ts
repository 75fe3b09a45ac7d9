/**
 * The glob matcher (NLST/LIST patterns) and the unsafe-name check: pure functions.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { globMatcher, hasGlob } from "../src/protocol/glob.ts";
import { unsafeNameReason } from "../src/protocol/name_check.ts";

/** The reference: a backtracking RegExp, fine on short harmless inputs. */
function reference(pattern: string, name: string): boolean {
  const re = new RegExp(
    "^" +
      [...pattern].map((ch) =>
        ch === "*" ? ".*" : ch === "?" ? "." : ch.replace(/[\\^$.|+()[\]{}]/g, "\\$&")
      )
        .join("") +
      "$",
    "su",
  );
  return re.test(name);
}

describe("globMatcher", () => {
  it("matches like a shell pattern", () => {
    const cases: [string, string, boolean][] = [
      ["*.txt", "a.txt", true],
      ["*.txt", "a.txt.gz", false],
      ["*", "", true],
      ["", "", true],
      ["", "a", false],
      ["a?c", "abc", true],
      ["a?c", "ac", false],
      ["a*b*c", "abc", true],
      ["a*b*c", "aXbYc", true],
      ["a*b*c", "acb", false],
      ["*ab", "aab", true],
      ["ab*ab", "ab", false],
      ["ab*ab", "abab", true],
      ["*a*", "bab", true],
      ["**x**", "x", true],
      ["?", "é", true],
      ["?", "😀", true],
      ["??", "😀", false],
      ["[ab].*", "[ab].c", true],
      ["a.c", "abc", false],
    ];
    for (const [pattern, name, want] of cases) {
      assert.equal(globMatcher(pattern)(name), want, `${pattern} ~ ${name}`);
      assert.equal(reference(pattern, name), want, `reference ${pattern} ~ ${name}`);
    }
  });

  it("agrees with a backtracking RegExp on random short inputs (seeded)", () => {
    let seed = 12345;
    const rnd = (n: number) => {
      seed = (seed * 1103515245 + 12345) >>> 0;
      return (seed >>> 16) % n;
    };
    const alphabet = ["a", "b", "*", "?"];
    for (let i = 0; i < 3000; i++) {
      const pattern = Array.from({ length: rnd(7) }, () => alphabet[rnd(4)]).join("");
      const name = Array.from({ length: rnd(9) }, () => "ab"[rnd(2)]).join("");
      assert.equal(globMatcher(pattern)(name), reference(pattern, name), `${pattern} ~ ${name}`);
    }
  });

  it("a hostile pattern costs bounded work (the RegExp would take ages)", () => {
    const name = "a".repeat(4000);
    const pattern = "*a".repeat(1000) + "*b";
    let calls = 0;
    const match = globMatcher(pattern);
    for (let i = 0; i < 20; i++) {
      assert.equal(match(name), false);
      calls++;
    }
    assert.equal(calls, 20);
    // Within the budget the answer is exact; past it the name does not match.
    assert.equal(globMatcher("*a*a*a*b")("a".repeat(60) + "b"), true);
    assert.equal(globMatcher("*a*a*a*b", { maxSteps: 3 })("a".repeat(60) + "b"), false);
  });

  it("hasGlob tells patterns from names", () => {
    assert.equal(hasGlob("*.txt"), true);
    assert.equal(hasGlob("a?"), true);
    assert.equal(hasGlob("plain.txt"), false);
  });
});

describe("unsafeNameReason", () => {
  it("refuses control characters and U+FFFD, accepts the rest", () => {
    for (const bad of ["a\x1bb", "bell\x07", "tab\there", "del\x7f", "\x01", "bad\uFFFDutf8"]) {
      assert.ok(unsafeNameReason(bad), JSON.stringify(bad));
    }
    for (const ok of ["report.txt", "with space", "ünïcødé", "日本語", "😀", "a\u0080b"]) {
      assert.equal(unsafeNameReason(ok), undefined, ok);
    }
  });
});
