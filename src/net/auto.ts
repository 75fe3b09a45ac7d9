/**
 * Picks the running runtime's adapter: {@linkcode defaultNet} loads `deno.ts`, `bun.ts` or
 * `node.ts` by dynamic import, so no runtime's module is loaded by another.
 *
 * @example
 * ```ts
 * import { connect, listen } from "anyftp/net/auto";
 * const listener = await listen({ hostname: "127.0.0.1", port: 0 });
 * const conn = await connect({ hostname: "127.0.0.1", port: listener.addr.port });
 * conn.close();
 * listener.close();
 * ```
 *
 * @module
 */
import type { Conn, ConnectOptions, ListenOptions, Listener, Net } from "./types.ts";

let cached: Promise<Net> | undefined;

/**
 * The adapter for the running runtime: Deno (detected by `globalThis.Deno`), Bun
 * (`globalThis.Bun`), otherwise Node.
 *
 * @returns The runtime's {@linkcode Net}, loaded once and cached.
 *
 * @example
 * ```ts
 * import { defaultNet } from "anyftp/net/auto";
 * const net = await defaultNet();
 * console.log(net.name); // "deno", "bun" or "node"
 * ```
 */
export function defaultNet(): Promise<Net> {
  cached ??= load();
  return cached;
}

async function load(): Promise<Net> {
  const g = globalThis as { Deno?: unknown; Bun?: unknown };
  if (g.Deno !== undefined) return (await import("./deno.ts")).denoNet;
  if (g.Bun !== undefined) return (await import("./bun.ts")).bunNet;
  return (await import("./node.ts")).nodeNet;
}

/**
 * Open a connection with the running runtime's adapter.
 *
 * @param options Where to connect, optional TLS and abort signal.
 * @returns The open connection.
 *
 * @example
 * ```ts
 * import { connect } from "anyftp/net/auto";
 * const conn = await connect({ hostname: "127.0.0.1", port: 21, signal: AbortSignal.timeout(5000) });
 * conn.close();
 * ```
 */
export async function connect(options: ConnectOptions): Promise<Conn> {
  return (await defaultNet()).connect(options);
}

/**
 * Listen with the running runtime's adapter (loaded on first use).
 *
 * @param options Address, port (0 = any free one), optional implicit TLS and backlog.
 * @returns The bound listener.
 *
 * @example
 * ```ts
 * import { listen } from "anyftp/net/auto";
 * const listener = await listen({ hostname: "::1", port: 0 });
 * console.log(listener.addr.port);
 * listener.close();
 * ```
 */
export async function listen(options: ListenOptions): Promise<Listener> {
  return await (await defaultNet()).listen(options);
}
