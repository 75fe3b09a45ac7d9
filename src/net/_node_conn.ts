/**
 * {@linkcode Conn} over a `node:net` / `node:tls` socket: hand-written Web Streams over
 * `'data'` + `pause()`/`resume()` and `write()` + `'drain'` (measured faster than
 * `Duplex.toWeb`, see DESIGN.md), plus STARTTLS in both roles.
 *
 * @module
 */
import * as net from "node:net";
import * as tls from "node:tls";
import { ConnectionClosedError, UnsupportedError } from "../errors.ts";
import { toAddr } from "./_addr.ts";
import { abortable } from "./_abortable.ts";
import type { Addr, ClientTlsOptions, Conn, ServerTlsOptions, StartTlsOptions, TlsOptions } from "./types.ts";

/** Bytes read ahead of the reader before the socket is paused (bounds memory per socket). */
const READ_AHEAD = 1 << 20;

/** The TLS socket behind each secured conn, for `reuseSessionOf`. */
const tlsSockets = new WeakMap<Conn, tls.TLSSocket>();

/** Bytes queued in a socket before `write` waits for 'drain' (bounds memory per socket). */
const WRITE_AHEAD = 1 << 20;

/** Latest session ticket per client TLS socket (see {@linkcode trackSession}). */
const latestSession = new WeakMap<net.Socket, Buffer>();

/**
 * Record the session tickets of a client TLS socket. Call it right after `tls.connect`:
 * Node only turns its session callbacks on for listeners added before the tickets arrive
 * (TLS 1.3 sends them after the handshake), and `getSession()` alone then returns a
 * ticketless session that no server resumes.
 */
export function trackSession(socket: tls.TLSSocket): tls.TLSSocket {
  socket.on("session", (session: Buffer) => latestSession.set(socket, session));
  return socket;
}

/**
 * Wait until `conn` (a TLS 1.3 client conn) has its session ticket, which servers send after
 * the handshake and Node reports a moment after the first data. Bounded: a server that
 * sends no ticket costs at most 250 ms, then the data connection does a full handshake.
 */
export async function sessionReady(conn: Conn | undefined): Promise<void> {
  const socket = conn && tlsSockets.get(conn);
  if (!socket || latestSession.has(socket) || socket.getProtocol() !== "TLSv1.3") return;
  await new Promise<void>((resolve) => {
    const done = () => {
      clearTimeout(timer);
      socket.off("session", done);
      resolve();
    };
    const timer = setTimeout(done, 250);
    socket.once("session", done);
  });
}

/** One secure context per cert+key, so data connections can resume the control session. */
const serverContexts = new Map<string, tls.SecureContext>();
/** One client context per extra-CA set (building one from the root store costs milliseconds). */
const clientContexts = new Map<string, tls.SecureContext>();

/**
 * Server-role secure context for a cert+key (and highest TLS version), cached.
 *
 * @param options Certificate and key.
 * @param maxVersion Highest TLS version to offer. @default Node's ("TLSv1.3")
 */
export function serverContext(
  options: ServerTlsOptions,
  maxVersion?: tls.SecureVersion,
): tls.SecureContext {
  const key = options.cert + "\0" + options.key + "\0" + (maxVersion ?? "");
  let context = serverContexts.get(key);
  if (!context) {
    context = tls.createSecureContext({ cert: options.cert, key: options.key, maxVersion });
    if (serverContexts.size > 32) serverContexts.clear();
    serverContexts.set(key, context);
  }
  return context;
}

/** Client-role secure context trusting the root store plus `caCerts`, cached. */
function clientContext(caCerts: readonly string[] | undefined): tls.SecureContext | undefined {
  if (!caCerts?.length) return undefined;
  const key = caCerts.join("\0");
  let context = clientContexts.get(key);
  if (!context) {
    context = tls.createSecureContext({ ca: [...tls.rootCertificates, ...caCerts] });
    if (clientContexts.size > 32) clientContexts.clear();
    clientContexts.set(key, context);
  }
  return context;
}

/**
 * `tls.connect` options for the client role. IP addresses are not valid SNI, so they go in
 * `host` (which Node then checks against the certificate's IP SANs).
 */
export function clientTlsOptions(
  options: ClientTlsOptions,
  hostname: string,
): tls.ConnectionOptions {
  const name = options.serverName ?? hostname;
  const result: tls.ConnectionOptions = {
    host: name,
    rejectUnauthorized: options.rejectUnauthorized ?? true,
    secureContext: clientContext(options.caCerts),
  };
  if (!net.isIP(name)) result.servername = name;
  if (options.reuseSessionOf) {
    if ((globalThis as { Deno?: unknown }).Deno !== undefined) {
      // Deno's node:tls accepts `session` but never resumes (checked with Deno 2.9): say so.
      throw new UnsupportedError(
        "deno",
        "TLS session reuse (node:tls ignores `session` there)",
        "run the client on Node or Bun for servers that require TLS session reuse " +
          "(vsftpd require_ssl_reuse), or turn that requirement off on the server",
      );
    }
    const socket = tlsSockets.get(options.reuseSessionOf);
    if (!socket) {
      throw new UnsupportedError(
        "node",
        "TLS session reuse of a connection that is not a TLS client connection of the node adapter",
        "pass the secured control connection returned by this adapter",
      );
    }
    result.session = latestSession.get(socket) ?? socket.getSession();
  }
  return result;
}

/** Resolve once `socket` emits `event`; reject on `'error'` or an early `'close'`. */
function once(socket: net.Socket, event: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const done = (error?: unknown) => {
      socket.off(event, ok);
      socket.off("error", done);
      socket.off("close", closed);
      if (error === undefined) resolve();
      else reject(error);
    };
    const ok = () => done();
    const closed = () => done(new ConnectionClosedError("TLS handshake"));
    socket.once(event, ok);
    socket.once("error", done);
    socket.once("close", closed);
  });
}

/**
 * Who to pause when the reader falls behind. Normally the socket itself; for TLS over a
 * generic stream (see `_tls_over_conn.ts`) the ciphertext source, because Deno's node:tls
 * loses end-of-stream on a paused TLS socket.
 */
export interface Flow {
  pause(): void;
  resume(): void;
  isPaused(): boolean;
}

/** TLS running over another {@linkcode Conn} instead of a socket handle. */
export interface Over {
  /** The ciphertext source to pause for backpressure. */
  readonly flow: Flow;
  /** The connection carrying the ciphertext (addresses, no-delay). */
  readonly conn: Conn;
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

/** Whether we run on Deno, whose node:tls needs the workarounds noted where this is used. */
export function onDeno(): boolean {
  return (globalThis as { Deno?: unknown }).Deno !== undefined;
}

/**
 * Wraps a connected Node socket. The socket is paused until the reader pulls, and reading
 * pauses again once {@link READ_AHEAD} bytes wait unread; on {@linkcode NodeConn.startTls}
 * any read-ahead bytes are pushed back into the socket, so the handshake sees them.
 */
export class NodeConn implements Conn {
  readonly readable: ReadableStream<Uint8Array>;
  readonly writable: WritableStream<Uint8Array>;
  readonly localAddr: Addr;
  readonly remoteAddr: Addr;
  readonly closed: Promise<void>;
  readonly secure: boolean;

  #socket: net.Socket;
  #flow: Flow;
  #over: Conn | undefined;
  #reader!: ReadableStreamDefaultController<Uint8Array>;
  #writer!: WritableStreamDefaultController;
  #chunks: Uint8Array[] = [];
  #buffered = 0;
  #wanted = false;
  #ended = false;
  #readDone = false;
  #discard = false;
  #drain: { promise: Promise<void>; resolve: () => void; reject: (e: unknown) => void } | null =
    null;
  #error: unknown = undefined;
  #writeError: unknown = undefined;
  #handedOver = false;
  #handshake: Promise<void> | undefined;
  #onData = (chunk: Buffer) => this.#data(chunk);
  #onEnd = () => this.#end();
  #onError = (error: unknown) => this.#failed(error);
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
    const flow = over?.flow;
    this.#socket = socket;
    this.#over = over?.conn;
    this.#flow = flow ?? socket;
    this.secure = secure;
    this.#flow.pause(); // an explicit pause() also keeps the 'data' listener below from resuming
    socket.on("data", this.#onData);
    if (flow) socket.resume();
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
    if (secure) tlsSockets.set(this, socket as tls.TLSSocket);
    if (options.handshaking) {
      this.#handshake = once(socket, "secure");
      this.#handshake.then(() => (this.#handshake = undefined), () => {});
    }
    this.readable = new ReadableStream<Uint8Array>({
      start: (controller) => {
        this.#reader = controller;
      },
      pull: () => this.#pull(),
      cancel: () => this.#cancel(),
    }, { highWaterMark: 0 });
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
    // Deno's node:tls never resumes a session, so there "false" would say nothing.
    const socket = onDeno() ? undefined : tlsSockets.get(this);
    return socket ? socket.isSessionReused() : undefined;
  }

  async startTls(options: TlsOptions, init: StartTlsOptions = {}): Promise<Conn> {
    const { signal } = init;
    signal?.throwIfAborted();
    if (onDeno() || this.#over) {
      // Deno's node:tls loses end-of-stream once a TLS socket was paused: run TLS over this
      // Conn's streams instead, pausing the ciphertext side (see _tls_over_conn.ts).
      const { tlsOverConn } = await import("./_tls_over_conn.ts");
      return await tlsOverConn(this, options, init);
    }
    if (options.role === "client") await sessionReady(options.reuseSessionOf);
    const socket = this.#handOver();
    const secured = options.role === "server"
      ? new tls.TLSSocket(socket, { isServer: true, secureContext: serverContext(options) })
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
    for (const chunk of this.#chunks.splice(0).reverse()) socket.unshift(chunk);
    const gone = new ConnectionClosedError("use of a connection after startTls");
    try {
      this.#reader.close();
    } catch { /* already closed */ }
    this.#writer.error(gone);
    this.#drain?.reject(gone);
    return socket;
  }

  #data(chunk: Buffer): void {
    if (this.#discard) return;
    // A plain Uint8Array view: Buffer's slice() shares memory, unlike the web standard's.
    const bytes = new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    if (this.#wanted) {
      this.#wanted = false;
      this.#reader.enqueue(bytes);
      return;
    }
    this.#chunks.push(bytes);
    this.#buffered += bytes.byteLength;
    if (this.#buffered >= READ_AHEAD) this.#flow.pause();
  }

  #pull(): void {
    const chunk = this.#chunks.shift();
    if (chunk) {
      this.#buffered -= chunk.byteLength;
      this.#reader.enqueue(chunk);
      if (this.#chunks.length === 0 && this.#ended) this.#closeReadable();
    } else if (this.#ended) {
      this.#closeReadable();
      return;
    } else {
      this.#wanted = true;
    }
    if (!this.#ended && this.#buffered < READ_AHEAD && this.#flow.isPaused()) {
      this.#flow.resume();
    }
  }

  #cancel(): void {
    // Keep draining (and dropping) so the peer is never stuck on a full window.
    this.#discard = true;
    this.#readDone = true;
    this.#chunks = [];
    this.#buffered = 0;
    if (this.#socket.writableFinished) this.#socket.destroy();
    else this.#flow.resume();
  }

  #end(): void {
    this.#ended = true;
    if (this.#chunks.length === 0) this.#closeReadable();
  }

  #closeReadable(): void {
    if (this.#readDone) return;
    this.#readDone = true;
    this.#wanted = false;
    if (this.#error !== undefined) {
      this.#reader.error(new ConnectionClosedError("read", { cause: this.#error }));
    } else {
      this.#reader.close();
    }
  }

  #failed(error: unknown): void {
    this.#writeError = error;
    // A failed write (EPIPE) says nothing about what was received, nor does an error after
    // the peer's end (a reset once the data and FIN or close_notify are in): the readable
    // then ends cleanly.
    if ((error as { code?: unknown } | null)?.code === "EPIPE" || this.#ended) return;
    this.#error = error;
  }

  #gone(): void {
    // 'close' follows 'error' and destroy(); everything still open ends here. Bytes already
    // received stay readable (a reset discards what the peer had not sent, not what we
    // have): the readable ends, or fails with the error, after them.
    this.#ended = true;
    if (this.#chunks.length === 0) this.#closeReadable();
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
    let resolve!: () => void, reject!: (e: unknown) => void;
    const promise = new Promise<void>((ok, fail) => {
      resolve = ok;
      reject = fail;
    });
    this.#drain = { promise, resolve, reject };
    return promise;
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
