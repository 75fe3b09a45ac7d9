/**
 * The TLS state of the Node adapter that outlives one socket: cached secure contexts (one per
 * certificate, so data connections can resume the control connection's session) and the
 * session tickets of client sockets, for `reuseSessionOf`.
 *
 * @module
 */
import * as net from "node:net";
import type { Duplex } from "node:stream";
import * as tls from "node:tls";
import { UnsupportedError } from "../../errors.ts";
import type { ClientTlsOptions, Conn, ServerTlsOptions } from "../types.ts";
import { SessionStore, type TicketKeys, ticketKeys, useTicketKeys } from "./_session_store.ts";

/** The TLS socket behind each secured conn, for `reuseSessionOf`. */
const tlsSockets = new WeakMap<Conn, tls.TLSSocket>();

/** Latest session ticket per client TLS socket (see {@linkcode trackSession}). */
const latestSession = new WeakMap<net.Socket, Buffer>();

/**
 * One secure context (with its session store) per cert+key, so data connections can resume
 * the control session.
 */
const serverContexts = new Map<string, ServerState>();

/** What the server sockets of one cert+key share (see {@linkcode serverState}). */
interface ServerState {
  /** Renews every ticket it accepts: downloads, listings, control connections. */
  readonly context: tls.SecureContext;
  /** Accepts the same tickets without renewing them: uploads (see {@linkcode serverTlsSocket}). */
  readonly quiet: tls.SecureContext;
  readonly store: SessionStore;
  readonly keys: TicketKeys;
}
/** One client context per extra-CA set (building one from the root store costs milliseconds). */
const clientContexts = new Map<string, tls.SecureContext>();

/** Whether we run on Deno, whose node:tls needs the workarounds noted where this is used. */
export function onDeno(): boolean {
  return (globalThis as { Deno?: unknown }).Deno !== undefined;
}

/** Whether we run on Bun, whose node:tls cannot resume TLS 1.2 sessions as a server. */
export function onBun(): boolean {
  return (globalThis as { Bun?: unknown }).Bun !== undefined;
}

/** Remember that `conn` runs over the TLS socket `socket` (see {@linkcode clientTlsOptions}). */
export function registerTlsSocket(conn: Conn, socket: tls.TLSSocket): void {
  tlsSockets.set(conn, socket);
}

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

/**
 * Server-role secure context for a cert+key (and highest TLS version), cached, with its
 * session store and renewing tickets (see `_session_store.ts`).
 *
 * @param options Certificate and key.
 * @param maxVersion Highest TLS version to offer. @default Node's ("TLSv1.3")
 */
function serverState(options: ServerTlsOptions, maxVersion?: tls.SecureVersion): ServerState {
  const key = options.cert + "\0" + options.key + "\0" + (maxVersion ?? "");
  let state = serverContexts.get(key);
  if (!state) {
    const make = () => tls.createSecureContext({ cert: options.cert, key: options.key, maxVersion });
    const keys = ticketKeys();
    const context = make();
    let quiet = context;
    if (!onDeno() && useTicketKeys(context, keys, true)) {
      quiet = make();
      useTicketKeys(quiet, keys, false);
    }
    // Without the hook (Bun, Deno) every socket shares the one context and its ticket keys.
    state = { context, quiet, store: new SessionStore(), keys };
    if (serverContexts.size > 32) serverContexts.clear();
    serverContexts.set(key, state);
  }
  return state;
}

/**
 * Server-role secure context for a cert+key (and highest TLS version), cached: throws here
 * when the certificate or key is unusable.
 *
 * @param options Certificate and key.
 * @param maxVersion Highest TLS version to offer. @default Node's ("TLSv1.3")
 */
export function serverContext(
  options: ServerTlsOptions,
  maxVersion?: tls.SecureVersion,
): tls.SecureContext {
  return serverState(options, maxVersion).context;
}

/**
 * A server-role TLS socket over `socket` on the cached context of `options`, resuming the
 * sessions of every other socket on that context: the one way this adapter makes them
 * (control connections, implicit TLS, data connections, TLS over another Conn).
 *
 * @param socket The ciphertext side.
 * @param options Certificate and key.
 * @param init `maxVersion`: highest TLS version to offer (default Node's, "TLSv1.3");
 *   `quiet`: send nothing after the handshake (an upload's data connection): a resumed
 *   TLS 1.3 session then gets no renewed ticket, which a client that never reads its upload
 *   connection (lftp, GnuTLS) would leave unread, and its kernel then resets the connection
 *   on close, dropping the end of the upload.
 */
export function serverTlsSocket(
  socket: Duplex,
  options: ServerTlsOptions,
  init: { maxVersion?: tls.SecureVersion | undefined; quiet?: boolean | undefined } = {},
): tls.TLSSocket {
  const state = serverState(options, init.maxVersion);
  // Deno's node:tls cannot resume (nor tell): no session store there.
  return new tls.TLSSocket(socket, {
    isServer: true,
    secureContext: init.quiet ? state.quiet : state.context,
    ...(onDeno() ? {} : { server: state.store as unknown as net.Server }),
  });
}

/** Client-role secure context: the root store plus `caCerts`, a client certificate, a minimum version; cached. */
function clientContext(options: ClientTlsOptions): tls.SecureContext | undefined {
  const { caCerts, cert, key, minVersion } = options;
  if (!caCerts?.length && cert === undefined && minVersion === undefined) return undefined;
  const id = [...(caCerts ?? []), "\0", cert ?? "", "\0", key ?? "", "\0", minVersion ?? ""].join("\0");
  let context = clientContexts.get(id);
  if (!context) {
    context = tls.createSecureContext({
      ...(caCerts?.length ? { ca: [...tls.rootCertificates, ...caCerts] } : {}),
      ...(cert !== undefined ? { cert, key } : {}),
      ...(minVersion ? { minVersion } : {}),
    });
    if (clientContexts.size > 32) clientContexts.clear();
    clientContexts.set(id, context);
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
    secureContext: clientContext(options),
  };
  if (!net.isIP(name)) result.servername = name;
  if (options.reuseSessionOf) {
    if (onDeno()) {
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
