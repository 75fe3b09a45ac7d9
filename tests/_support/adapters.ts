/**
 * The socket adapters a test file runs on under the current runtime: the runtime's own
 * (`denoNet`, `bunNet`, `nodeNet`) and, on Deno and Bun, `nodeNet` through their `node:net`.
 *
 * @module
 */
import { nodeNet } from "../../src/net/node.ts";
import type { Net } from "../../src/net/types.ts";

/** An adapter with the name its test cases carry. */
export interface NamedNet {
  /** `deno`, `node (on deno)`, `bun`, `node (on bun)` or `node`. */
  readonly name: string;
  /** The adapter. */
  readonly net: Net;
}

/** The adapters of the running runtime (see the module comment). */
export async function runtimeAdapters(): Promise<NamedNet[]> {
  const runtime = globalThis as { Deno?: unknown; Bun?: unknown };
  if (runtime.Deno !== undefined) {
    const { denoNet } = await import("../../src/net/deno.ts");
    return [{ name: "deno", net: denoNet }, { name: "node (on deno)", net: nodeNet }];
  }
  if (runtime.Bun !== undefined) {
    const { bunNet } = await import("../../src/net/bun.ts");
    return [{ name: "bun", net: bunNet }, { name: "node (on bun)", net: nodeNet }];
  }
  return [{ name: "node", net: nodeNet }];
}
