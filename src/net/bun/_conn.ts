/**
 * {@linkcode Conn} over a callback-based `Bun.Socket`: `data` events feed the shared read
 * queue (a plain socket is paused whenever no read is pending, so bytes stay in the kernel
 * until asked for, which STARTTLS needs: Bun cannot give bytes back), and writes resume
 * partial `socket.write` results on `drain`.
 *
 * @module
 */
import { ConnectionClosedError, UnsupportedError } from "../../errors.ts";
import { abortable } from "../_core/abortable.ts";
import { toAddr } from "../_core/addr.ts";
import { type Deferred, deferred } from "../_core/deferred.ts";
import { ReadQueue } from "../_core/read_queue.ts";
import type { Addr, ClientTlsOptions, Conn, StartTlsOptions, TlsOptions } from "../types.ts";
import type { BunHandlers, BunSocketLike, BunTlsOptions } from "./_types.ts";

type Socket = BunSocketLike<BunConn>;

/** Bytes a TLS connection reads ahead of its reader before pausing. */
const READ_AHEAD = 1 << 20;

/** One set of handlers for every socket: each event goes to the socket's BunConn. */
export const handlers: BunHandlers<BunConn> = {
  binaryType: "uint8array",
  open: (socket) => socket.data.attach(socket),
  data: (socket, chunk) => socket.data.onData(socket, chunk),
  drain: (socket) => socket.data.onDrain(socket),
  end: (socket) => socket.data.onEnd(socket),
  close: (socket, error) => socket.data.onClose(socket, error),
  error: (socket, error) => socket.data.onError(socket, error),
  handshake: (socket, success, error) => socket.data.onHandshake(socket, success, error),
  connectError: (socket, error) => socket.data.onError(socket, error),
};

/** Bun TLS options for the client role; resumes `reuseSessionOf`'s session when given. */
export function clientTls(options: ClientTlsOptions, hostname: string): BunTlsOptions {
  return {
    ca: options.caCerts ? [...options.caCerts] : undefined,
    serverName: options.serverName ?? hostname,
    rejectUnauthorized: options.rejectUnauthorized ?? true,
    ...(options.cert !== undefined ? { cert: options.cert, key: options.key } : {}),
    // Bun's TLS options have no minimum version: switch TLS 1.2 off instead (TLS 1.0/1.1
    // are off already).
    ...(options.minVersion === "TLSv1.3" ? { secureOptions: SSL_OP_NO_TLSv1_2 } : {}),
  };
}

/** BoringSSL's (and OpenSSL's) option bit that disables TLS 1.2. */
const SSL_OP_NO_TLSv1_2 = 0x08000000;

/** A Bun socket as a {@linkcode Conn}. Create it first, pass it as the socket's `data`. */
export class BunConn implements Conn {
  readonly readable: ReadableStream<Uint8Array>;
  readonly writable: WritableStream<Uint8Array>;
  readonly closed: Promise<void>;
  readonly secure: boolean;
  /** Settles when the connection is usable: at once (plain), or after the TLS handshake. */
  readonly ready: Promise<void>;

  #socket: Socket | undefined;
  #local: Addr = toAddr("", 0);
  #remote: Addr = toAddr("", 0);
  #verify: boolean;
  #session: unknown;
  #ready = deferred<void>();
  #handshaken: boolean;
  #markClosed!: () => void;
  #isClosed = false;
  #queue: ReadQueue;
  #handedOver = false;
  #error: Error | undefined;
  #pending: { chunk: Uint8Array; at: number; done: Deferred<void> } | null = null;
  #writer!: WritableStreamDefaultController;

  /**
   * @param options `role` for TLS sockets (plain ones leave it out: the server role's TLS
   *   runs on `node:tls`, see `startTls`); `verify` to fail on an unauthorized server
   *   certificate; `session` to resume; `addrs` for upgraded sockets, which Bun reports no
   *   addresses for.
   */
  constructor(
    options: {
      role?: "client" | undefined;
      verify?: boolean;
      session?: unknown;
      addrs?: [Addr, Addr];
    } = {},
  ) {
    this.secure = options.role !== undefined;
    this.#verify = options.verify ?? false;
    this.#session = options.session;
    if (options.addrs) [this.#local, this.#remote] = options.addrs;
    this.ready = this.#ready.promise;
    this.#handshaken = !this.secure;
    if (this.#handshaken) this.#ready.resolve();
    this.ready.catch(() => {}); // observed by whoever awaits it; never unhandled
    this.closed = new Promise((resolve) => (this.#markClosed = resolve));
    // Plain: keep bytes in the kernel until read (see the module comment). TLS can never be
    // upgraded again, so it reads ahead (bounded), which drains a client's window before it
    // resets the connection (see DenoConn's read-ahead).
    this.#queue = new ReadQueue({
      limit: this.secure ? READ_AHEAD : 0,
      onCancel: () => this.#socket?.resume(), // drop what comes, so the peer is never stuck
    });
    this.readable = this.#queue.readable;
    this.writable = new WritableStream<Uint8Array>({
      start: (controller) => {
        this.#writer = controller;
      },
      write: (chunk) => this.#write(chunk),
      close: () => this.#shutdown(),
      abort: () => this.close(),
    }, { highWaterMark: 1 });
  }

  get localAddr(): Addr {
    return this.#local;
  }

  get remoteAddr(): Addr {
    return this.#remote;
  }

  /** The TLS session of this client connection, for `reuseSessionOf`. */
  session(): unknown {
    return this.#socket?.getSession();
  }

  /** Bind to the socket (its `open` event). Paused until the reader pulls. */
  attach(socket: Socket): void {
    if (this.#socket === socket) return;
    this.#socket = socket;
    if (socket.localPort) {
      this.#local = toAddr(socket.localAddress, socket.localPort);
      this.#remote = toAddr(socket.remoteAddress, socket.remotePort);
    }
    if (this.#session !== undefined) socket.setSession(this.#session);
    // A TLS socket paused before its handshake never completes it: pause after the handshake.
    this.#queue.attach(socket, !this.secure);
  }

  onData(socket: Socket, chunk: Uint8Array): void {
    if (socket !== this.#socket || this.#handedOver) return;
    this.#queue.push(chunk);
  }

  onDrain(socket: Socket): void {
    if (socket !== this.#socket) return;
    this.#flush();
  }

  onEnd(socket: Socket): void {
    if (socket !== this.#socket || this.#handedOver) return;
    this.#queue.end();
  }

  onError(socket: Socket, error: Error): void {
    if (socket !== this.#socket && this.#socket !== undefined) return;
    // After the peer's end (FIN, or close_notify) an error concerns writing only.
    if (!this.#queue.ended) this.#error = error;
    this.#queue.fail(error);
    this.#ready.reject(error);
  }

  onHandshake(socket: Socket, success: boolean, error: Error | null): void {
    if (socket !== this.#socket) this.attach(socket);
    // A client that verifies fails on any certificate error; one that does not takes what
    // it gets (Bun reports an unverified certificate as no success).
    if (this.#verify && (!success || error)) {
      this.#ready.reject(error ?? new Error("TLS handshake failed"));
      socket.end();
    } else {
      this.#handshaken = true;
      this.#ready.resolve();
      this.#queue.pauseIfFull();
    }
  }

  onClose(socket: Socket, error?: Error): void {
    if (socket !== this.#socket && this.#socket !== undefined) return;
    if (this.#handedOver) return;
    this.#ready.reject(error ?? this.#error ?? new ConnectionClosedError("TLS handshake"));
    this.#closeAll(error ?? this.#error);
  }

  setNoDelay(noDelay: boolean): void {
    this.#socket?.setNoDelay(noDelay);
  }

  close(): void {
    if (this.#isClosed) return;
    this.#socket?.end(); // FIN; Bun detaches the socket at once
    this.#closeAll(undefined);
  }

  tlsSessionReused(): boolean | undefined {
    return this.secure ? this.#socket?.isSessionReused() : undefined;
  }

  async startTls(options: TlsOptions, init: StartTlsOptions = {}): Promise<Conn> {
    init.signal?.throwIfAborted();
    const socket = this.#socket;
    if (this.#isClosed || !socket) throw new ConnectionClosedError("TLS upgrade");
    if (this.#queue.length > 0) {
      throw new TypeError("startTls with unread bytes: the peer sent data before the handshake");
    }
    if (options.role === "server") {
      // Every server-role handshake (control and data connections alike) runs node:tls over
      // this connection (see _via_node.ts): Bun's own TLS ends a stream alike with or without
      // close_notify, and a data connection can only resume a session of the same TLS stack.
      const { tlsViaNode } = await import("./_via_node.ts");
      return await tlsViaNode(this, options, init);
    }
    if (options.reuseSessionOf && !(options.reuseSessionOf instanceof BunConn)) {
      throw new UnsupportedError(
        "bun",
        "TLS session reuse of a connection from another adapter",
        "pass the secured control connection returned by this adapter",
      );
    }
    const addrs: [Addr, Addr] = [this.#local, this.#remote];
    const session = (options.reuseSessionOf as BunConn | undefined)?.session();
    const conn = new BunConn({
      role: "client",
      verify: options.rejectUnauthorized ?? true,
      session,
      addrs,
    });
    const tls: BunTlsOptions = clientTls(options, this.#remote.hostname);
    this.#handedOver = true;
    const gone = new ConnectionClosedError("use of a connection after startTls");
    this.#writer.error(gone);
    this.#queue.handOver();
    const [, secured] = socket.upgradeTLS({
      data: conn,
      tls,
      socket: handlers,
      isServer: false,
    });
    conn.attach(secured);
    socket.resume(); // the raw socket must read for the TLS layer (its bytes go to `conn`)
    // Handed back once the handshake is done; a failed or aborted one closes both sockets.
    const handshake = conn.ready.then(() => conn, (error) => {
      conn.close();
      throw error;
    });
    return await abortable(handshake, init.signal, () => {
      secured.terminate();
      socket.terminate();
      conn.close();
    });
  }

  #write(chunk: Uint8Array): Promise<void> | void {
    if (!this.#handshaken) return this.#afterHandshake("write").then(() => this.#write(chunk));
    const socket = this.#socket;
    if (this.#isClosed || !socket) throw new ConnectionClosedError("write", { cause: this.#error });
    const n = socket.write(chunk);
    if (n === chunk.byteLength) return;
    if (n < 0) {
      // Bun knows the socket is gone but a paused socket may never get its close event.
      const error = new ConnectionClosedError("write", { cause: this.#error });
      this.close();
      throw error;
    }
    // Bun buffers nothing: keep the rest and send it on 'drain'.
    this.#pending = { chunk, at: n, done: deferred<void>() };
    return this.#pending.done.promise;
  }

  #flush(): void {
    const pending = this.#pending;
    if (!pending || !this.#socket) return;
    const rest = pending.chunk.byteLength - pending.at;
    const n = this.#socket.write(pending.chunk, pending.at, rest);
    if (n < 0) {
      this.close(); // rejects the pending write
    } else if (n === rest) {
      this.#pending = null;
      pending.done.resolve();
    } else {
      pending.at += n;
    }
  }

  #shutdown(): Promise<void> | void {
    if (!this.#handshaken) return this.#afterHandshake("close").then(() => this.#shutdown());
    if (this.#isClosed || !this.#socket) throw new ConnectionClosedError("close");
    // FIN only (Bun's end() would close both directions); on TLS, close_notify first.
    this.#socket.shutdown();
  }

  /**
   * Wait for the TLS handshake of an implicit-TLS conn (accepted before it finished):
   * writing or half-closing earlier would not reach the peer as TLS.
   */
  async #afterHandshake(operation: string): Promise<void> {
    try {
      await this.ready;
    } catch (error) {
      throw new ConnectionClosedError(operation, { cause: error });
    }
  }

  #closeAll(error: Error | undefined): void {
    if (this.#isClosed) return;
    this.#isClosed = true;
    if (error && !this.#queue.ended) this.#error = error;
    // Bytes already received stay readable: the readable ends, or fails, after them.
    this.#queue.close(error);
    const closed = new ConnectionClosedError("write", { cause: error ?? this.#error });
    this.#pending?.done.reject(closed);
    this.#pending = null;
    try {
      this.#writer.error(closed);
    } catch { /* stream already closed */ }
    this.#markClosed();
  }
}
