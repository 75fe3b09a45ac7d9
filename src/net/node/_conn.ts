/**
 * {@linkcode Conn} over a `node:net` / `node:tls` socket: `'data'` + `pause()`/`resume()`
 * into the shared read queue, and `write()` + `'drain'` (measured faster than
 * `Duplex.toWeb`, see DESIGN.md), plus STARTTLS in both roles.
 *
 * @module
 */
import type * as net from "node:net";
import * as tls from "node:tls";
import { ConnectionClosedError } from "../../errors.ts";
import { abortable } from "../_core/abortable.ts";
import { toAddr } from "../_core/addr.ts";
import { type Deferred, deferred, once } from "../_core/deferred.ts";
import { type Flow, ReadQueue } from "../_core/read_queue.ts";
import type { Addr, Conn, StartTlsOptions, TlsOptions } from "../types.ts";
import type { Over } from "./_tls_over_conn.ts";
import {
  clientTlsOptions,
  onBun,
  onDeno,
  registerTlsSocket,
  serverTlsSocket,
  sessionReady,
  trackSession,
} from "./_tls.ts";

/** Bytes read ahead of the reader before the socket is paused (bounds memory per socket). */
const READ_AHEAD = 1 << 20;

/** Bytes queued in a socket before `write` waits for 'drain' (bounds memory per socket). */
const WRITE_AHEAD = 1 << 20;

/** The zero-byte write of the end-of-stream check (see {@linkcode NodeConn}). */
const PROBE = new Uint8Array(0);

/** A reset found by the end-of-stream check: what looked like the peer's FIN was not. */
function resetAfterEnd(cause: unknown): Error {
  return Object.assign(
    new Error("connection reset by peer (found by a write after the end of stream)", { cause }),
    { code: "ECONNRESET" },
  );
}

/** Options of {@linkcode NodeConn} beyond the socket. */
export interface NodeConnOptions {
  /** TLS over another Conn (see {@linkcode Over}). @default undefined (over the socket) */
  readonly over?: Over;
  /**
   * The TLS handshake is still to run (implicit TLS, accepted before it): `writable.close()`
   * waits for it, since ending a TLS socket mid-handshake sends close_notify in its place,
   * which clients report as a failed handshake. @default false
   */
  readonly handshaking?: boolean;
}

/**
 * Wraps a connected Node socket. The socket is paused until the reader pulls, and reading
 * pauses again once {@link READ_AHEAD} bytes wait unread; on {@linkcode NodeConn.startTls}
 * any read-ahead bytes are pushed back into the socket, so the handshake sees them.
 *
 * End-of-stream check (plain sockets): libuv takes a hang-up seen together with the last
 * bytes for the peer's FIN without reading the socket's error (libuv's `uv__stream_io`
 * reports EOF on POLLHUP after a partial read), so a reset that arrives with the end of an
 * upload reads as a normal end. Before the readable ends, a zero-byte write asks the kernel:
 * it succeeds on a socket the peer half-closed (nothing is sent) and fails with
 * `ECONNRESET`/`EPIPE` on a reset one. The readable then fails with
 * {@linkcode ConnectionClosedError}, as for any reset.
 */
export class NodeConn implements Conn {
  readonly readable: ReadableStream<Uint8Array>;
  readonly writable: WritableStream<Uint8Array>;
  readonly localAddr: Addr;
  readonly remoteAddr: Addr;
  readonly closed: Promise<void>;
  readonly secure: boolean;

  #socket: net.Socket;
  #over: Conn | undefined;
  #flow: Flow;
  #queue: ReadQueue;
  #writer!: WritableStreamDefaultController;
  #drain: Deferred<void> | null = null;
  #writeError: unknown = undefined;
  #handedOver = false;
  #handshake: Promise<void> | undefined;
  /** The end-of-stream check is running: its write decides how the readable ends. */
  #probing = false;
  #onData = (chunk: Buffer) => {
    // A plain Uint8Array view: Buffer's slice() shares memory, unlike the web standard's.
    this.#queue.push(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength));
  };
  #onEnd = () => this.#checkEnd();
  #onError = (error: unknown) => {
    this.#writeError = error;
    this.#queue.fail(this.#probing ? resetAfterEnd(error) : error);
  };
  #onClose = () => this.#gone();
  #onDrain = () => this.#settleDrain();

  /**
   * @param socket A connected socket (for TLS, one whose handshake has finished).
   * @param secure Whether `socket` is a TLS socket.
   * @param options `over`: for TLS over another Conn, what to pause instead of the socket
   *   (which then always flows), and where addresses come from; `handshaking`: the TLS
   *   handshake has not run yet.
   */
  constructor(socket: net.Socket, secure: boolean, options: NodeConnOptions = {}) {
    const over = options.over;
    this.#socket = socket;
    this.#over = over?.conn;
    this.secure = secure;
    this.#queue = new ReadQueue({ limit: READ_AHEAD, onCancel: () => this.#cancel() });
    this.readable = this.#queue.readable;
    // An explicit pause() also keeps the 'data' listener below from resuming the socket.
    this.#flow = over?.flow ?? socket;
    this.#queue.attach(this.#flow);
    socket.on("data", this.#onData);
    if (over) socket.resume();
    socket.on("end", this.#onEnd);
    socket.on("error", this.#onError);
    socket.on("drain", this.#onDrain);
    this.localAddr = over?.conn.localAddr ?? toAddr(socket.localAddress, socket.localPort);
    this.remoteAddr = over?.conn.remoteAddr ?? toAddr(socket.remoteAddress, socket.remotePort);
    this.closed = new Promise((resolve) => {
      if (socket.destroyed) resolve();
      else socket.once("close", () => resolve());
    });
    socket.once("close", this.#onClose);
    if (secure) registerTlsSocket(this, socket as tls.TLSSocket);
    if (options.handshaking) {
      this.#handshake = once(socket, "secure");
      this.#handshake.then(() => (this.#handshake = undefined), () => {});
    }
    this.writable = new WritableStream<Uint8Array>({
      start: (controller) => {
        this.#writer = controller;
      },
      write: (chunk) => this.#write(chunk),
      close: () => this.#finish(),
      abort: () => {
        this.#socket.destroy();
      },
    }, { highWaterMark: 1 });
  }

  setNoDelay(noDelay: boolean): void {
    if (this.#over) this.#over.setNoDelay(noDelay);
    else this.#socket.setNoDelay(noDelay);
  }

  close(): void {
    this.#socket.destroy();
  }

  tlsSessionReused(): boolean | undefined {
    // Deno's node:tls never resumes a session, and Bun's never a TLS 1.2 one as a server
    // (it keeps no session IDs and issues no tickets to curl there): "false" would say nothing.
    if (onDeno() || !this.secure) return undefined;
    const socket = this.#socket as tls.TLSSocket;
    if (onBun() && socket.getProtocol() !== "TLSv1.3") return undefined;
    return socket.isSessionReused();
  }

  async startTls(options: TlsOptions, init: StartTlsOptions = {}): Promise<Conn> {
    const { signal } = init;
    signal?.throwIfAborted();
    if (onDeno() || this.#over || (init.requireCloseNotify && options.role === "server")) {
      // Deno's node:tls loses end-of-stream once a TLS socket was paused: run TLS over this
      // Conn's streams instead, pausing the ciphertext side (see _tls_over_conn.ts). The same
      // path sees the TCP end apart from close_notify, which requireCloseNotify needs.
      const { tlsOverConn } = await import("./_tls_over_conn.ts");
      return await tlsOverConn(this, options, init, (secured, over) => {
        return new NodeConn(secured, true, { over });
      });
    }
    if (options.role === "client") await sessionReady(options.reuseSessionOf);
    const socket = this.#handOver();
    const secured = options.role === "server"
      ? serverTlsSocket(socket, options)
      : trackSession(tls.connect({ ...clientTlsOptions(options, this.remoteAddr.hostname), socket }));
    // Until NodeConn takes the TLS socket over, an error on either socket must not go unheard.
    const ignore = () => {};
    secured.on("error", ignore);
    socket.on("error", ignore);
    const handshake = once(secured, options.role === "server" ? "secure" : "secureConnect")
      .then(() => new NodeConn(secured, true), (error) => {
        secured.destroy();
        socket.destroy();
        throw error;
      });
    try {
      return await abortable(handshake, signal, () => {
        secured.destroy();
        socket.destroy();
      });
    } finally {
      secured.off("error", ignore);
    }
  }

  /** Detach from the socket, giving unread bytes back to it, and retire these streams. */
  #handOver(): net.Socket {
    if (this.#handedOver) throw new TypeError("startTls was already called on this connection");
    if (this.#socket.destroyed) throw new ConnectionClosedError("TLS upgrade");
    this.#handedOver = true;
    const socket = this.#socket;
    socket.pause();
    socket.off("data", this.#onData);
    socket.off("end", this.#onEnd);
    socket.off("error", this.#onError);
    socket.off("drain", this.#onDrain);
    socket.off("close", this.#onClose);
    for (const chunk of this.#queue.handOver().reverse()) socket.unshift(chunk);
    const gone = new ConnectionClosedError("use of a connection after startTls");
    this.#writer.error(gone);
    this.#drain?.reject(gone);
    return socket;
  }

  #cancel(): void {
    // Keep draining (and dropping) so the peer is never stuck on a full window.
    if (this.#socket.writableFinished) this.#socket.destroy();
    else this.#flow.resume();
  }

  /**
   * The peer's end arrived: end the readable, after the end-of-stream check on a plain
   * socket whose write side is still open and idle (see the class comment).
   */
  #checkEnd(): void {
    const socket = this.#socket;
    if (this.secure || socket.destroyed || socket.writableEnded || socket.writableLength > 0) {
      this.#queue.end();
      return;
    }
    this.#probing = true;
    socket.write(PROBE, (error) => {
      this.#probing = false;
      if (error) this.#queue.fail(resetAfterEnd(error));
      this.#queue.end();
    });
  }

  #gone(): void {
    // 'close' follows 'error' and destroy(); everything still open ends here. Bytes already
    // received stay readable (a reset discards what the peer had not sent, not what we
    // have): the readable ends, or fails with the error, after them. A close while the
    // end-of-stream check runs means the peer reset the connection (Bun's node:net).
    if (this.#probing) this.#queue.fail(resetAfterEnd(this.#writeError));
    this.#queue.end();
    const closed = new ConnectionClosedError("write", { cause: this.#writeError });
    this.#drain?.reject(closed);
    this.#drain = null;
    try {
      this.#writer.error(closed);
    } catch { /* stream already closed */ }
  }

  #write(chunk: Uint8Array): Promise<void> | void {
    const socket = this.#socket;
    if (socket.destroyed || socket.writableEnded) throw new ConnectionClosedError("write");
    // The chunk is owned by the socket from here on (callers must not reuse it). Resolve while
    // at most WRITE_AHEAD bytes wait in the socket, not only when it is empty ('drain'): the
    // producer then reads its next chunk while this one is sent.
    socket.write(chunk);
    if (socket.writableLength <= WRITE_AHEAD) return;
    this.#drain = deferred<void>();
    return this.#drain.promise;
  }

  #settleDrain(): void {
    const drain = this.#drain;
    this.#drain = null;
    drain?.resolve();
  }

  #finish(): Promise<void> {
    if (this.#handshake) {
      return this.#handshake.then(
        () => this.#finish(),
        (error) => Promise.reject(new ConnectionClosedError("close", { cause: error })),
      );
    }
    const socket = this.#socket;
    if (socket.destroyed) return Promise.reject(new ConnectionClosedError("close"));
    return new Promise((resolve, reject) => {
      const onClose = () =>
        reject(new ConnectionClosedError("close", { cause: this.#writeError }));
      socket.once("close", onClose);
      socket.end(() => {
        socket.off("close", onClose);
        resolve();
      });
    });
  }
}
