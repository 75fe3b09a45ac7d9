/**
 * Synchronous bind for `node:net` servers. `server.listen({ host })` resolves the host with an
 * asynchronous DNS lookup even for numeric addresses, so the port and any bind error arrive a
 * tick later; {@linkcode Listener} needs both at once.
 *
 * @module
 */
import * as net from "node:net";
import process from "node:process";
import { ConnectError } from "../errors.ts";

interface LegacyListen {
  /** Node's `setupListenHandle` (legacy alias kept since 0.x): binds and listens synchronously. */
  _listen2?(address: string, port: number, addressType: number, backlog: number): void;
}

/**
 * Bind `server` to a numeric `hostname` and `port` now.
 * Throws {@linkcode ConnectError} with the system code (EADDRINUSE…) when binding fails.
 */
export function listenNow(server: net.Server, hostname: string, port: number, backlog: number) {
  if (!net.isIP(hostname)) {
    throw new TypeError(`listen needs a numeric address such as "127.0.0.1" or "::", not "${hostname}"`);
  }
  const legacy = server as net.Server & LegacyListen;
  let captured: unknown;
  // Node reports bind errors through process.nextTick(emitErrorNT, server, error): catch that
  // one call (synchronously, inside this frame) instead of letting it become an async event.
  const nextTick = process.nextTick;
  if (typeof legacy._listen2 === "function") {
    process.nextTick = function (fn: (...a: any[]) => void, ...args: any[]) {
      if (args[0] === server && args[1] instanceof Error) captured = args[1];
      else nextTick.call(process, fn, ...args);
    } as typeof process.nextTick;
    try {
      legacy._listen2(hostname, port, net.isIPv6(hostname) ? 6 : 4, backlog);
    } finally {
      process.nextTick = nextTick;
    }
  } else {
    // Other runtimes' node:net (Bun) bind synchronously through the public API.
    server.listen({ host: hostname, port, backlog });
  }
  if (server.address() === null) {
    server.on("error", () => {}); // the late 'error' event of runtimes that emit it anyway
    server.close();
    // Where the error could not be caught (Deno's and Bun's node:net) the code is unknown.
    const code = (captured as { code?: string } | undefined)?.code;
    throw new ConnectError(hostname, port, { code: code ?? "EUNKNOWN", cause: captured });
  }
}
