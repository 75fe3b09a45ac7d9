/**
 * An in-memory {@linkcode Net}: connections are pairs of bounded pipes inside one instance,
 * for fast, deterministic tests of the protocol code. `startTls` and `tls` only mark the
 * connection `secure` (no encryption) so FTPS command flows can be exercised too.
 *
 * @example
 * ```ts
 * import { createMemoryNet } from "anyftp/net/memory";
 * const net = createMemoryNet();
 * const listener = net.listen({ hostname: "127.0.0.1", port: 0 });
 * const client = await net.connect({ hostname: "127.0.0.1", port: listener.addr.port });
 * client.close();
 * listener.close();
 * ```
 *
 * @module
 */
import { ConnectError, ConnectionClosedError } from "../errors.ts";
import { AcceptQueue, QueueListener } from "./_accept_queue.ts";
import { toAddr } from "./_addr.ts";
import { Pipe } from "./_memory_pipe.ts";
import type {
  Addr,
  Conn,
  ConnectOptions,
  Listener,
  ListenOptions,
  Net,
  StartTlsOptions,
  TlsOptions,
} from "./types.ts";

/** First port handed out for `port: 0` (and for the client ends of connections). */
const FIRST_EPHEMERAL_PORT = 40000;

/** One end of an in-memory connection. */
class MemoryConn implements Conn {
  readonly readable: ReadableStream<Uint8Array>;
  readonly writable: WritableStream<Uint8Array>;
  readonly localAddr: Addr;
  readonly remoteAddr: Addr;
  readonly closed: Promise<void>;
  readonly secure: boolean;
  #in: Pipe;
  #out: Pipe;
  #shared: { close: () => void; closed: Promise<void> };

  constructor(
    pipes: { in: Pipe; out: Pipe },
    addrs: { local: Addr; remote: Addr },
    shared: { close: () => void; closed: Promise<void> },
    secure: boolean,
  ) {
    this.#in = pipes.in;
    this.#out = pipes.out;
    this.#shared = shared;
    this.localAddr = addrs.local;
    this.remoteAddr = addrs.remote;
    this.closed = shared.closed;
    this.secure = secure;
    const input = pipes.in;
    const output = pipes.out;
    this.readable = new ReadableStream<Uint8Array>({
      async pull(controller) {
        const chunk = await input.read();
        if (chunk) controller.enqueue(chunk);
        else controller.close();
      },
      cancel: () => input.destroy(),
    }, { highWaterMark: 0 });
    this.writable = new WritableStream<Uint8Array>({
      write: (chunk) => output.write(chunk),
      close: () => {
        if (output.writeClosed) throw new ConnectionClosedError("close");
        output.end();
      },
      abort: () => shared.close(),
    });
  }

  setNoDelay(_noDelay: boolean): void {}

  close(): void {
    this.#shared.close();
  }

  startTls(options: TlsOptions, init: StartTlsOptions = {}): Promise<Conn> {
    if (init.signal?.aborted) return Promise.reject(init.signal.reason);
    if (this.#out.writeClosed) return Promise.reject(new ConnectionClosedError("TLS upgrade"));
    if (options.role === "client" && options.reuseSessionOf && !options.reuseSessionOf.secure) {
      return Promise.reject(new TypeError("reuseSessionOf must be a secured connection"));
    }
    const shared = this.#shared;
    const addrs = { local: this.localAddr, remote: this.remoteAddr };
    return Promise.resolve(new MemoryConn({ in: this.#in, out: this.#out }, addrs, shared, true));
  }
}

/** Two connected {@linkcode MemoryConn}s sharing one close. */
function pair(client: Addr, server: Addr, secure: boolean): [Conn, Conn] {
  const up = new Pipe();
  const down = new Pipe();
  let markClosed!: () => void;
  const closed = new Promise<void>((resolve) => (markClosed = resolve));
  const close = () => {
    up.destroy();
    down.destroy();
    markClosed();
  };
  // Both directions finished (FIN both ways): the connection is closed, as with TCP.
  let done = 0;
  const oneDone = () => ++done === 2 && markClosed();
  up.onDone = oneDone;
  down.onDone = oneDone;
  const shared = { close, closed };
  return [
    new MemoryConn({ in: down, out: up }, { local: client, remote: server }, shared, secure),
    new MemoryConn({ in: up, out: down }, { local: server, remote: client }, shared, secure),
  ];
}

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
 * const listener = net.listen({ hostname: "127.0.0.1", port: 2121 });
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
    listen(options: ListenOptions): Listener {
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
