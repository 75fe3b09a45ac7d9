/**
 * {@linkcode Conn} over a `Deno.TcpConn` / `Deno.TlsConn`, built on `read`/`write`/`closeWrite`
 * rather than the conn's own `readable`/`writable`: those close the whole resource when either
 * one ends, which rules out half-close (STOR's end of data, then the reply). Writes are
 * pipelined (see `../_core/write_pump.ts`); as with the other adapters, do not modify a chunk after
 * writing it.
 *
 * @module
 */
import { ConnectionClosedError, UnsupportedError } from "../../errors.ts";
import { abortable } from "../_core/abortable.ts";
import { toAddr } from "../_core/addr.ts";
import { type Flow, ReadQueue } from "../_core/read_queue.ts";
import { WritePump } from "../_core/write_pump.ts";
import type { Addr, ClientTlsOptions, Conn, StartTlsOptions, TlsOptions } from "../types.ts";
import { type DenoConnLike, denoErrorCode, denoNamespace } from "./_types.ts";

/** Most bytes asked for per read: large reads keep bulk transfers cheap. */
const READ_SIZE = 256 * 1024;
/**
 * Bytes asked for by a connection's first read, and again after a short one. An idle control
 * connection always has a read pending, and the buffer of that read is allocated (and on
 * Deno's allocator touched) up front: a small one keeps idle sessions cheap. A read that fills
 * its buffer doubles the next one, so bulk transfers reach READ_SIZE within a few reads.
 */
const FIRST_READ_SIZE = 2 * 1024;
/** Bytes a TLS connection reads ahead of its reader (see {@linkcode DenoConn.readAhead}). */
const READ_AHEAD = 1 << 20;
/** Reads shorter than this are copied out so a small chunk does not pin a large buffer. */
const COPY_BELOW = 32 * 1024;

/** Errors that just mean "this end closed the resource" while a read or write was pending. */
function closedLocally(error: unknown): boolean {
  const name = (error as { name?: string } | null)?.name;
  return name === "BadResource" || name === "Interrupted";
}

/** `reuseSessionOf` is what no TLS stack on Deno can do: say so up front. */
function checkClientOptions(options: ClientTlsOptions): void {
  if (options.reuseSessionOf) {
    throw new UnsupportedError(
      "deno",
      "TLS session reuse on data connections (Deno has no session API, denoland/deno#8875)",
      "run the client on Node or Bun for servers that require it (vsftpd require_ssl_reuse, " +
        "FileZilla Server), or turn that requirement off on the server",
    );
  }
}

/**
 * Whether a client handshake needs more than `Deno.startTls` offers (it takes CA certificates
 * and a host name only): a client certificate, a minimum version, or no verification. Those
 * run on Deno's `node:tls` over the connection, which has them.
 */
function needsNodeTls(options: ClientTlsOptions): boolean {
  return options.cert !== undefined || options.minVersion !== undefined || options.rejectUnauthorized === false;
}

/** A Deno connection as a {@linkcode Conn}. */
export class DenoConn implements Conn {
  readonly readable: ReadableStream<Uint8Array>;
  readonly writable: WritableStream<Uint8Array>;
  readonly localAddr: Addr;
  readonly remoteAddr: Addr;
  readonly closed: Promise<void>;
  readonly secure: boolean;

  #conn: DenoConnLike;
  #markClosed!: () => void;
  #isClosed = false;
  #readDone = false;
  #writeDone = false;
  #reading = false;
  #handedOver = false;
  #queue: ReadQueue;
  #writer!: WritableStreamDefaultController;
  #pump = new WritePump((bytes) => this.#send(bytes));
  /** Whether the read loop should stop after its current read (the queue paused it). */
  #paused = false;
  #filling = false;
  #readSize = FIRST_READ_SIZE;

  /**
   * @param conn An open Deno connection.
   * @param secure Whether it is a `Deno.TlsConn`.
   */
  constructor(conn: DenoConnLike, secure: boolean) {
    this.#conn = conn;
    this.secure = secure;
    this.localAddr = toAddr(conn.localAddr.hostname, conn.localAddr.port);
    this.remoteAddr = toAddr(conn.remoteAddr.hostname, conn.remoteAddr.port);
    this.closed = new Promise((resolve) => (this.#markClosed = resolve));
    // Plain: one read per pull, nothing ahead of the reader (a later STARTTLS must see every
    // byte). TLS reads ahead from the first pull on (after any handshake), see readAhead.
    this.#queue = new ReadQueue({
      limit: secure ? READ_AHEAD : 0,
      onCancel: () => {
        this.#paused = true;
        this.#readDone = true;
        this.#settle();
      },
    });
    this.readable = this.#queue.readable;
    const flow: Flow = {
      pause: () => void (this.#paused = true),
      resume: () => {
        this.#paused = false;
        void this.#fill();
      },
    };
    this.#queue.attach(flow);
    this.writable = new WritableStream<Uint8Array>({
      start: (controller) => {
        this.#writer = controller;
      },
      write: (chunk) => this.#write(chunk),
      close: () => this.#closeWrite(),
      abort: () => this.close(),
    }, { highWaterMark: 1 });
  }

  setNoDelay(noDelay: boolean): void {
    this.#conn.setNoDelay?.(noDelay);
  }

  close(): void {
    if (this.#isClosed) return;
    this.#isClosed = true;
    if (!this.#handedOver) {
      try {
        this.#conn.close();
      } catch { /* already closed */ }
    }
    const closed = new ConnectionClosedError("write");
    try {
      this.#writer.error(closed);
    } catch { /* stream already closed */ }
    this.#readDone = true;
    this.#queue.end(); // what was received stays readable
    this.#markClosed();
  }

  async startTls(options: TlsOptions, init: StartTlsOptions = {}): Promise<Conn> {
    init.signal?.throwIfAborted();
    if (options.role === "server") {
      // Deno.startTls is client-only (denoland/deno#18451): node:tls over this Conn's streams,
      // which from here on carry TLS only and so may read ahead.
      this.readAhead();
      const { tlsViaNode } = await import("./_via_node.ts");
      return await tlsViaNode(this, options, init);
    }
    checkClientOptions(options);
    if (needsNodeTls(options)) {
      const { tlsViaNode } = await import("./_via_node.ts");
      return await tlsViaNode(this, options, init);
    }
    if (this.#isClosed) throw new ConnectionClosedError("TLS upgrade");
    if (this.#reading) throw new TypeError("startTls while a read is pending: release the reader first");
    if (this.#queue.length > 0) {
      throw new TypeError("startTls with unread bytes: the peer sent data before the handshake");
    }
    await this.#pump.flush(); // e.g. a "234" reply still on its way
    this.#handedOver = true;
    const gone = new ConnectionClosedError("use of a connection after startTls");
    this.#writer.error(gone);
    this.#queue.handOver();
    let secured: DenoConnLike | undefined;
    const handshake = (async () => {
      secured = await denoNamespace().startTls(this.#conn, {
        hostname: options.serverName ?? this.remoteAddr.hostname,
        caCerts: options.caCerts ? [...options.caCerts] : undefined,
      });
      try {
        await secured.handshake?.(); // report certificate errors here, not on the first read
      } catch (error) {
        secured.close();
        throw error;
      }
      return new DenoConn(secured, true);
    })();
    try {
      return await abortable(handshake, init.signal, () => {
        try {
          (secured ?? this.#conn).close();
        } catch { /* already closed */ }
      });
    } finally {
      this.#isClosed = true;
      this.#markClosed();
    }
  }

  /**
   * Read ahead of the reader, up to {@link READ_AHEAD} bytes. Used once a connection is TLS
   * (nothing can be read ahead of a later handshake any more): clients that close with
   * unread bytes (TLS 1.3 session tickets) send a reset, which discards whatever they had not
   * sent yet; draining their window promptly keeps uploads whole.
   */
  readAhead(): void {
    this.#queue.limit = READ_AHEAD;
  }

  /** Next chunk from the socket, `null` at its end; real failures reject with their cause. */
  async #readOnce(): Promise<Uint8Array | null> {
    const size = this.#readSize;
    const buffer = new Uint8Array(size);
    let n: number | null;
    this.#reading = true;
    try {
      n = await this.#conn.read(buffer);
    } catch (error) {
      const name = (error as { name?: string } | null)?.name;
      // A TLS peer that closes without close_notify ends the data like TCP would: FTP servers
      // and clients commonly do it, and FTP marks the end of a file by the close itself.
      if (closedLocally(error) || name === "UnexpectedEof") return null;
      throw error;
    } finally {
      this.#reading = false;
    }
    if (n === null) return null;
    this.#readSize = n === size ? Math.min(size * 2, READ_SIZE) : n <= FIRST_READ_SIZE ? FIRST_READ_SIZE : size;
    return n < COPY_BELOW && size > COPY_BELOW ? buffer.slice(0, n) : buffer.subarray(0, n);
  }

  /**
   * The read loop feeding the queue: reads while the queue wants bytes (one read per pull
   * for plain conns, up to READ_AHEAD for TLS), then stops until it resumes the loop.
   */
  async #fill(): Promise<void> {
    if (this.#filling) return;
    this.#filling = true;
    try {
      // Bounded: the queue pauses the loop once its limit is reached; the end stops it.
      while (!this.#paused && !this.#readDone) {
        const chunk = await this.#readOnce();
        if (!chunk) {
          this.#readDone = true;
          this.#queue.end();
          this.#settle();
          return;
        }
        this.#queue.push(chunk);
      }
    } catch (error) {
      // Bytes already received stay readable; then the readable fails as closed.
      this.#queue.fail(error);
      this.close();
    } finally {
      this.#filling = false;
    }
  }

  #write(chunk: Uint8Array): Promise<void> | void {
    if (this.#isClosed) throw new ConnectionClosedError("write");
    return this.#pump.write(chunk);
  }

  /** Write all of `bytes` (the pump's send): loops over partial writes. */
  async #send(bytes: Uint8Array): Promise<void> {
    try {
      // Bounded: every round writes at least one byte or throws.
      for (let at = 0; at < bytes.byteLength;) {
        at += await this.#conn.write(at === 0 ? bytes : bytes.subarray(at));
      }
    } catch (error) {
      this.close();
      throw new ConnectionClosedError("write", { cause: error });
    }
  }

  async #closeWrite(): Promise<void> {
    if (this.#isClosed) throw new ConnectionClosedError("close");
    await this.#pump.flush();
    try {
      await this.#conn.closeWrite();
    } catch (error) {
      if (denoErrorCode(error) !== "ENOTCONN") {
        throw new ConnectionClosedError("close", { cause: error });
      }
    }
    this.#writeDone = true;
    this.#settle();
  }

  /** Both directions finished (FIN each way): release the resource, as TCP would. */
  #settle(): void {
    if (this.#readDone && this.#writeDone) this.close();
  }
}
