/**
 * TLS in either role over any {@linkcode Conn}, with `node:tls` running over a `Duplex` that
 * reads and writes the Conn's Web Streams. Used where the runtime has no native way:
 * server-role STARTTLS on Deno (Deno.startTls is client-only, denoland/deno#18451), and
 * node:tls on Deno, whose TLS sockets lose end-of-stream once paused. The TLS socket is never
 * paused: backpressure stops reading ciphertext instead.
 *
 * @module
 */
import { Duplex } from "node:stream";
import * as tls from "node:tls";
import { abortable } from "../_core/abortable.ts";
import { once } from "../_core/deferred.ts";
import type { Flow } from "../_core/read_queue.ts";
import type { Conn, StartTlsOptions, TlsOptions } from "../types.ts";
import { clientTlsOptions, onDeno, serverTlsSocket, sessionReady, trackSession } from "./_tls.ts";

/** The peer ended the TCP connection without TLS close_notify: the data may be cut short. */
class MissingCloseNotify extends Error {
  code = "ECONNRESET";
  constructor() {
    super("the peer closed the connection without TLS close_notify (truncation)");
    this.name = "MissingCloseNotify";
  }
}

/** TLS running over another {@linkcode Conn} instead of a socket handle. */
export interface Over {
  /**
   * The ciphertext source to pause for backpressure, in place of the TLS socket: Deno's
   * node:tls loses end-of-stream on a paused TLS socket.
   */
  readonly flow: Flow;
  /** The connection carrying the ciphertext (addresses, no-delay). */
  readonly conn: Conn;
}

/**
 * Run a TLS handshake over `raw` and return the secured Conn. `raw`'s streams are taken over.
 *
 * @param raw An open plain connection nobody is reading or writing.
 * @param options Role and certificates.
 * @param init `signal` aborts the handshake (and closes `raw`).
 * @param wrap Makes the secured Conn of the finished TLS socket (the Node adapter's NodeConn,
 *   passed in so this module does not import it back).
 * @returns The TLS connection; closing it closes `raw`.
 */
export async function tlsOverConn(
  raw: Conn,
  options: TlsOptions,
  init: StartTlsOptions,
  wrap: (secured: tls.TLSSocket, over: Over) => Conn,
): Promise<Conn> {
  if (options.role === "client") await sessionReady(options.reuseSessionOf);
  // Everything that can refuse the options (session reuse on Deno is UnsupportedError) runs
  // before the streams are taken: the caller may then retry on the same connection.
  const connectOptions = options.role === "client"
    ? clientTlsOptions(options, raw.remoteAddr.hostname)
    : undefined;
  const reader = raw.readable.getReader();
  const writer = raw.writable.getWriter();
  let paused = false;
  let wanted = false;
  let reading = false;
  const pull = (): void => {
    if (paused || reading) {
      wanted = true;
      return;
    }
    wanted = false;
    reading = true;
    reader.read().then(({ value, done }) => {
      reading = false;
      duplex.push(done ? null : value);
      if (wanted && !done) pull();
    }, (error) => {
      // A reset: end the ciphertext like a FIN, and decide at its end (below), once every
      // record before it went through TLS.
      reading = false;
      if (!socket) return duplex.destroy(error);
      rawError = error;
      duplex.push(null);
    });
  };
  /** The raw connection's read error (a reset), if it ended that way. */
  let rawError: unknown = undefined;
  /**
   * Whether the TLS socket has seen the peer's close_notify. node:tls feeds each ciphertext
   * chunk through OpenSSL as it arrives and ends its readable right there on close_notify
   * (its \`_readableState.ended\` is set synchronously), while a TCP end without one only
   * ends it when that end is passed on, after this check.
   */
  const closeNotified = (): boolean =>
    (socket as unknown as { _readableState?: { ended?: boolean } } | undefined)?._readableState?.ended === true;
  const duplex: Duplex = new Duplex({
    read: pull,
    write(chunk: Uint8Array, _encoding, callback) {
      writer.write(chunk).then(() => callback(), callback);
    },
    final(callback) {
      writer.close().then(() => callback(), callback);
    },
    destroy(error, callback) {
      raw.close();
      callback(error);
    },
  });
  const flow: Flow = {
    pause: () => void (paused = true),
    resume: () => {
      paused = false;
      if (wanted) pull();
    },
  };
  let socket: tls.TLSSocket | undefined;
  // Registered before node:tls attaches its own listener to the Duplex, so it runs when every
  // ciphertext chunk has gone through TLS but the end has not. After close_notify a reset or
  // a bare FIN says nothing about the data; before it, a reset fails the readable, and so does
  // a FIN when the caller asked for close_notify. A destroyed Duplex alone would read as a
  // clean end there: fail the TLS socket itself.
  duplex.once("end", () => {
    if (!socket || closeNotified()) return;
    if (rawError !== undefined) socket.destroy(rawError as Error);
    else if (init.requireCloseNotify) socket.destroy(new MissingCloseNotify());
  });
  if (options.role === "server") {
    // On Deno TLS 1.2 at most: a TLS 1.3 server sends its session tickets after the handshake, and
    // Deno's bridge (slower than a native socket) sends them late. A client that uploads a
    // small file and closes before reading them (lftp) then resets the connection, and its
    // kernel drops the part of the upload it had not sent yet. TLS 1.2 sends the ticket
    // inside the handshake, which the client reads. (lftp put of 200 kB: 9-15 of 20 failed.)
    // On Node (over a wrapped connection, or for requireCloseNotify) the control
    // connection's context is shared, so its sessions can be resumed.
    socket = serverTlsSocket(duplex, options, {
      maxVersion: onDeno() ? "TLSv1.2" : undefined,
      quiet: init.requireCloseNotify,
    });
  } else {
    socket = trackSession(tls.connect({ ...connectOptions, socket: duplex }));
  }
  const secured = socket;
  // Until the wrapper takes the TLS socket over, its errors must not go unheard.
  const ignore = () => {};
  secured.on("error", ignore);
  const done = once(secured, options.role === "server" ? "secure" : "secureConnect")
    .then(() => wrap(secured, { flow, conn: raw }), (error) => {
      secured.destroy();
      raw.close();
      throw error;
    });
  try {
    return await abortable(done, init.signal, () => {
      secured.destroy();
      raw.close();
    });
  } finally {
    secured.off("error", ignore);
  }
}
