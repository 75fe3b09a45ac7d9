/**
 * What the Bun adapter takes from the Node adapter, in one named place (the architecture test
 * lets only this file of `src/net/bun/` import `src/net/node/`): every server-role TLS
 * handshake (AUTH TLS, implicit TLS, PROT P data connections). Two reasons: a PROT P upload
 * must tell a peer's close_notify from a bare TCP end (`requireCloseNotify`), which Bun's own
 * TLS reports as the same end of stream while `node:tls` over the connection's streams sees
 * them apart (see `../node/_tls_over_conn.ts`); and a data connection can only resume a
 * session of the same TLS stack, so the control connection runs on it too (see
 * `../node/_session_store.ts`).
 *
 * @module
 */
import { tlsOverConnViaNode } from "../node/_tls_via_node.ts";

/** TLS over a Bun connection's streams with `node:tls` (server role, see the module comment). */
export const tlsViaNode = tlsOverConnViaNode;
