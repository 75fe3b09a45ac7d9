/**
 * The README shows every file of `examples/` word for word: each `<!-- example: path -->`
 * marker is followed by a fenced block equal to that file, and every example file has a
 * marker. (scripts/release_check.sh runs the files themselves, each on its runtime.)
 */
import assert from "node:assert/strict";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { fileURLToPath } from "node:url";

/** The checkout root: above `tests/` (Deno, Bun) or above `dist/tests/` (Node). */
function rootDir(): string {
  for (const base of ["../", "../../"]) {
    const dir = fileURLToPath(new URL(base, import.meta.url));
    if (existsSync(join(dir, "README.md")) && existsSync(join(dir, "examples"))) return dir;
  }
  throw new Error("checkout root with README.md and examples/ not found");
}

/** Each marker's path and the fenced block right after it (bounded by the README's lines). */
export function readmeExamples(readme: string): Map<string, string> {
  const found = new Map<string, string>();
  const lines = readme.split("\n");
  for (let i = 0; i < lines.length; i++) {
    const marker = /^<!-- example: (\S+) -->$/.exec(lines[i]!);
    if (!marker) continue;
    assert.match(lines[i + 1] ?? "", /^```\w/, `${marker[1]}: a fenced block must follow the marker`);
    const end = lines.indexOf("```", i + 2);
    assert.ok(end > i, `${marker[1]}: the fenced block never ends`);
    assert.ok(!found.has(marker[1]!), `${marker[1]} is shown twice`);
    found.set(marker[1]!, lines.slice(i + 2, end).join("\n") + "\n");
    i = end;
  }
  return found;
}

describe("README examples", () => {
  const root = rootDir();
  const readme = readFileSync(join(root, "README.md"), "utf8");
  const shown = readmeExamples(readme);

  it("the marker parser finds blocks and their text", () => {
    const text = ["a", "<!-- example: examples/x.ts -->", "```ts", "one", "", "two", "```", "b"].join("\n");
    assert.deepEqual([...readmeExamples(text)], [["examples/x.ts", "one\n\ntwo\n"]]);
  });

  it("every block after a marker is its file, word for word", () => {
    assert.ok(shown.size > 0, "no example markers in README.md");
    for (const [path, block] of shown) {
      assert.ok(existsSync(join(root, path)), `${path} is shown in README.md but does not exist`);
      assert.equal(block, readFileSync(join(root, path), "utf8"), `README.md differs from ${path}`);
    }
  });

  it("every example file is shown in the README", () => {
    const files = readdirSync(join(root, "examples")).filter((name) => !name.startsWith("_"));
    const missing = files.map((name) => `examples/${name}`).filter((path) => !shown.has(path));
    assert.deepEqual(missing, []);
  });
});
