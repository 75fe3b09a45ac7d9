/**
 * Data connections: passive (EPSV/PASV, the client dials) or active (EPRT/PORT, the server
 * dials in), with the commands tried in the configured order and the ones a server lacks
 * remembered; peers are checked against the control connection's (no FTP bounce), and with
 * PROT P the connection is secured, resuming the control connection's TLS session.
 *
 * @module
 */

import type { Conn, Listener } from "../net/types.ts";
import type { Reply } from "../protocol/reply.ts";
import {
  decodeEpsvReply,
  decodeHostPort,
  encodeEprt,
  encodeHostPort,
  isIPv4,
  unmapIPv4,
} from "../protocol/address.ts";
import { ConnectionClosedError, FtpError, UnsupportedError } from "../errors.ts";
import { isNotImplemented, isRefusal } from "./_replies.ts";
import type { ClientSession } from "./_session.ts";
import { withTimeout } from "./_timeout.ts";

/** A data connection being set up: dialled already (passive), or awaited (active). */
export type DataEndpoint =
  | { readonly kind: "passive"; readonly conn: Conn }
  | { readonly kind: "active"; readonly listener: Listener };

/**
 * Prepare a data connection before the transfer command: EPSV/PASV and dial, or listen and
 * EPRT/PORT, as the client's `mode` says.
 *
 * @param s The session (queue held).
 * @returns The endpoint; {@linkcode connectData} turns it into the connection after the 1xx.
 */
export async function openDataEndpoint(s: ClientSession): Promise<DataEndpoint> {
  return s.options.mode === "active"
    ? { kind: "active", listener: await openActive(s) }
    : { kind: "passive", conn: await openPassive(s) };
}

/**
 * Drop an endpoint that will not be used (the command failed or needed no data connection).
 *
 * @param endpoint The endpoint.
 */
export function closeEndpoint(endpoint: DataEndpoint): void {
  if (endpoint.kind === "active") endpoint.listener.close();
  else endpoint.conn.close();
}

/**
 * The data connection, once the server said 1xx: accepted (active mode), then secured when
 * PROT P is on.
 *
 * @param s The session.
 * @param endpoint From {@linkcode openDataEndpoint}.
 * @returns The connection to move the bytes over.
 */
export async function connectData(s: ClientSession, endpoint: DataEndpoint): Promise<Conn> {
  const conn = endpoint.kind === "active" ? await accept(s, endpoint.listener) : endpoint.conn;
  return s.protP ? await secure(s, conn) : conn;
}

/**
 * Send the first of `commands` the server takes. A 5xx moves on to the next one; 500/502
 * (and any 5xx for which `forgetOnRefusal` says so) mark the command unsupported for good.
 */
async function firstAccepted<C extends string>(
  s: ClientSession,
  commands: readonly C[],
  options: {
    usable: (cmd: C) => boolean;
    send: (cmd: C) => Promise<Reply>;
    forgetOnRefusal: (cmd: C) => boolean;
    noneLeft: string;
  },
): Promise<{ cmd: C; reply: Reply }> {
  let lastError: unknown;
  for (const cmd of commands) {
    if (s.unsupported.has(cmd) || !options.usable(cmd)) continue;
    try {
      return { cmd, reply: await options.send(cmd) };
    } catch (e) {
      if (!isRefusal(e)) throw e;
      if (isNotImplemented(e) || options.forgetOnRefusal(cmd)) s.unsupported.add(cmd);
      lastError = e;
    }
  }
  throw lastError ?? new FtpError(options.noneLeft);
}

async function openPassive(s: ClientSession): Promise<Conn> {
  const peer = unmapIPv4(s.control.conn.remoteAddr.hostname);
  const { cmd, reply } = await firstAccepted(s, s.options.passiveCommands, {
    // PASV carries IPv4 addresses only.
    usable: (cmd) => cmd !== "PASV" || isIPv4(peer),
    send: (cmd) => s.execute(cmd, [cmd === "EPSV" ? "229" : "227"]),
    forgetOnRefusal: (cmd) => cmd === "EPSV",
    noneLeft: "No passive command left to try (EPSV/PASV refused): use active mode.",
  });
  const text = reply.lines.join(" ");
  let host = peer;
  let port: number | undefined;
  if (cmd === "EPSV") port = decodeEpsvReply(text);
  else {
    const hp = decodeHostPort(text);
    if (hp) {
      port = hp.port;
      if (s.options.allowForeignPassiveHost && hp.hostname !== "0.0.0.0") host = hp.hostname;
    }
  }
  if (port === undefined || port === 0) {
    throw new FtpError(`The server's ${cmd} reply "${text}" names no usable port.`);
  }
  s.options.trace?.(`Data connection to ${host} port ${port}`);
  return await s.dial(host, port);
}

async function openActive(s: ClientSession): Promise<Listener> {
  const host = s.options.activeHost ?? unmapIPv4(s.control.conn.localAddr.hostname);
  const listener = await s.listen(host);
  const addr = { hostname: host, port: listener.addr.port };
  try {
    await firstAccepted(s, s.options.activeCommands, {
      usable: (cmd) => cmd !== "PORT" || isIPv4(host),
      send: (cmd) =>
        s.execute(`${cmd} ${cmd === "EPRT" ? encodeEprt(addr) : encodeHostPort(addr)}`, ["200"]),
      forgetOnRefusal: () => false,
      noneLeft: "No active command left to try (EPRT/PORT refused): use passive mode.",
    });
    return listener;
  } catch (e) {
    listener.close();
    throw e;
  }
}

async function accept(s: ClientSession, listener: Listener): Promise<Conn> {
  try {
    const next = await withTimeout(
      listener[Symbol.asyncIterator]().next(),
      s.options.dataTimeout,
      "Waiting for the server's data connection",
    );
    if (next.done) throw new ConnectionClosedError("waiting for the server's data connection");
    const conn = next.value;
    const peer = unmapIPv4(s.control.conn.remoteAddr.hostname);
    if (!s.options.allowForeignActivePeer && unmapIPv4(conn.remoteAddr.hostname) !== peer) {
      conn.close();
      throw new FtpError(
        `A data connection came from ${conn.remoteAddr.hostname}, not from the server ${peer}: refused. Set allowForeignActivePeer if that is expected.`,
      );
    }
    s.options.trace?.(`Data connection from ${conn.remoteAddr.hostname} port ${conn.remoteAddr.port}`);
    return conn;
  } finally {
    listener.close();
  }
}

/** PROT P: TLS on the data connection, resuming the control session where possible. */
async function secure(s: ClientSession, conn: Conn): Promise<Conn> {
  const base = s.tlsOptions();
  if (s.options.tlsSessionReuse && !s.unsupported.has("TLS session reuse")) {
    try {
      return await conn.startTls({ ...base, reuseSessionOf: s.control.conn });
    } catch (e) {
      if (!(e instanceof UnsupportedError)) throw e;
      // Servers that insist on reuse (vsftpd's require_ssl_reuse) refuse the transfer with
      // their own error; others are fine without it.
      s.unsupported.add("TLS session reuse");
    }
  }
  return await conn.startTls(base);
}
