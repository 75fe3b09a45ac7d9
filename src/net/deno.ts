/**
 * The Deno adapter. Interim: delegates to the `node:net` adapter through Deno's Node
 * compatibility layer until the native adapter lands.
 *
 * @module
 */
import { nodeNet } from "./node.ts";
import type { Net } from "./types.ts";

/**
 * {@linkcode Net} for Deno.
 *
 * @example
 * ```ts
 * import { denoNet } from "anyftp/net/deno";
 * const listener = denoNet.listen({ hostname: "127.0.0.1", port: 0 });
 * listener.close();
 * ```
 */
export const denoNet: Net = { ...nodeNet, name: "deno" };
