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
import type { Conn, StartTlsOptions, TlsOptions } from "../types.ts";

/**
 * TLS over `raw`'s streams with `node:tls` (server role, see the module comment).
 *
 * @param raw An open plain connection nobody is reading or writing.
 * @param options Role and certificates.
 * @param init `signal` aborts the handshake (and closes `raw`); `requireCloseNotify`.
 * @returns The TLS connection; closing it closes `raw`.
 */
export async function tlsViaNode(
  raw: Conn,
  options: TlsOptions,
  init: StartTlsOptions,
): Promise<Conn> {
  // node:tls and node:stream only when needed
  const [{ tlsOverConn }, { NodeConn }] = await Promise.all([
    import("../node/_tls_over_conn.ts"),
    import("../node/_conn.ts"),
  ]);
  return await tlsOverConn(raw, options, init, (secured, over) => new NodeConn(secured, true, { over }));
}
