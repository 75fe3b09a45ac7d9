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
import { clientTlsOptions, serverContext, sessionReady, trackSession } from "./_tls.ts";

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
      // Fail the TLS socket itself: a destroyed Duplex alone reads as a clean end there, and
      // a reset must not pass for the end of an upload.
      if (socket) socket.destroy(error);
      else duplex.destroy(error);
    });
  };
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
  if (options.role === "server") {
    // TLS 1.2 at most: a TLS 1.3 server sends its session tickets after the handshake, and
    // this bridge (slower than a native socket) sends them late. A client that uploads a
    // small file and closes before reading them (lftp) then resets the connection, and its
    // kernel drops the part of the upload it had not sent yet. TLS 1.2 sends the ticket
    // inside the handshake, which the client reads. (lftp put of 200 kB: 9-15 of 20 failed.)
    const context = serverContext(options, "TLSv1.2");
    socket = new tls.TLSSocket(duplex, { isServer: true, secureContext: context });
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
