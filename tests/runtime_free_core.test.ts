/**
 * The core is runtime-free: no `.ts` file under `src/` outside the socket adapters (`src/net/`)
 * and local storage (`src/fs/local_path_io.ts`) may reference `Deno.`, `Bun.`, `process.` or
 * import a `node:` module. Comments are stripped first, so JSDoc examples do not count.
 */
import assert from "node:assert/strict";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join, relative, sep } from "node:path";
import { describe, it } from "node:test";
import { fileURLToPath } from "node:url";

/**
 * Paths (relative to `src/`, `/`-separated) allowed to touch the runtime. The CLI (`cli/`:
 * process, local files, crypto for password hashes) is a program on top of the library, not
 * core (the common rules name src/net/, src/fs/local_path_io.ts and src/cli/).
 */
const ALLOWED = [/^net\//, /^fs\/local_path_io\.ts$/, /^cli\//];

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

/** Every rule broken by `source`, as "line N: rule". */
export function runtimeReferences(source: string): string[] {
  const hits: string[] = [];
  stripComments(source).split("\n").forEach((line, i) => {
    for (const [name, pattern] of RULES) if (pattern.test(line)) hits.push(`line ${i + 1}: ${name}`);
  });
  return hits;
}

/** `src/` of the checkout: next to `tests/` (Deno, Bun) or two up from `dist/tests/` (Node). */
function srcDir(): string {
  for (const base of ["../src/", "../../src/"]) {
    const dir = fileURLToPath(new URL(base, import.meta.url));
    if (existsSync(join(dir, "net", "types.ts"))) return dir;
  }
  throw new Error("src/ with .ts sources not found");
}

/** All `.ts` files under `dir` (bounded by the tree). */
function tsFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return tsFiles(path);
    return entry.name.endsWith(".ts") ? [path] : [];
  });
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

  it("no file outside src/net/ and src/fs/local_path_io.ts touches the runtime", () => {
    const src = srcDir();
    const offenders = tsFiles(src).flatMap((path) => {
      const name = relative(src, path).split(sep).join("/");
      if (ALLOWED.some((allowed) => allowed.test(name))) return [];
      return runtimeReferences(readFileSync(path, "utf8")).map((hit) => `src/${name} ${hit}`);
    });
    assert.deepEqual(offenders, [], "runtime APIs belong in src/net/ or src/fs/local_path_io.ts");
  });
});
