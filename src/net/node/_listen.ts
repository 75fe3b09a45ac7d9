/**
 * {@linkcode Listener} over a `node:net` server: accepted sockets become {@linkcode NodeConn}s
 * in the shared accept queue. Used by the Node adapter, and by the Deno adapter for plain
 * listeners (see `src/net/deno/_via_node.ts`).
 *
 * @module
 */
import * as net from "node:net";
import { ConnectError } from "../../errors.ts";
import { AcceptQueue, QueueListener } from "../_core/accept_queue.ts";
import { toAddr } from "../_core/addr.ts";
import type { Conn, Listener, ListenOptions } from "../types.ts";
import { NodeConn } from "./_conn.ts";
import { onDeno, serverContext, serverTlsSocket } from "./_tls.ts";

/**
 * Bind `server` and wait until it listens. A bind error (`EADDRINUSE`…) arrives as the
 * server's `'error'` event, on Node, Deno and Bun alike: it becomes a {@linkcode ConnectError}.
 */
async function bind(
  server: net.Server,
  options: ListenOptions,
  backlog: number,
  reusePort = false,
): Promise<void> {
  const { hostname, port } = options;
  try {
    await new Promise<void>((resolve, reject) => {
      const listening = () => {
        server.off("error", reject);
        resolve();
      };
      server.once("error", reject);
      server.once("listening", listening);
      // reusePort: Node 22.12+, Deno and Bun; older Node ignores it (then a second bind fails).
      server.listen({ host: hostname, port, backlog, ...(reusePort ? { reusePort } : {}) });
    });
  } catch (error) {
    server.close();
    const code = (error as { code?: unknown } | null)?.code;
    throw new ConnectError(hostname, port, {
      code: typeof code === "string" ? code : "EUNKNOWN",
      cause: error,
    });
  }
}

/**
 * Listen with `node:net` on a numeric address.
 *
 * @param options Address, port (0 = any free one), implicit TLS and backlog.
 * @returns The bound listener; rejects with {@linkcode ConnectError} when binding fails.
 */
export async function listenNode(options: ListenOptions): Promise<Listener> {
  if (!net.isIP(options.hostname)) {
    throw new TypeError(
      `listen needs a numeric address such as "127.0.0.1" or "::", not "${options.hostname}"`,
    );
  }
  const backlog = options.backlog ?? 511;
  const queue = new AcceptQueue<Conn>(backlog, (conn) => conn.close());
  const tlsOptions = options.tls;
  // Implicit TLS wraps each accepted socket like startTls does (not tls.Server), so control
  // and data connections share one secure context and can resume each other's sessions.
  // The handshake runs lazily under the first read/write: no slow client blocks accept.
  const context = tlsOptions ? serverContext(tlsOptions) : undefined;
  const onSocket = (socket: net.Socket) => {
    socket.on("error", () => {}); // errors before the Conn exists are the peer's business
    if (queue.closed) {
      socket.destroy();
    } else if (context && onDeno()) {
      new NodeConn(socket, false).startTls(tlsOptions!).then(
        (conn) => queue.push(conn),
        () => socket.destroy(), // a failed handshake only concerns that client
      );
    } else if (context) {
      const secured = serverTlsSocket(socket, tlsOptions!);
      queue.push(new NodeConn(secured, true, { handshaking: true }));
    } else {
      queue.push(new NodeConn(socket, false));
    }
  };
  // pauseOnConnect: read nothing until the reader pulls (so STARTTLS sees every byte).
  const create = () => net.createServer({ allowHalfOpen: true, pauseOnConnect: !context }, onSocket);
  const acceptors = Math.max(1, Math.min(options.acceptors ?? 1, 16));
  if (acceptors > 1 && options.port !== 0) {
    // Sockets sharing a port (SO_REUSEPORT) bind even where another such socket listens (a
    // second `anyftp serve -p N` would split the clients with the first): a plain bind first
    // fails with EADDRINUSE when anything holds the port.
    const probe = create();
    await bind(probe, options, backlog, false);
    await new Promise<void>((resolve) => probe.close(() => resolve()));
  }
  const servers = [create()];
  await bind(servers[0]!, options, backlog, acceptors > 1);
  const bound = servers[0]!.address() as net.AddressInfo;
  // More sockets on the same port, each accepted from on every loop turn (see `acceptors`).
  for (let i = 1; i < acceptors; i++) {
    const extra = create();
    try {
      await bind(extra, { ...options, port: bound.port }, backlog, true);
    } catch {
      break; // the runtime cannot share the port: one socket it is
    }
    servers.push(extra);
  }
  const listener = new QueueListener(
    toAddr(bound.address, bound.port),
    queue,
    () => servers.forEach((server) => server.close()),
  );
  for (const server of servers) server.on("error", () => listener.close());
  return listener;
}
