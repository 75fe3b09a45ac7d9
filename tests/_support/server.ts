/**
 * The one server starter of the tests: our server on a free loopback port (or on the
 * network given as `options.net`), recording its events, closed by `await using`; and a
 * socket-counting network.
 *
 * @module
 */

import { Client } from "../../src/client/client.ts";
import type { ClientOptions } from "../../src/client/options.ts";
import { MemoryPathIO } from "../../src/fs/memory_path_io.ts";
import type { PathIO } from "../../src/fs/path_io.ts";
import { defaultNet } from "../../src/net/auto.ts";
import { createMemoryNet } from "../../src/net/memory.ts";
import type { Conn, Listener, Net } from "../../src/net/types.ts";
import type { ServerEvent } from "../../src/server/events.ts";
import { Server, type ServerOptions } from "../../src/server/server.ts";

/** A running test server. */
export interface TestServer {
  readonly server: Server;
  readonly port: number;
  readonly hostname: string;
  readonly storage: PathIO;
  readonly events: ServerEvent[];
  /** The network it listens on (the runtime's loopback adapter, or `options.net`). */
  readonly net: Net;
  [Symbol.asyncDispose](): Promise<void>;
}

/**
 * Start a server on 127.0.0.1 (or `hostname`) port 0 with a fresh MemoryPathIO unless
 * `storage` is given, recording every event.
 */
export async function startServer(
  options: ServerOptions = {},
  hostname = "127.0.0.1",
): Promise<TestServer> {
  const events: ServerEvent[] = [];
  const storage = (options.storage && typeof options.storage !== "function")
    ? options.storage
    : new MemoryPathIO();
  const net = options.net ?? await defaultNet();
  const server = new Server({
    storage,
    ...options,
    net,
    onEvent: (e) => {
      events.push(e);
      options.onEvent?.(e);
    },
  });
  const addr = await server.listen({ hostname, port: 0 });
  return {
    server,
    port: addr.port,
    hostname,
    storage,
    events,
    net,
    [Symbol.asyncDispose]: () => server.close({ timeout: 2000 }),
  };
}

/**
 * {@linkcode startServer} on a fresh in-memory network (no sockets, no ports: deterministic);
 * reach it with `Control.login(srv)` or a client given `{ net: srv.net }`.
 */
export function startMemoryServer(options: ServerOptions = {}): Promise<TestServer> {
  return startServer({ ...options, net: createMemoryNet() });
}

/** Our server and our client logged in to it; `await using` closes both (client first). */
export interface Pair extends AsyncDisposable {
  readonly server: TestServer;
  readonly client: Client;
}

/**
 * Start a server ({@linkcode startServer} options, first user of `options.users` or
 * anonymous) and connect our client to it, over a fresh in-memory network by default or over
 * the runtime's loopback adapter.
 */
export async function startPair(
  options: ServerOptions = {},
  { network = "memory", client: clientOptions = {} }: {
    network?: "memory" | "loopback";
    client?: Omit<ClientOptions, "net">;
  } = {},
): Promise<Pair> {
  const server = await (network === "memory" ? startMemoryServer(options) : startServer(options));
  const user = options.users?.[0] as { login?: string; password?: string; anonymous?: boolean } | undefined;
  const login = user && !user.anonymous && user.login !== undefined
    ? { user: user.login, password: user.password ?? "" }
    : {};
  try {
    const client = await Client.connect(
      { host: "127.0.0.1", port: server.port, ...login },
      { ...clientOptions, net: server.net },
    );
    return {
      server,
      client,
      [Symbol.asyncDispose]: async () => {
        try {
          await client[Symbol.asyncDispose]();
        } finally {
          await server[Symbol.asyncDispose]();
        }
      },
    };
  } catch (e) {
    await server[Symbol.asyncDispose]();
    throw e;
  }
}

/**
 * A Net (the running runtime's) that counts the sockets it made and accepted that are not
 * closed yet: given to a server, it counts the server's sockets.
 */
export async function countingNet(): Promise<{ net: Net; open: Set<Conn> }> {
  const inner = await defaultNet();
  const open = new Set<Conn>();
  const track = (conn: Conn) => {
    open.add(conn);
    const close = conn.close.bind(conn);
    // Counted closed once the server closes it (the socket's fd is released then).
    (conn as { close: () => void }).close = () => {
      open.delete(conn);
      close();
    };
    void conn.closed.then(() => open.delete(conn), () => open.delete(conn));
  };
  return { net: watchedNet(inner, track), open };
}

/**
 * `inner` with `watch` called on every connection it makes (`connect`, active mode) or
 * accepts (`listen`), before anyone uses it.
 */
export function watchedNet(inner: Net, watch: (conn: Conn) => void): Net {
  return {
    ...inner,
    connect: async (options) => {
      const conn = await inner.connect(options);
      watch(conn);
      return conn;
    },
    listen: async (options) => {
      const listener = await inner.listen(options);
      const wrapped: Listener = {
        get addr() {
          return listener.addr;
        },
        close: () => listener.close(),
        [Symbol.asyncDispose]: () => listener[Symbol.asyncDispose](),
        [Symbol.asyncIterator]() {
          const it = listener[Symbol.asyncIterator]();
          return {
            next: async () => {
              const r = await it.next();
              if (!r.done) watch(r.value);
              return r;
            },
            return: async (value?: unknown) => (await it.return?.(value)) ?? { done: true, value: undefined },
          };
        },
      };
      return wrapped;
    },
  };
}

