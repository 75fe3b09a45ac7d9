/**
 * What the Bun adapter takes from the Node adapter, in one named place (the architecture test
 * lets only this file of `src/net/bun/` import `src/net/node/`): server-role STARTTLS that must
 * tell a peer's close_notify from a bare TCP end (`requireCloseNotify`, the server's PROT P
 * uploads). Bun's own TLS reports both as the same end of stream; `node:tls` over the
 * connection's streams sees the TCP end apart from the TLS end (see
 * `../node/_tls_over_conn.ts`).
 *
 * @module
 */
import { tlsOverConnViaNode } from "../node/_tls_via_node.ts";

/** TLS over a Bun connection's streams with `node:tls` (server role, see the module comment). */
export const tlsViaNode = tlsOverConnViaNode;
