/**
 * The Node adapter: {@linkcode Net} over `node:net` and `node:tls`. Also works on Deno and Bun
 * through their `node:` compatibility layers.
 *
 * @example
 * ```ts
 * import { nodeNet } from "anyftp/net/node";
 * const listener = nodeNet.listen({ hostname: "127.0.0.1", port: 0 });
 * const conn = await nodeNet.connect({ hostname: "127.0.0.1", port: listener.addr.port });
 * conn.close();
 * listener.close();
 * ```
 *
 * @module
 */
import * as net from "node:net";
import * as tls from "node:tls";
import { ConnectError } from "../errors.ts";
import { AcceptQueue, QueueListener } from "./_accept_queue.ts";
import { toAddr } from "./_addr.ts";
import { listenNow } from "./_node_listen.ts";
import {
  clientTlsOptions,
  NodeConn,
  onDeno,
  serverContext,
  sessionReady,
  trackSession,
} from "./_node_conn.ts";
import type { Conn, ConnectOptions, Listener, ListenOptions, Net } from "./types.ts";

/** System error codes that mean "could not connect" (anything else is rethrown as is). */
const CONNECT_CODES = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "ETIMEDOUT",
  "ENOTFOUND",
  "EAI_AGAIN",
  "EADDRNOTAVAIL",
  "EADDRINUSE",
  "EACCES",
  "EPERM",
  "EINVAL",
]);

/** Turn a socket error into {@linkcode ConnectError} when it is a system connect failure. */
function connectError(error: unknown, hostname: string, port: number): unknown {
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code === "string" && CONNECT_CODES.has(code)) {
    return new ConnectError(hostname, port, { code, cause: error });
  }
  return error;
}

/** Dial, and for `tls` run the handshake, honouring `signal` until the Conn exists. */
async function connect(options: ConnectOptions): Promise<Conn> {
  if (options.tls?.role === "client") await sessionReady(options.tls.reuseSessionOf);
  return await dial(options);
}

function dial(options: ConnectOptions): Promise<Conn> {
  const { hostname, port, signal, tls: tlsOptions } = options;
  if (signal?.aborted) return Promise.reject(signal.reason);
  return new Promise<Conn>((resolve, reject) => {
    const base = { host: hostname, port, allowHalfOpen: true, localAddress: options.localAddress };
    let socket: net.Socket;
    let ready = "connect";
    try {
      if (tlsOptions?.role === "client" && !onDeno()) {
        socket = trackSession(tls.connect({ ...base, ...clientTlsOptions(tlsOptions, hostname) }));
        ready = "secureConnect";
      } else {
        socket = net.connect(base);
      }
    } catch (error) {
      reject(error);
      return;
    }
    const onAbort = () => {
      cleanup();
      socket.destroy();
      reject(signal!.reason);
    };
    const onError = (error: unknown) => {
      cleanup();
      socket.destroy();
      reject(connectError(error, hostname, port));
    };
    const onReady = () => {
      cleanup();
      const conn = new NodeConn(socket, ready === "secureConnect");
      // Server role, and client role on Deno (see NodeConn.startTls), upgrade after connecting.
      if (tlsOptions && ready === "connect") {
        conn.startTls(tlsOptions).then(resolve, (error) => {
          conn.close();
          reject(error);
        });
      } else {
        resolve(conn);
      }
    };
    const cleanup = () => {
      signal?.removeEventListener("abort", onAbort);
      socket.off("error", onError);
      socket.off(ready, onReady);
    };
    signal?.addEventListener("abort", onAbort, { once: true });
    socket.once("error", onError);
    socket.once(ready, onReady);
  });
}

/** A {@linkcode Listener} over a `net.Server`. */
function listenNode(options: ListenOptions): Listener {
  const backlog = options.backlog ?? 511;
  const queue = new AcceptQueue<Conn>(backlog, (conn) => conn.close());
  const tlsOptions = options.tls;
  // Implicit TLS wraps each accepted socket like startTls does (not tls.Server), so control
  // and data connections share one secure context and can resume each other's sessions.
  // The handshake runs lazily under the first read/write: no slow client blocks accept.
  const context = tlsOptions ? serverContext(tlsOptions) : undefined;
  // pauseOnConnect: read nothing until the reader pulls (so STARTTLS sees every byte).
  const server = net.createServer({ allowHalfOpen: true, pauseOnConnect: !context }, (socket) => {
    socket.on("error", () => {}); // errors before the Conn exists are the peer's business
    if (queue.closed) {
      socket.destroy();
    } else if (context && onDeno()) {
      new NodeConn(socket, false).startTls(tlsOptions!).then(
        (conn) => queue.push(conn),
        () => socket.destroy(), // a failed handshake only concerns that client
      );
    } else if (context) {
      const secured = new tls.TLSSocket(socket, { isServer: true, secureContext: context });
      queue.push(new NodeConn(secured, true, { handshaking: true }));
    } else {
      queue.push(new NodeConn(socket, false));
    }
  });
  listenNow(server, options.hostname, options.port, backlog);
  const bound = server.address() as net.AddressInfo;
  const listener = new QueueListener(
    toAddr(bound.address, bound.port),
    queue,
    () => server.close(),
  );
  server.on("error", () => listener.close());
  return listener;
}

/**
 * {@linkcode Net} for Node (`node:net`, `node:tls`). Connect errors such as ECONNREFUSED become
 * {@linkcode ConnectError} with the system `code`; `signal` aborts a pending connect or handshake.
 * `reuseSessionOf` resumes the control connection's TLS session on data connections.
 *
 * Written chunks are handed to the socket without copying: do not modify a chunk after
 * writing it.
 *
 * @example
 * ```ts
 * import { nodeNet } from "anyftp/net/node";
 * const listener = nodeNet.listen({ hostname: "127.0.0.1", port: 0 });
 * const client = await nodeNet.connect({ hostname: "127.0.0.1", port: listener.addr.port });
 * client.setNoDelay(true);
 * client.close();
 * listener.close();
 * ```
 */
export const nodeNet: Net = {
  name: "node",
  connect,
  listen: listenNode,
};
