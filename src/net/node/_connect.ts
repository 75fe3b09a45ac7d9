/**
 * Dialling with `node:net` / `node:tls`, with connect failures as {@linkcode ConnectError}.
 *
 * @module
 */
import * as net from "node:net";
import * as tls from "node:tls";
import { ConnectError } from "../../errors.ts";
import type { Conn, ConnectOptions } from "../types.ts";
import { NodeConn } from "./_conn.ts";
import { clientTlsOptions, onDeno, sessionReady, trackSession } from "./_tls.ts";

/** System error codes that mean "could not connect" (anything else is rethrown as is). */
const CONNECT_CODES = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "ETIMEDOUT",
  "ENOTFOUND",
  "EAI_AGAIN",
  "EADDRNOTAVAIL",
  "EADDRINUSE",
  "EACCES",
  "EPERM",
  "EINVAL",
]);

/** Turn a socket error into {@linkcode ConnectError} when it is a system connect failure. */
function connectError(error: unknown, hostname: string, port: number): unknown {
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code === "string" && CONNECT_CODES.has(code)) {
    return new ConnectError(hostname, port, { code, cause: error });
  }
  return error;
}

/**
 * Dial, and for `tls` run the handshake, honouring `signal` until the Conn exists.
 *
 * @param options Where to, TLS, local address and abort signal.
 * @returns The open connection.
 */
export async function connectNode(options: ConnectOptions): Promise<Conn> {
  if (options.tls?.role === "client") await sessionReady(options.tls.reuseSessionOf);
  return await dial(options);
}

function dial(options: ConnectOptions): Promise<Conn> {
  const { hostname, port, signal, tls: tlsOptions } = options;
  if (signal?.aborted) return Promise.reject(signal.reason);
  return new Promise<Conn>((resolve, reject) => {
    const base = { host: hostname, port, allowHalfOpen: true, localAddress: options.localAddress };
    let socket: net.Socket;
    let ready = "connect";
    try {
      if (tlsOptions?.role === "client" && !onDeno()) {
        socket = trackSession(tls.connect({ ...base, ...clientTlsOptions(tlsOptions, hostname) }));
        ready = "secureConnect";
      } else {
        socket = net.connect(base);
      }
    } catch (error) {
      reject(error);
      return;
    }
    const onAbort = () => {
      cleanup();
      socket.destroy();
      reject(signal!.reason);
    };
    const onError = (error: unknown) => {
      cleanup();
      socket.destroy();
      reject(connectError(error, hostname, port));
    };
    const onReady = () => {
      cleanup();
      const conn = new NodeConn(socket, ready === "secureConnect");
      // Server role, and client role on Deno (see NodeConn.startTls), upgrade after connecting.
      if (tlsOptions && ready === "connect") {
        conn.startTls(tlsOptions).then(resolve, (error) => {
          conn.close();
          reject(error);
        });
      } else {
        resolve(conn);
      }
    };
    const cleanup = () => {
      signal?.removeEventListener("abort", onAbort);
      socket.off("error", onError);
      socket.off(ready, onReady);
    };
    signal?.addEventListener("abort", onAbort, { once: true });
    socket.once("error", onError);
    socket.once(ready, onReady);
  });
}
