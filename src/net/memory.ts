/**
 * An in-memory {@linkcode Net}: connections are pairs of bounded pipes inside one instance,
 * for fast, deterministic tests of the protocol code. `startTls` and `tls` only mark the
 * connection `secure` (no encryption) so FTPS command flows can be exercised too.
 *
 * @example
 * ```ts
 * import { createMemoryNet } from "anyftp/net/memory";
 * const net = createMemoryNet();
 * const listener = await net.listen({ hostname: "127.0.0.1", port: 0 });
 * const client = await net.connect({ hostname: "127.0.0.1", port: listener.addr.port });
 * client.close();
 * listener.close();
 * ```
 *
 * @module
 */
import { ConnectError } from "../errors.ts";
import { AcceptQueue, QueueListener } from "./_core/accept_queue.ts";
import { toAddr } from "./_core/addr.ts";
import { pair } from "./memory/_conn.ts";
import type { Conn, ConnectOptions, Listener, ListenOptions, Net } from "./types.ts";

/** First port handed out for `port: 0` (and for the client ends of connections). */
const FIRST_EPHEMERAL_PORT = 40000;

/**
 * Create an isolated in-memory network. `listen` and `connect` match by port only (any
 * hostname); connecting to a port nobody listens on rejects with {@linkcode ConnectError}
 * `ECONNREFUSED`. Each direction buffers at most 256 KiB, then `write` waits for the reader.
 *
 * @returns A fresh {@linkcode Net} named `"memory"`, sharing nothing with other instances.
 *
 * @example
 * ```ts
 * import { createMemoryNet } from "anyftp/net/memory";
 * const net = createMemoryNet();
 * const listener = await net.listen({ hostname: "127.0.0.1", port: 2121 });
 * const client = await net.connect({ hostname: "127.0.0.1", port: 2121 });
 * for await (const server of listener) {
 *   const writer = server.writable.getWriter();
 *   await writer.write(new TextEncoder().encode("220 ready\r\n"));
 *   break;
 * }
 * client.close();
 * listener.close();
 * ```
 */
export function createMemoryNet(): Net {
  /** Listening ports, each with its listener and whether it is implicit TLS. */
  const listeners = new Map<number, { listener: QueueListener; secure: boolean }>();
  let nextPort = FIRST_EPHEMERAL_PORT;
  const freePort = () => {
    for (let i = 0; i < 65536 - FIRST_EPHEMERAL_PORT; i++) {
      const port = nextPort;
      nextPort = nextPort >= 65535 ? FIRST_EPHEMERAL_PORT : nextPort + 1;
      if (!listeners.has(port)) return port;
    }
    throw new ConnectError("memory", 0, { code: "EADDRINUSE" });
  };

  return {
    name: "memory",
    // deno-lint-ignore require-await
    async listen(options: ListenOptions): Promise<Listener> {
      const port = options.port === 0 ? freePort() : options.port;
      if (listeners.has(port)) {
        throw new ConnectError(options.hostname, port, { code: "EADDRINUSE" });
      }
      const queue = new AcceptQueue<Conn>(options.backlog ?? 511, (conn) => conn.close());
      const listener = new QueueListener(
        toAddr(options.hostname, port),
        queue,
        () => listeners.delete(port),
      );
      listeners.set(port, { listener, secure: options.tls !== undefined });
      return listener;
    },
    connect(options: ConnectOptions): Promise<Conn> {
      if (options.signal?.aborted) return Promise.reject(options.signal.reason);
      const entry = listeners.get(options.port);
      if (!entry) {
        return Promise.reject(
          new ConnectError(options.hostname, options.port, { code: "ECONNREFUSED" }),
        );
      }
      const { listener, secure } = entry;
      const local = toAddr(options.localAddress ?? listener.addr.hostname, freePort());
      const [client, server] = pair(local, listener.addr, secure);
      listener.queue.push(server);
      if (options.tls) return client.startTls(options.tls);
      return Promise.resolve(client);
    },
  };
}
