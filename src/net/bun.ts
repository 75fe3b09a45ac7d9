/**
 * The Bun adapter. Interim: delegates to the `node:net` adapter through Bun's Node
 * compatibility layer until the native adapter lands.
 *
 * @module
 */
import { nodeNet } from "./node.ts";
import type { Net } from "./types.ts";

/**
 * {@linkcode Net} for Bun.
 *
 * @example
 * ```ts
 * import { bunNet } from "anyftp/net/bun";
 * const listener = bunNet.listen({ hostname: "127.0.0.1", port: 0 });
 * listener.close();
 * ```
 */
export const bunNet: Net = { ...nodeNet, name: "bun" };
