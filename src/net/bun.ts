/**
 * The Bun adapter: {@linkcode Net} over `Bun.connect` / `Bun.listen` and `upgradeTLS`, with the
 * callback API wrapped into Web Streams with real backpressure.
 *
 * @example
 * ```ts
 * import { bunNet } from "anyftp/net/bun";
 * const listener = await bunNet.listen({ hostname: "127.0.0.1", port: 0 });
 * const conn = await bunNet.connect({ hostname: "127.0.0.1", port: listener.addr.port });
 * conn.close();
 * listener.close();
 * ```
 *
 * @module
 */
import { ConnectError, UnsupportedError } from "../errors.ts";
import { AcceptQueue, QueueListener } from "./_core/accept_queue.ts";
import { toAddr } from "./_core/addr.ts";
import { BunConn, clientTls, handlers } from "./bun/_conn.ts";
import { type BunHandlers, type BunListenerLike, bunNamespace } from "./bun/_types.ts";
import type { Conn, ConnectOptions, Listener, ListenOptions, Net } from "./types.ts";

/** Wrap a Bun socket error as {@linkcode ConnectError} when it carries a system code. */
function connectError(error: unknown, hostname: string, port: number): unknown {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === "string" && code.startsWith("E")
    ? new ConnectError(hostname, port, { code, cause: error })
    : error;
}

async function connect(options: ConnectOptions): Promise<Conn> {
  const { hostname, port, signal, tls } = options;
  if (signal?.aborted) throw signal.reason;
  if (options.localAddress !== undefined) {
    throw new UnsupportedError(
      "bun",
      "binding a local address before connecting (Bun.connect has no such option)",
      "leave localAddress unset, or use nodeNet on Bun",
    );
  }
  let conn: BunConn;
  let tlsOptions;
  if (tls?.role === "client") {
    const reuse = tls.reuseSessionOf;
    if (reuse && !(reuse instanceof BunConn)) {
      throw new UnsupportedError(
        "bun",
        "TLS session reuse of a connection from another adapter",
        "pass the secured control connection returned by this adapter",
      );
    }
    const session = reuse?.session();
    conn = new BunConn({ role: "client", verify: tls.rejectUnauthorized ?? true, session });
    tlsOptions = clientTls(tls, hostname);
  } else {
    conn = new BunConn();
  }
  // Bun.connect takes no AbortSignal: race it, and close a socket that connects too late.
  let onAbort = () => {};
  const aborted = new Promise<never>((_, reject) => {
    onAbort = () => reject(signal!.reason);
    signal?.addEventListener("abort", onAbort, { once: true });
  });
  aborted.catch(() => {});
  try {
    const socket = bunNamespace().connect({
      hostname,
      port,
      data: conn,
      socket: handlers,
      tls: tlsOptions,
      allowHalfOpen: true,
    });
    socket.catch(() => {}).then((s) => s && signal?.aborted && s.end());
    await Promise.race([socket, aborted]);
    await Promise.race([conn.ready, aborted]);
  } catch (error) {
    conn.close();
    throw signal?.aborted ? signal.reason : connectError(error, hostname, port);
  } finally {
    signal?.removeEventListener("abort", onAbort);
  }
  if (tls?.role === "server") return await conn.startTls(tls);
  return conn;
}

/** How long an implicit-TLS client has for its handshake before it is dropped. */
const IMPLICIT_HANDSHAKE_MS = 30_000;

/** A {@linkcode Listener} over `Bun.listen` (which binds synchronously). */
// deno-lint-ignore require-await
async function listenBun(options: ListenOptions): Promise<Listener> {
  const { hostname, port, tls } = options;
  const queue = new AcceptQueue<Conn>(options.backlog ?? 511, (conn) => conn.close());
  // Each accepted socket gets its BunConn on `open` (listen has no per-socket `data`).
  // Implicit TLS: a plain socket whose server-role handshake runs like AUTH TLS's (node:tls,
  // see BunConn.startTls), so data connections can resume its session; the Conn is queued
  // once the handshake is done, and a failed one only concerns that client.
  const accept: BunHandlers<BunConn> = {
    ...handlers,
    open(socket) {
      const conn = new BunConn();
      socket.data = conn;
      conn.attach(socket);
      if (!tls) return queue.push(conn);
      const signal = AbortSignal.timeout(IMPLICIT_HANDSHAKE_MS);
      conn.startTls(tls, { signal }).then((secured) => queue.push(secured), () => conn.close());
    },
  };
  let listener: BunListenerLike;
  try {
    listener = bunNamespace().listen({
      hostname,
      port,
      socket: accept,
      allowHalfOpen: true,
    });
  } catch (error) {
    throw connectError(error, hostname, port);
  }
  // stop(false): open connections stay open.
  return new QueueListener(toAddr(hostname, listener.port), queue, () => listener.stop(false));
}

/**
 * {@linkcode Net} for Bun. Connect errors become {@linkcode ConnectError} with the system
 * `code`; `signal` aborts the connect and the TLS handshake; `reuseSessionOf` resumes the
 * control connection's TLS session on data connections. `localAddress` is an
 * {@linkcode UnsupportedError}; the listen backlog is Bun's own (`backlog` is not passed on).
 *
 * @example
 * ```ts
 * import { bunNet } from "anyftp/net/bun";
 * const listener = await bunNet.listen({ hostname: "127.0.0.1", port: 0 });
 * console.log(listener.addr.port);
 * listener.close();
 * ```
 */
export const bunNet: Net = {
  name: "bun",
  connect,
  listen: listenBun,
};
