/**
 * `node:tls` over another adapter's connection, for the adapters whose own TLS lacks a
 * feature (Deno: server-role STARTTLS; Bun: telling close_notify from a bare TCP end). Each
 * reaches it through its one `_via_node.ts` module.
 *
 * @module
 */
import type { Conn, StartTlsOptions, TlsOptions } from "../types.ts";

/**
 * TLS over `raw`'s streams with `node:tls`, as a {@linkcode NodeConn}.
 *
 * @param raw An open plain connection nobody is reading or writing.
 * @param options Role and certificates.
 * @param init `signal` aborts the handshake (and closes `raw`); `requireCloseNotify`.
 * @returns The TLS connection; closing it closes `raw`.
 */
export async function tlsOverConnViaNode(
  raw: Conn,
  options: TlsOptions,
  init: StartTlsOptions,
): Promise<Conn> {
  // node:tls and node:stream only when needed
  const [{ tlsOverConn }, { NodeConn }] = await Promise.all([
    import("./_tls_over_conn.ts"),
    import("./_conn.ts"),
  ]);
  return await tlsOverConn(raw, options, init, (secured, over) => new NodeConn(secured, true, { over }));
}
