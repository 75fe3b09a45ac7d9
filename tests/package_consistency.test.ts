/**
 * deno.json, jsr.json and package.json agree: name (`anyftp` on npm, `@anyftp/anyftp` on
 * JSR/Deno), version, and exports (`./src/x.ts` ↔ `./dist/src/x.js` + `.d.ts`), and every
 * export target exists. The release metadata holds: an MIT LICENSE, a repository, no install
 * script in the npm manifest, JSR publishing only the library, a CHANGELOG entry for the
 * version, and the doc check's import map equal to the exports.
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
    if (existsSync(join(dir, "deno.json")) && existsSync(join(dir, "package.json"))) return dir;
  }
  throw new Error("checkout root with deno.json and package.json not found");
}

const root = rootDir();
const json = (name: string) => JSON.parse(readFileSync(join(root, name), "utf8"));
const deno = json("deno.json");
const jsr = json("jsr.json");
const pkg = json("package.json");
const docCheck = json("doc_check.deno.json");
const text = (name: string) => readFileSync(join(root, name), "utf8");

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

describe("release metadata", () => {
  it("LICENSE is the MIT license of the anyftp authors, and both manifests say MIT", () => {
    const license = text("LICENSE");
    assert.match(license, /^MIT License\n/);
    assert.match(license, /Copyright \(c\) \d{4} the anyftp authors/);
    assert.match(license, /THE SOFTWARE IS PROVIDED "AS IS"/);
    assert.equal(pkg.license, "MIT");
    assert.ok(pkg.files.includes("LICENSE") && pkg.files.includes("README.md"));
  });

  it("package.json names a repository and ships no install script", () => {
    assert.equal(pkg.repository?.type, "git");
    assert.match(pkg.repository?.url ?? "", /^git\+https:\/\/.+\.git$/);
    // npm warns about these for a tarball install (prepare runs for non-registry installs).
    for (const script of ["preinstall", "install", "postinstall", "prepare"]) {
      assert.equal(pkg.scripts?.[script], undefined, `scripts.${script} would run on install`);
    }
    assert.equal(pkg.type, "module");
  });

  it("JSR publishes exactly mod.ts, src/, README.md and LICENSE (deno.json wins over jsr.json)", () => {
    const library = ["mod.ts", "src/", "README.md", "LICENSE"];
    assert.deepEqual(deno.publish, { include: library });
    assert.deepEqual(jsr.publish, deno.publish);
  });

  it("the README and the examples import jsr:@anyftp/anyftp at the current version", () => {
    const sources = ["README.md", ...readdirSync(join(root, "examples")).map((f) => `examples/${f}`)];
    const stale = sources.flatMap((name) =>
      [...text(name).matchAll(/jsr:@anyftp\/anyftp@\^([\w.-]+)/g)]
        .filter((m) => m[1] !== pkg.version)
        .map((m) => `${name}: ${m[0]}`)
    );
    assert.deepEqual(stale, []);
  });

  it("CHANGELOG.md has an entry for the current version", () => {
    const changelog = text("CHANGELOG.md");
    assert.match(changelog, new RegExp(`^## \\[?${pkg.version.replaceAll(".", "\\.")}\\]?`, "m"));
  });

  it("the doc check maps anyftp/… and jsr:@anyftp/anyftp@^version/… to exactly the exports", () => {
    const expected: Record<string, string> = {};
    for (const [key, source] of Object.entries(jsr.exports as Record<string, string>)) {
      expected["anyftp" + key.slice(1)] = source;
    }
    for (const [key, source] of Object.entries(jsr.exports as Record<string, string>)) {
      expected[`jsr:@anyftp/anyftp@^${pkg.version}` + key.slice(1)] = source;
    }
    expected["npm:anyftp"] = jsr.exports["."];
    assert.deepEqual(docCheck.imports, expected);
  });
});
