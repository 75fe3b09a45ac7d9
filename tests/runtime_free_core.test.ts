/**
 * The core is runtime-free: no `.ts` file under `src/` outside the socket adapters (`src/net/`)
 * and local storage (`src/fs/local_path_io.ts`) may reference `Deno.`, `Bun.`, `process.` or
 * import a `node:` module. Comments are stripped first, so JSDoc examples do not count.
 * `src/testing/` may import `node:test` and `node:assert` (nothing else of the runtime).
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { relative, sep } from "node:path";
import { describe, it } from "node:test";
import { srcDir, tsFiles } from "./_support/source_tree.ts";

/**
 * Paths (relative to `src/`, `/`-separated) allowed to touch the runtime. The CLI (`cli/`:
 * process, local files, crypto for password hashes) is a program on top of the library, not
 * core (the common rules name src/net/, src/fs/local_path_io.ts and src/cli/).
 */
const ALLOWED = [/^net\//, /^fs\/(local_path_io|_local_[a-z_]+)\.ts$/, /^cli\//];

/**
 * `src/testing/` (the `anyftp/testing` export) registers its conformance suites with
 * `node:test` and asserts with `node:assert/strict`: that is the test API `deno test`,
 * `bun test` and `node --test` all run, so a user's suite runs on every runtime. Those two
 * imports are allowed there and nothing else (no `Deno.`, `Bun.`, `process.`, other `node:`
 * modules): the test server and the byte helpers stay on web globals.
 */
const TEST_API = /^testing\//;
const TEST_API_IMPORT = /(?:\bfrom\s*|\bimport\s*\(?\s*)["']node:(?:test|assert(?:\/strict)?)["']/g;

const RULES: [string, RegExp][] = [
  ["Deno.", /(?<![\w$./])Deno\s*\./],
  ["Bun.", /(?<![\w$./])Bun\s*\./],
  ["process.", /(?<![\w$./])process\s*\./],
  ["node: import", /(?:\bfrom\s*|\bimport\s*\(?\s*|\brequire\s*\(\s*)["']node:/],
];

/** Remove block and line comments (a `//` inside a string cuts that line short: harmless). */
export function stripComments(source: string): string {
  return source
    .replace(/\/\*[\s\S]*?\*\//g, (c) => c.replace(/[^\n]/g, " "))
    .replace(/(^|[^:"'`\\])\/\/.*$/gm, "$1");
}

/** Every rule broken by `source`, as "line N: rule"; `testApi` allows the node:test/assert imports. */
export function runtimeReferences(source: string, options: { testApi?: boolean } = {}): string[] {
  const hits: string[] = [];
  let code = stripComments(source);
  if (options.testApi) code = code.replace(TEST_API_IMPORT, "");
  code.split("\n").forEach((line, i) => {
    for (const [name, pattern] of RULES) if (pattern.test(line)) hits.push(`line ${i + 1}: ${name}`);
  });
  return hits;
}

describe("runtime-free core", () => {
  it("the scanner ignores comments and finds real references", () => {
    const clean = [
      "/** Run `Deno.serve` or `process.exit()`; see node:fs. */",
      "// import x from \"node:fs\";",
      "const url = \"ftp://Deno.land\"; // Bun.x",
      "export const p = this.process.x + subprocess.y;",
    ].join("\n");
    assert.deepEqual(runtimeReferences(clean), []);
    const dirty = [
      "import { readFile } from \"node:fs/promises\";",
      "const args = Deno.args;",
      "if (process.platform) Bun.gc();",
      "await import('node:net');",
    ].join("\n");
    assert.deepEqual(runtimeReferences(dirty), [
      "line 1: node: import",
      "line 2: Deno.",
      "line 3: Bun.",
      "line 3: process.",
      "line 4: node: import",
    ]);
  });

  it("src/testing/ may import node:test and node:assert, and nothing else of the runtime", () => {
    const suite = [
      "import assert from \"node:assert/strict\";",
      "import { describe, it } from \"node:test\";",
      "import { ok } from \"node:assert\";",
    ].join("\n");
    assert.deepEqual(runtimeReferences(suite, { testApi: true }), []);
    assert.equal(runtimeReferences(suite).length, 3);
    const other = [
      "import { createHash } from \"node:crypto\";",
      "const port = Deno.env.get(\"PORT\");",
      "import { testing } from \"node:testing\";",
    ].join("\n");
    assert.deepEqual(runtimeReferences(other, { testApi: true }), [
      "line 1: node: import",
      "line 2: Deno.",
      "line 3: node: import",
    ]);
  });

  it("no file outside src/net/ and src/fs/local_path_io.ts touches the runtime", () => {
    const src = srcDir();
    const offenders = tsFiles(src).flatMap((path) => {
      const name = relative(src, path).split(sep).join("/");
      if (ALLOWED.some((allowed) => allowed.test(name))) return [];
      const source = readFileSync(path, "utf8");
      return runtimeReferences(source, { testApi: TEST_API.test(name) }).map((hit) => `src/${name} ${hit}`);
    });
    assert.deepEqual(offenders, [], "runtime APIs belong in src/net/ or src/fs/local_path_io.ts");
  });
});
