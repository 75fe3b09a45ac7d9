/**
 * What the Deno adapter takes from the Node adapter, in one named place (the architecture
 * test lets only this file of `src/net/deno/` import `src/net/node/`):
 *
 * - plain listeners through Deno's `node:net`: a `Deno.Conn` read that stops at a TCP urgent
 *   mark leaves the rest of the data unread until the peer sends more (tokio treats a short
 *   read as "socket drained"), and FTP clients send ABOR behind urgent data (lftp: IAC IP,
 *   then IAC DM as urgent, then `ABOR`). Deno's `node:net` reads until the socket is empty,
 *   so ABOR arrives at once. Their connections are the Node adapter's, so STARTTLS on them
 *   runs `node:tls` in both roles;
 * - server-role STARTTLS on a `Deno.Conn`, which Deno has no API for: `node:tls` over the
 *   connection's streams, offering TLS 1.2 at most (see `../node/_tls_over_conn.ts`).
 *
 * @module
 */
import { listenNode } from "../node/_listen.ts";
import { tlsOverConnViaNode } from "../node/_tls_via_node.ts";
import type { Listener, ListenOptions } from "../types.ts";

/**
 * A plain listener through Deno's `node:net` (see the module comment).
 *
 * @param options Address, port, backlog (no `tls`: those listeners are Deno's own).
 * @returns The bound listener; rejects with `ConnectError` (`EADDRINUSE`…) when binding fails.
 */
export function listenViaNode(options: ListenOptions): Promise<Listener> {
  return listenNode(options);
}

/** TLS over `raw`'s streams with `node:tls` (server role, see the module comment). */
export const tlsViaNode = tlsOverConnViaNode;
