/**
 * deno.json, jsr.json and package.json agree: name (`anyftp` on npm, `@anyftp/anyftp` on
 * JSR/Deno), version, and exports (`./src/x.ts` ↔ `./dist/src/x.js` + `.d.ts`), and every
 * export target exists.
 */
import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { fileURLToPath } from "node:url";

/** The checkout root: above `tests/` (Deno, Bun) or above `dist/tests/` (Node). */
function rootDir(): string {
  for (const base of ["../", "../../"]) {
    const dir = fileURLToPath(new URL(base, import.meta.url));
    if (existsSync(join(dir, "deno.json")) && existsSync(join(dir, "package.json"))) return dir;
  }
  throw new Error("checkout root with deno.json and package.json not found");
}

const root = rootDir();
const json = (name: string) => JSON.parse(readFileSync(join(root, name), "utf8"));
const deno = json("deno.json");
const jsr = json("jsr.json");
const pkg = json("package.json");

/** `./src/x.ts` → the npm export it must map to. */
function npmTarget(source: string): { types: string; default: string } {
  assert.match(source, /^\.\/.+\.ts$/, `${source} is not a ./….ts path`);
  const base = "./dist/" + source.slice(2, -3);
  return { types: base + ".d.ts", default: base + ".js" };
}

describe("package metadata", () => {
  it("names: anyftp on npm, @anyftp/anyftp on JSR and Deno", () => {
    assert.equal(pkg.name, "anyftp");
    assert.equal(deno.name, "@anyftp/anyftp");
    assert.equal(jsr.name, "@anyftp/anyftp");
  });

  it("one version everywhere", () => {
    assert.match(pkg.version, /^\d+\.\d+\.\d+(-[\w.]+)?$/);
    assert.equal(deno.version, pkg.version);
    assert.equal(jsr.version, pkg.version);
  });

  it("deno.json and jsr.json export the same entry points", () => {
    assert.deepEqual(deno.exports, jsr.exports);
  });

  it("package.json exports mirror them as dist/ .js + .d.ts", () => {
    assert.deepEqual(Object.keys(pkg.exports).sort(), Object.keys(jsr.exports).sort());
    for (const [key, source] of Object.entries(jsr.exports as Record<string, string>)) {
      assert.deepEqual(pkg.exports[key], npmTarget(source), `export "${key}"`);
    }
    assert.equal(pkg.main, pkg.exports["."].default);
    assert.equal(pkg.types, pkg.exports["."].types);
  });

  it("every export target exists (sources; and dist/ once built)", () => {
    const missing: string[] = [];
    const built = existsSync(join(root, "dist"));
    for (const source of Object.values(jsr.exports as Record<string, string>)) {
      if (!existsSync(join(root, source))) missing.push(source);
      if (!built) continue;
      for (const target of Object.values(npmTarget(source))) {
        if (!existsSync(join(root, target))) missing.push(target);
      }
    }
    for (const bin of Object.values((pkg.bin ?? {}) as Record<string, string>)) {
      if (built && !existsSync(join(root, bin))) missing.push(bin);
    }
    assert.deepEqual(missing, []);
  });
});
