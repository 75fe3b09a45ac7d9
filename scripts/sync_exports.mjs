#!/usr/bin/env node
// The package's exports are written once, in deno.json ("./net/node": "./src/net/node.ts").
// This script derives the three other maps from it: jsr.json's exports (the same),
// package.json's exports (dist/ .js + .d.ts), and the doc check's import map
// (doc_check.deno.json: anyftp/… and jsr:@anyftp/anyftp@^version/… to the sources) with
// deno.json's compilerOptions.
// tests/package_consistency.test.ts fails when they disagree: run `node scripts/sync_exports.mjs`.
import { readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const read = (name) => JSON.parse(readFileSync(join(root, name), "utf8"));
const write = (name, value) => writeFileSync(join(root, name), JSON.stringify(value, null, 2) + "\n");

const deno = read("deno.json");
const exports = deno.exports;
const dist = (source) => {
  const base = "./dist/" + source.slice(2).replace(/\.ts$/, "");
  return { types: `${base}.d.ts`, default: `${base}.js` };
};

const jsr = read("jsr.json");
jsr.exports = exports;
write("jsr.json", jsr);

const pkg = read("package.json");
pkg.exports = Object.fromEntries(Object.entries(exports).map(([key, source]) => [key, dist(source)]));
pkg.main = pkg.exports["."].default;
pkg.types = pkg.exports["."].types;
write("package.json", pkg);

const doc = read("doc_check.deno.json");
const imports = {};
for (const [key, source] of Object.entries(exports)) imports["anyftp" + key.slice(1)] = source;
for (const [key, source] of Object.entries(exports)) imports[`jsr:@anyftp/anyftp@^${pkg.version}` + key.slice(1)] = source;
imports["npm:anyftp"] = exports["."];
doc.imports = imports;
// The examples are checked with the same strictness as the code (unused names are fine in them).
doc.compilerOptions = { ...deno.compilerOptions, noUnusedLocals: false, noUnusedParameters: false, types: ["node"] };
write("doc_check.deno.json", doc);
console.log(`exports synced: ${Object.keys(exports).length} entries`);
