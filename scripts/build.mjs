// Build dist/ with tsc (what npm ships and what Node's tests run), then point the relative
// imports of the emitted .d.ts files at .js: tsc rewrites `./x.ts` to `./x.js` in JavaScript
// (rewriteRelativeImportExtensions) but keeps `.ts` in declarations, which only TypeScript 5+
// and Deno resolve; `.js` is the form every consumer of an npm package understands.
// `--clean` removes dist/ first (npm pack and publish, through prepack: no output of a
// deleted source ships). The package's bin files are made executable: `npx anyftp` in a
// checkout runs dist/src/cli/main.js through a link npm made once, and a file tsc wrote anew
// has no execute bit. Node only, no shell.
import { spawnSync } from "node:child_process";
import { chmodSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("../", import.meta.url));
const dist = join(root, "dist");
if (process.argv.includes("--clean")) rmSync(dist, { recursive: true, force: true });
const tsc = join(root, "node_modules", "typescript", "bin", "tsc");
const run = spawnSync(process.execPath, [tsc, "-p", "tsconfig.json"], { cwd: root, stdio: "inherit" });
if (run.status !== 0) process.exit(run.status ?? 1);

/** Every `.d.ts` under `dir`. */
function declarations(dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return declarations(path);
    return entry.name.endsWith(".d.ts") ? [path] : [];
  });
}

const RELATIVE_TS = /(["'])(\.\.?\/[^"'\n]*?)\.ts\1/g;
for (const file of declarations(dist)) {
  const source = readFileSync(file, "utf8");
  const rewritten = source.replace(RELATIVE_TS, "$1$2.js$1");
  if (rewritten !== source) writeFileSync(file, rewritten);
}

const { bin = {} } = JSON.parse(readFileSync(join(root, "package.json"), "utf8"));
for (const file of Object.values(bin)) chmodSync(join(root, file), 0o755);
