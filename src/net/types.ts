/**
 * The socket-adapter contract. The protocol core (client, server, storage) talks to the
 * network only through these interfaces, so the same code runs on Deno, Bun and Node, and in
 * tests over an in-memory pair. One adapter per runtime lives next to this file: its entry
 * point (`node.ts`, `deno.ts`, `bun.ts`, `memory.ts`) and its folder of internals; what they
 * share (the read queue behind every callback-based socket, the accept queue, `deferred` and
 * `once`, address helpers, the write pump, abortable handshakes) is in `_core/`.
 * tests/architecture.test.ts keeps adapters from importing each other.
 *
 * @module
 */

/** Address of one end of a connection, or of a listener. */
export interface Addr {
  /** Numeric IP address, e.g. `"127.0.0.1"` or `"::1"` (no brackets). */
  readonly hostname: string;
  /** TCP port. */
  readonly port: number;
  /** Address family of {@linkcode Addr.hostname}. */
  readonly family: "IPv4" | "IPv6";
}

/**
 * TLS options for the client side of a handshake.
 *
 * @example
 * ```ts
 * import type { ClientTlsOptions } from "anyftp/net";
 * const tls: ClientTlsOptions = { role: "client", serverName: "ftp.example.com" };
 * ```
 */
export interface ClientTlsOptions {
  /** This end acts as the TLS client. */
  readonly role: "client";
  /** Name to send as SNI and to verify the certificate against. @default the connect hostname */
  readonly serverName?: string | undefined;
  /** Extra trusted CA certificates, PEM. @default the runtime's trust store */
  readonly caCerts?: readonly string[] | undefined;
  /**
   * Verify the server certificate (chain and name). `false` accepts any certificate: only
   * for tests and servers you reach over a trusted path. @default true
   */
  readonly rejectUnauthorized?: boolean | undefined;
  /** Client certificate chain, PEM, for servers that ask for one (mutual TLS). @default none */
  readonly cert?: string | undefined;
  /** The private key of `cert`, PEM. @default none */
  readonly key?: string | undefined;
  /** Lowest TLS version to accept. @default "TLSv1.2" */
  readonly minVersion?: "TLSv1.2" | "TLSv1.3" | undefined;
  /**
   * Resume the TLS session of this (control) connection, which FTPS servers such as vsftpd
   * with `require_ssl_reuse` demand on data connections. Adapters that cannot do it throw
   * {@linkcode UnsupportedError}. @default undefined (no reuse)
   */
  readonly reuseSessionOf?: Conn | undefined;
}

/**
 * TLS options for the server side of a handshake.
 *
 * @example
 * ```ts
 * import type { ServerTlsOptions } from "anyftp/net";
 * const tls: ServerTlsOptions = { role: "server", cert: "-----BEGIN CERTIFICATE-----…", key: "-----BEGIN PRIVATE KEY-----…" };
 * ```
 */
export interface ServerTlsOptions {
  /** This end acts as the TLS server (even on a connection it dialled, as in active-mode FTPS). */
  readonly role: "server";
  /** Certificate chain, PEM. */
  readonly cert: string;
  /** Private key, PEM. */
  readonly key: string;
}

/** Either side of a TLS handshake. */
export type TlsOptions = ClientTlsOptions | ServerTlsOptions;

/**
 * How a {@linkcode Conn.startTls} handshake may be cut short.
 *
 * @example
 * ```ts
 * import type { StartTlsOptions } from "anyftp/net";
 * const bounded: StartTlsOptions = { signal: AbortSignal.timeout(10_000) };
 * const upload: StartTlsOptions = { ...bounded, requireCloseNotify: true };
 * ```
 */
export interface StartTlsOptions {
  /**
   * Aborts the handshake: the connection is torn down and the call rejects with the signal's
   * reason. A peer that never sends (or never finishes) its handshake would otherwise hold
   * the call forever. @default undefined (wait until the handshake ends or the peer closes)
   */
  readonly signal?: AbortSignal | undefined;
  /**
   * Take an end of stream without the peer's close_notify for what it is, a truncation: the
   * readable then fails with {@linkcode ConnectionClosedError} after the bytes received (a
   * server receiving an upload). Without it such an end reads as a normal end, as most TLS
   * clients expect of servers. Where the runtime cannot tell the two apart the option has no
   * effect (see the README's Limitations). @default false
   */
  readonly requireCloseNotify?: boolean | undefined;
}

/**
 * One open, bidirectional byte stream (a TCP or TLS socket).
 *
 * Closing: `writable.close()` half-closes (sends FIN) and the peer's `readable` ends;
 * {@linkcode Conn.close} tears both directions down at once. `closed` settles when the
 * socket is fully closed, whichever way that happened. Writing after close rejects with
 * {@linkcode ConnectionClosedError}.
 *
 * @example
 * ```ts
 * import { connect } from "anyftp/net/auto";
 * const conn = await connect({ hostname: "127.0.0.1", port: 21 });
 * const reader = conn.readable.getReader();
 * const { value } = await reader.read(); // "220 …" greeting bytes
 * conn.close();
 * ```
 */
export interface Conn {
  /** Bytes from the peer; ends when the peer half-closes or the socket closes. */
  readonly readable: ReadableStream<Uint8Array>;
  /** Bytes to the peer; `write` resolves when the runtime accepted the chunk (backpressure). */
  readonly writable: WritableStream<Uint8Array>;
  /** This end's address. */
  readonly localAddr: Addr;
  /** The peer's address. */
  readonly remoteAddr: Addr;
  /** Settles once the socket is closed. Never rejects. */
  readonly closed: Promise<void>;
  /** Whether the bytes travel inside TLS. */
  readonly secure: boolean;
  /**
   * Whether this TLS connection resumed an earlier session (FTPS servers demand that a
   * data connection resume the control connection's session, so another client cannot
   * steal the transfer). `undefined` on a plain connection and where the runtime cannot
   * tell; adapters written before this existed may leave it out.
   */
  tlsSessionReused?(): boolean | undefined;
  /**
   * Switch off Nagle's algorithm (control connections: avoids ~40 ms delayed-ACK stalls).
   * A no-op where the runtime offers no switch.
   */
  setNoDelay(noDelay: boolean): void;
  /** Close both directions now; pending writes may be lost. Idempotent. */
  close(): void;
  /**
   * Run a TLS handshake over this open connection and return the secured connection.
   * After the call, use only the returned Conn: this one's streams are handed over.
   * Nothing may have been read ahead of the handshake (FTP guarantees it: AUTH TLS and
   * its reply come first). A peer that closes during the handshake rejects it with
   * {@linkcode ConnectionClosedError}; `init.signal` bounds it.
   */
  startTls(options: TlsOptions, init?: StartTlsOptions): Promise<Conn>;
}

/**
 * A listening socket. Iterate it to accept connections; the loop ends when it is closed.
 *
 * @example
 * ```ts
 * import { listen } from "anyftp/net/auto";
 * const listener = await listen({ hostname: "127.0.0.1", port: 0 });
 * console.log(listener.addr.port); // the real port
 * for await (const conn of listener) conn.close();
 * ```
 */
export interface Listener extends AsyncIterable<Conn> {
  /** The bound address, with the real port when 0 was asked for. */
  readonly addr: Addr;
  /** Stop accepting and free the port. Open connections stay open. Idempotent. */
  close(): void;
  /** Same as {@linkcode Listener.close}, for `await using`. */
  [Symbol.asyncDispose](): Promise<void>;
}

/** Options for {@linkcode Net.connect}. */
export interface ConnectOptions {
  /** Host name or numeric address to dial. */
  readonly hostname: string;
  /** TCP port. */
  readonly port: number;
  /** Aborts the connect attempt (rejects with the signal's reason). */
  readonly signal?: AbortSignal | undefined;
  /** TLS from the first byte (implicit FTPS). @default undefined (plain TCP) */
  readonly tls?: ClientTlsOptions | ServerTlsOptions | undefined;
  /**
   * Local address to bind before connecting (tests use 127.0.0.2). Adapters that cannot
   * bind throw {@linkcode UnsupportedError}. @default undefined (the OS chooses)
   */
  readonly localAddress?: string | undefined;
}

/** Options for {@linkcode Net.listen}. */
export interface ListenOptions {
  /** Numeric address to bind, e.g. `"127.0.0.1"`, `"::1"`, `"0.0.0.0"`. */
  readonly hostname: string;
  /** TCP port; 0 picks a free one (read it from {@linkcode Listener.addr}). */
  readonly port: number;
  /** TLS on every accepted connection from the first byte (implicit FTPS). @default undefined */
  readonly tls?: ServerTlsOptions | undefined;
  /** Listen backlog; large so bursts of clients are not dropped. @default 511 */
  readonly backlog?: number | undefined;
  /**
   * Listening sockets to open on the port (`SO_REUSEPORT`, the kernel spreads connections
   * over them) where the runtime offers it, for event loops that accept one connection per
   * turn: libuv does (Node), and so does Deno's `node:net`, so a loop kept busy by running
   * sessions accepts new clients slowly. Where the runtime cannot share a port (Node before
   * 22.12) one socket is used. A fixed port is first bound alone, so a port another
   * listener holds fails with `EADDRINUSE` as without this option (only a process of the same
   * user that shares the port deliberately, in the moment between, could join). @default 1
   */
  readonly acceptors?: number | undefined;
}

/**
 * A runtime's networking, as the protocol core sees it. Pass one as the `net` option;
 * the default is the running runtime's adapter.
 *
 * @example
 * ```ts
 * import { nodeNet } from "anyftp/net/node";
 * const listener = await nodeNet.listen({ hostname: "127.0.0.1", port: 0 });
 * const conn = await nodeNet.connect({ hostname: "127.0.0.1", port: listener.addr.port });
 * conn.close();
 * listener.close();
 * ```
 */
export interface Net {
  /** Short name of the runtime behind this adapter, for messages. */
  readonly name: string;
  /** Open a connection. Rejects with {@linkcode ConnectError} (refused, unreachable) or the abort reason. */
  connect(options: ConnectOptions): Promise<Conn>;
  /**
   * Bind and listen. Rejects with {@linkcode ConnectError} when the address cannot be bound,
   * with the system `code` (`EADDRINUSE` when it is in use).
   */
  listen(options: ListenOptions): Promise<Listener>;
}
