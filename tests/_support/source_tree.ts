/**
 * The checkout's source tree, for tests that read the code itself (runtime-free core,
 * architecture): where `src/` is, and its `.ts` files.
 *
 * @module
 */
import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

/** `src/` of the checkout: two up from `tests/_support/` (Deno, Bun) or three up from `dist/tests/_support/` (Node). */
export function srcDir(): string {
  for (const base of ["../../src/", "../../../src/"]) {
    const dir = fileURLToPath(new URL(base, import.meta.url));
    if (existsSync(join(dir, "net", "types.ts"))) return dir;
  }
  throw new Error("src/ with .ts sources not found");
}

/** All `.ts` files under `dir` (bounded by the tree). */
export function tsFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return tsFiles(path);
    return entry.name.endsWith(".ts") ? [path] : [];
  });
}
