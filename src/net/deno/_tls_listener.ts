/**
 * {@linkcode Listener} over `Deno.listenTls` (implicit TLS). Its accepted connections run the
 * handshake lazily on the first read or write, so accepting never blocks on a slow client.
 *
 * @module
 */
import { toAddr } from "../_core/addr.ts";
import type { Addr, Conn, Listener } from "../types.ts";
import { DenoConn } from "./_conn.ts";
import type { DenoListenerLike } from "./_types.ts";

/** An implicit-TLS listener; bind it with `Deno.listenTls` first. */
export class DenoTlsListener implements Listener {
  readonly addr: Addr;
  #listener: DenoListenerLike;
  #closed = false;

  /** @param listener A bound `Deno.listenTls` listener. */
  constructor(listener: DenoListenerLike) {
    this.#listener = listener;
    this.addr = toAddr(listener.addr.hostname, listener.addr.port);
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    try {
      this.#listener.close();
    } catch { /* already closed */ }
  }

  [Symbol.asyncDispose](): Promise<void> {
    this.close();
    return Promise.resolve();
  }

  [Symbol.asyncIterator](): AsyncIterator<Conn> {
    return {
      next: async (): Promise<IteratorResult<Conn>> => {
        if (this.#closed) return { value: undefined, done: true };
        try {
          return { value: new DenoConn(await this.#listener.accept(), true), done: false };
        } catch (error) {
          if (this.#closed) return { value: undefined, done: true };
          throw error;
        }
      },
      // Leaving a `for await` loop early does not close the listener.
      return: () => Promise.resolve({ value: undefined, done: true }),
    };
  }
}
