/**
 * The architecture, checked: the import specifiers of every file in `src/` (and `mod.ts`),
 * read with TypeScript's own pre-processor (static, type-only, re-export and dynamic imports;
 * comments and strings do not count), must keep
 *
 * - the layer direction errors ← net ← protocol | streams ← fs ← client | server ← cli:
 *   a file imports its own layer or a lower one (`testing/` anything but `cli/`; `mod.ts`
 *   anything);
 * - `src/net/` closed: outside it only the export-map entry points are imported; the shared
 *   core `src/net/_core/` imports only itself, `types.ts` and `errors.ts` (and no runtime
 *   module); each adapter (`node`, `deno`, `bun`, `memory`: its entry file and its folder)
 *   only the shared core, `types.ts`, `errors.ts` and itself; only the Node adapter imports
 *   `node:` modules, and the Deno and Bun adapters reach the Node adapter through exactly one
 *   named module each, `src/net/deno/_via_node.ts` and `src/net/bun/_via_node.ts`;
 * - no import cycle anywhere.
 *
 * @module
 */
import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import { dirname, join, relative, sep } from "node:path";
import { describe, it } from "node:test";
import ts from "typescript";
import { srcDir, tsFiles } from "./_support/source_tree.ts";

/** One source file: its imports inside the tree (repo paths) and those outside it. */
interface SourceFile {
  /** Imported files of the tree, as `/`-separated paths from the repository root. */
  readonly imports: readonly string[];
  /** Specifiers that are not relative: `node:net`, packages. */
  readonly external: readonly string[];
}

/** The import graph: repository path (`src/net/node.ts`) → what that file imports. */
type Graph = ReadonlyMap<string, SourceFile>;

/** Layers, lowest first; one rank may hold several layers that must not import each other. */
const RANK: Record<string, number> = {
  errors: 0,
  net: 1,
  protocol: 2,
  streams: 2,
  fs: 3,
  client: 4,
  server: 4,
  cli: 5,
};

/** The adapters: `src/net/<name>.ts` plus `src/net/<name>/`. */
const ADAPTERS = ["node", "deno", "bun", "memory"];

/** What `src/net/` offers the rest of the code: the files the export maps point to. */
const NET_ENTRIES = ["types", "auto", ...ADAPTERS].map((name) => `src/net/${name}.ts`);

/** The one module of the Deno adapter, and of the Bun adapter, allowed to import the Node adapter. */
const VIA_NODE = ["src/net/deno/_via_node.ts", "src/net/bun/_via_node.ts"];


/** The layer of a repository path: `errors`, `net`, …, `testing`, `mod`; `?` when unknown. */
function layerOf(path: string): string {
  if (path === "mod.ts") return "mod";
  if (path === "src/errors.ts") return "errors";
  const dir = /^src\/([^/]+)\//.exec(path)?.[1];
  return dir !== undefined && (dir in RANK || dir === "testing") ? dir : "?";
}

/** The adapter a repository path belongs to, if any. */
function adapterOf(path: string): string | undefined {
  const name = /^src\/net\/([^/._]+)(?:\.ts$|\/)/.exec(path)?.[1];
  return name !== undefined && ADAPTERS.includes(name) ? name : undefined;
}

/** Whether a file of layer `from` may import one of layer `to`. */
function layerAllows(from: string, to: string): boolean {
  if (from === "mod" || from === to) return true;
  if (from === "testing") return to !== "cli" && to !== "mod";
  return to in RANK && from in RANK && RANK[to]! < RANK[from]!;
}

/** Every broken layer rule, as "a → b (layer x imports layer y)". */
export function layerViolations(graph: Graph): string[] {
  const found: string[] = [];
  for (const [path, file] of graph) {
    const from = layerOf(path);
    if (from === "?") found.push(`${path}: not in any layer (add its folder to the layers)`);
    for (const target of file.imports) {
      const to = layerOf(target);
      if (!layerAllows(from, to)) found.push(`${path} → ${target} (layer ${from} imports ${to})`);
    }
  }
  return found;
}

/** Every broken `src/net/` rule (entry points, shared core, adapters). */
export function netViolations(graph: Graph): string[] {
  const found: string[] = [];
  const shared = (target: string) =>
    target === "src/errors.ts" || target === "src/net/types.ts" ||
    target.startsWith("src/net/_core/");
  for (const [path, file] of graph) {
    const adapter = adapterOf(path);
    for (const target of file.imports) {
      if (!path.startsWith("src/net/")) {
        if (target.startsWith("src/net/") && !NET_ENTRIES.includes(target)) {
          found.push(`${path} → ${target} (only src/net's entry points may be imported)`);
        }
      } else if (path.startsWith("src/net/_core/")) {
        if (!shared(target)) found.push(`${path} → ${target} (the shared net core imports only itself, types, errors)`);
      } else if (adapter !== undefined) {
        const own = target === `src/net/${adapter}.ts` || target.startsWith(`src/net/${adapter}/`);
        const viaNode = VIA_NODE.includes(path) && target.startsWith("src/net/node/");
        if (!shared(target) && !own && !viaNode) {
          found.push(`${path} → ${target} (an adapter imports only the shared net core, types, errors)`);
        }
      }
    }
    for (const specifier of file.external) {
      if (!path.startsWith("src/net/")) continue; // runtime_free_core.test.ts covers the rest
      if (adapter === "node" && specifier.startsWith("node:")) continue;
      found.push(`${path} imports "${specifier}" (in src/net/ only the Node adapter imports runtime modules)`);
    }
  }
  return found;
}

/** The import cycles (strongly connected components of two or more files, or a self-import). */
export function cycles(graph: Graph): string[][] {
  // Tarjan's algorithm, iterative (bounded by the graph: every file is entered once).
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const found: string[][] = [];
  let next = 0;
  for (const root of graph.keys()) {
    if (index.has(root)) continue;
    const work: [string, number][] = [[root, 0]];
    index.set(root, next);
    low.set(root, next++);
    stack.push(root);
    onStack.add(root);
    while (work.length > 0) {
      const frame = work[work.length - 1]!;
      const [node, at] = frame;
      const targets = graph.get(node)?.imports ?? [];
      if (at < targets.length) {
        frame[1]++;
        const target = targets[at]!;
        if (!graph.has(target)) continue;
        if (!index.has(target)) {
          index.set(target, next);
          low.set(target, next++);
          stack.push(target);
          onStack.add(target);
          work.push([target, 0]);
        } else if (onStack.has(target)) {
          low.set(node, Math.min(low.get(node)!, index.get(target)!));
        }
        continue;
      }
      work.pop();
      const parent = work[work.length - 1];
      if (parent) low.set(parent[0], Math.min(low.get(parent[0])!, low.get(node)!));
      if (low.get(node) !== index.get(node)) continue;
      const component: string[] = [];
      for (let member = stack.pop()!; ; member = stack.pop()!) {
        onStack.delete(member);
        component.push(member);
        if (member === node) break;
      }
      if (component.length > 1 || targets.includes(node)) found.push(component.sort());
    }
  }
  return found;
}

/** Read `src/` and `mod.ts` of the checkout into a {@linkcode Graph}; unresolved imports throw. */
function readGraph(): Graph {
  const src = srcDir();
  const root = dirname(src.replace(/[\\/]$/, ""));
  const repoPath = (path: string) => relative(root, path).split(sep).join("/");
  const graph = new Map<string, SourceFile>();
  const files = [...tsFiles(src), join(root, "mod.ts")];
  for (const path of files) {
    const source = readFileSync(path, "utf8");
    const specifiers = ts.preProcessFile(source, true, true).importedFiles.map((f) => f.fileName);
    const imports: string[] = [];
    const external: string[] = [];
    for (const specifier of specifiers) {
      if (!specifier.startsWith(".")) {
        external.push(specifier);
        continue;
      }
      const target = join(dirname(path), specifier);
      assert.ok(existsSync(target), `${repoPath(path)} imports "${specifier}", which does not exist`);
      imports.push(repoPath(target));
    }
    graph.set(repoPath(path), { imports, external });
  }
  return graph;
}

/** A graph from `path: import, import` lines, for the rule checks' own tests. */
function fakeGraph(lines: Record<string, string[]>): Graph {
  return new Map(
    Object.entries(lines).map(([path, targets]) => [path, {
      imports: targets.filter((t) => t.startsWith("src/") || t === "mod.ts"),
      external: targets.filter((t) => !t.startsWith("src/") && t !== "mod.ts"),
    }]),
  );
}

describe("architecture", () => {
  const graph = readGraph();

  it("reads every file of src/ and its imports", () => {
    assert.ok(graph.size > 50, `only ${graph.size} files`);
    assert.ok(graph.get("src/net/node.ts")!.imports.includes("src/net/node/_listen.ts"));
    // Dynamic imports count too.
    assert.ok(graph.get("src/net/auto.ts")!.imports.includes("src/net/deno.ts"));
  });

  it("layers point one way: errors ← net ← protocol | streams ← fs ← client | server ← cli", () => {
    assert.deepEqual(layerViolations(graph), []);
  });

  it("src/net: entry points only from outside, a closed shared core, adapters import only the core", () => {
    assert.deepEqual(netViolations(graph), []);
  });

  it("no import cycles in src/ (beyond the known one being removed)", () => {
    assert.deepEqual(cycles(graph), []);
  });

  it("the checks catch what they forbid", () => {
    const probe = fakeGraph({
      "src/protocol/list_format.ts": ["src/fs/path_io.ts"],
      "src/fs/path_io.ts": ["src/errors.ts"],
      "src/client/client.ts": ["src/server/user.ts", "src/net/node/_conn.ts"],
      "src/server/user.ts": [],
      "src/testing/mod.ts": ["src/cli/main.ts", "src/server/user.ts"],
      "src/cli/main.ts": [],
      "src/extra/x.ts": [],
      "src/net/bun/_conn.ts": ["src/net/node/_conn.ts", "src/net/_core/read_queue.ts", "node:net"],
      "src/net/deno/_via_node.ts": ["src/net/node/_listen.ts"],
      "src/net/deno/_conn.ts": ["src/net/node/_tls.ts"],
      "src/net/node/_conn.ts": ["node:tls", "src/net/_core/read_queue.ts", "src/net/bun.ts"],
      "src/net/node/_listen.ts": [],
      "src/net/node/_tls.ts": [],
      "src/net/bun.ts": [],
      "src/net/_core/read_queue.ts": ["src/net/_core/deferred.ts", "src/net/memory.ts"],
      "src/net/_core/deferred.ts": ["src/net/_core/read_queue.ts", "node:events"],
      "src/net/memory.ts": [],
      "src/streams/a.ts": ["src/streams/a.ts"],
    });
    assert.deepEqual(layerViolations(probe).sort(), [
      "src/client/client.ts → src/server/user.ts (layer client imports server)",
      "src/extra/x.ts: not in any layer (add its folder to the layers)",
      "src/protocol/list_format.ts → src/fs/path_io.ts (layer protocol imports fs)",
      "src/testing/mod.ts → src/cli/main.ts (layer testing imports cli)",
    ]);
    assert.deepEqual(netViolations(probe).sort(), [
      "src/client/client.ts → src/net/node/_conn.ts (only src/net's entry points may be imported)",
      "src/net/_core/deferred.ts imports \"node:events\" (in src/net/ only the Node adapter imports runtime modules)",
      "src/net/_core/read_queue.ts → src/net/memory.ts (the shared net core imports only itself, types, errors)",
      "src/net/bun/_conn.ts imports \"node:net\" (in src/net/ only the Node adapter imports runtime modules)",
      "src/net/bun/_conn.ts → src/net/node/_conn.ts (an adapter imports only the shared net core, types, errors)",
      "src/net/deno/_conn.ts → src/net/node/_tls.ts (an adapter imports only the shared net core, types, errors)",
      "src/net/node/_conn.ts → src/net/bun.ts (an adapter imports only the shared net core, types, errors)",
    ]);
    assert.deepEqual(cycles(probe).sort(), [
      ["src/net/_core/deferred.ts", "src/net/_core/read_queue.ts"],
      ["src/streams/a.ts"],
    ]);
  });
});
