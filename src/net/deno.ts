/**
 * The Deno adapter: {@linkcode Net} over `Deno.connect`, `Deno.listenTls` and `Deno.startTls`.
 * Server-role STARTTLS, which Deno has no API for, runs `node:tls` over the connection
 * (loaded only when needed), offering TLS 1.2 at most (see `_tls_over_conn.ts`).
 *
 * Plain listeners accept through Deno's `node:net`, not `Deno.listen`: a `Deno.Conn` read
 * that stops at a TCP urgent mark leaves the rest of the data unread until the peer sends
 * more (tokio treats a short read as "socket drained"), and FTP clients send ABOR behind
 * urgent data (lftp: IAC IP, then IAC DM as urgent, then `ABOR`). Deno's `node:net` reads
 * until the socket is empty, so ABOR arrives at once. Dialled connections, which FTP peers
 * never send urgent data to, keep `Deno.connect`.
 *
 * Limits (each an {@linkcode UnsupportedError}): TLS session reuse (`reuseSessionOf`),
 * `localAddress`, and `rejectUnauthorized: false` without `caCerts`.
 *
 * @example
 * ```ts
 * import { denoNet } from "anyftp/net/deno";
 * const listener = denoNet.listen({ hostname: "127.0.0.1", port: 0 });
 * const conn = await denoNet.connect({ hostname: "127.0.0.1", port: listener.addr.port });
 * conn.close();
 * listener.close();
 * ```
 *
 * @module
 */
import { ConnectError, UnsupportedError } from "../errors.ts";
import { toAddr } from "./_addr.ts";
import { DenoConn } from "./_deno_conn.ts";
import { nodeNet } from "./node.ts";
import { denoErrorCode, type DenoListenerLike, denoNamespace } from "./_deno_types.ts";
import type { Addr, Conn, ConnectOptions, ListenOptions, Listener, Net } from "./types.ts";

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

/**
 * A plain listener through Deno's `node:net` (see the module comment). Its connections
 * are `nodeNet`'s, so STARTTLS on them runs `node:tls` in both roles.
 */
function listenPlain(options: ListenOptions): Listener {
  try {
    return nodeNet.listen(options);
  } catch (error) {
    if (!(error instanceof ConnectError) || error.code !== "EUNKNOWN") throw error;
    // Deno's node:net reports bind errors only later, as an event: ask Deno.listen why.
    try {
      const probe = denoNamespace().listen({
        hostname: options.hostname,
        port: options.port,
        transport: "tcp",
      });
      probe.close();
    } catch (reason) {
      throw connectError(reason, options.hostname, options.port);
    }
    throw error;
  }
}

/** A {@linkcode Listener} over `Deno.listenTls` (implicit TLS). */
class DenoListener implements Listener {
  readonly addr: Addr;
  #listener: DenoListenerLike;
  #closed = false;

  constructor(options: ListenOptions) {
    const { hostname, port } = options;
    const deno = denoNamespace();
    const base = { hostname, port, transport: "tcp" as const, tcpBacklog: options.backlog ?? 511 };
    try {
      // TLS listeners keep Deno's own: urgent data cannot pass through TLS anyway.
      this.#listener = deno.listenTls({ ...base, cert: options.tls!.cert, key: options.tls!.key });
    } catch (error) {
      throw connectError(error, hostname, port);
    }
    this.addr = toAddr(this.#listener.addr.hostname, this.#listener.addr.port);
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    try {
      this.#listener.close();
    } catch { /* already closed */ }
  }

  [Symbol.asyncDispose](): Promise<void> {
    this.close();
    return Promise.resolve();
  }

  [Symbol.asyncIterator](): AsyncIterator<Conn> {
    return {
      next: async (): Promise<IteratorResult<Conn>> => {
        if (this.#closed) return { value: undefined, done: true };
        try {
          // Implicit TLS: the handshake runs lazily on first read/write, so accept never blocks.
          return { value: new DenoConn(await this.#listener.accept(), true), done: false };
        } catch (error) {
          if (this.#closed) return { value: undefined, done: true };
          throw error;
        }
      },
      // Leaving a `for await` loop early does not close the listener.
      return: () => Promise.resolve({ value: undefined, done: true }),
    };
  }
}

/**
 * {@linkcode Net} for Deno. Connect errors become {@linkcode ConnectError} with the system
 * `code`; `signal` aborts the connect and the TLS handshake.
 *
 * @example
 * ```ts
 * import { denoNet } from "anyftp/net/deno";
 * const listener = denoNet.listen({ hostname: "::1", port: 0 });
 * console.log(listener.addr.port);
 * listener.close();
 * ```
 */
export const denoNet: Net = {
  name: "deno",
  connect,
  listen: (options: ListenOptions): Listener =>
    options.tls ? new DenoListener(options) : listenPlain(options),
};
