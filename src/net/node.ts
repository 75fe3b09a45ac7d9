/**
 * The Node adapter: {@linkcode Net} over `node:net` and `node:tls`. Also works on Deno and Bun
 * through their `node:` compatibility layers.
 *
 * @example
 * ```ts
 * import { nodeNet } from "anyftp/net/node";
 * const listener = await nodeNet.listen({ hostname: "127.0.0.1", port: 0 });
 * const conn = await nodeNet.connect({ hostname: "127.0.0.1", port: listener.addr.port });
 * conn.close();
 * listener.close();
 * ```
 *
 * @module
 */
import { connectNode } from "./node/_connect.ts";
import { listenNode } from "./node/_listen.ts";
import type { Net } from "./types.ts";

export { nodeHttpFetch } from "./node/_http_fetch.ts";

/**
 * {@linkcode Net} for Node (`node:net`, `node:tls`). Connect errors such as ECONNREFUSED, and
 * bind errors such as EADDRINUSE, become {@linkcode ConnectError} with the system `code`;
 * `signal` aborts a pending connect or handshake. `reuseSessionOf` resumes the control
 * connection's TLS session on data connections.
 *
 * Written chunks are handed to the socket without copying: do not modify a chunk after
 * writing it.
 *
 * @example
 * ```ts
 * import { nodeNet } from "anyftp/net/node";
 * const listener = await nodeNet.listen({ hostname: "127.0.0.1", port: 0 });
 * const client = await nodeNet.connect({ hostname: "127.0.0.1", port: listener.addr.port });
 * client.setNoDelay(true);
 * client.close();
 * listener.close();
 * ```
 */
export const nodeNet: Net = {
  name: "node",
  connect: connectNode,
  listen: listenNode,
};
