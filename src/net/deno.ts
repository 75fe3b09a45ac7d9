/**
 * The Deno adapter: {@linkcode Net} over `Deno.connect`, `Deno.listenTls` and `Deno.startTls`.
 * Server-role STARTTLS, which Deno has no API for, runs `node:tls` over the connection
 * (loaded only when needed), offering TLS 1.2 at most (see `node/_tls_over_conn.ts`).
 *
 * Plain listeners accept through Deno's `node:net`, not `Deno.listen`: FTP clients send ABOR
 * behind TCP urgent data, which stalls a `Deno.Conn` read (see `deno/_via_node.ts`).
 * Dialled connections, which FTP peers never send urgent data to, keep `Deno.connect`.
 *
 * Limits (each an {@linkcode UnsupportedError}): TLS session reuse (`reuseSessionOf`) and
 * `localAddress`. Client handshakes that need a client certificate, a minimum version or no
 * verification run on Deno's `node:tls` over the connection (`Deno.startTls` has none).
 *
 * @example
 * ```ts
 * import { denoNet } from "anyftp/net/deno";
 * const listener = await denoNet.listen({ hostname: "127.0.0.1", port: 0 });
 * const conn = await denoNet.connect({ hostname: "127.0.0.1", port: listener.addr.port });
 * conn.close();
 * listener.close();
 * ```
 *
 * @module
 */
import { ConnectError, UnsupportedError } from "../errors.ts";
import { DenoConn } from "./deno/_conn.ts";
import { DenoTlsListener } from "./deno/_tls_listener.ts";
import { denoErrorCode, denoNamespace } from "./deno/_types.ts";
import { listenViaNode } from "./deno/_via_node.ts";
import type { Conn, ConnectOptions, Listener, ListenOptions, Net } from "./types.ts";

/** Wrap a Deno error from connect/listen as {@linkcode ConnectError} when it has a code. */
function connectError(error: unknown, hostname: string, port: number): unknown {
  const code = denoErrorCode(error);
  return code ? new ConnectError(hostname, port, { code, cause: error }) : error;
}

async function connect(options: ConnectOptions): Promise<Conn> {
  const { hostname, port, signal, tls } = options;
  if (signal?.aborted) throw signal.reason;
  if (options.localAddress !== undefined) {
    throw new UnsupportedError(
      "deno",
      "binding a local address before connecting (Deno.connect has no such option)",
      "leave localAddress unset, or use nodeNet on Deno",
    );
  }
  let raw;
  try {
    raw = await denoNamespace().connect({ hostname, port, transport: "tcp", signal });
  } catch (error) {
    throw signal?.aborted ? signal.reason : connectError(error, hostname, port);
  }
  const conn = new DenoConn(raw, false);
  if (!tls) return conn;
  // Always dial first and upgrade second: Deno.connectTls takes no AbortSignal.
  const onAbort = () => conn.close();
  signal?.addEventListener("abort", onAbort, { once: true });
  try {
    return await conn.startTls(tls);
  } catch (error) {
    conn.close();
    throw signal?.aborted ? signal.reason : error;
  } finally {
    signal?.removeEventListener("abort", onAbort);
  }
}

/** An implicit-TLS listener over `Deno.listenTls` (urgent data cannot pass through TLS). */
// deno-lint-ignore require-await
async function listenTls(options: ListenOptions): Promise<Listener> {
  const { hostname, port, tls } = options;
  try {
    return new DenoTlsListener(denoNamespace().listenTls({
      hostname,
      port,
      transport: "tcp",
      tcpBacklog: options.backlog ?? 511,
      cert: tls!.cert,
      key: tls!.key,
    }));
  } catch (error) {
    throw connectError(error, hostname, port);
  }
}

/**
 * {@linkcode Net} for Deno. Connect errors become {@linkcode ConnectError} with the system
 * `code`; `signal` aborts the connect and the TLS handshake.
 *
 * @example
 * ```ts
 * import { denoNet } from "anyftp/net/deno";
 * const listener = await denoNet.listen({ hostname: "::1", port: 0 });
 * console.log(listener.addr.port);
 * listener.close();
 * ```
 */
export const denoNet: Net = {
  name: "deno",
  connect,
  listen: (options: ListenOptions): Promise<Listener> =>
    options.tls ? listenTls(options) : listenViaNode(options),
};
