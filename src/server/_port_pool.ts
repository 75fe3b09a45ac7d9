/**
 * Passive data ports: either any free port (the OS chooses) or a configured range, handed
 * out round-robin and returned when the passive listener closes.
 *
 * @module
 */

import { ConnectError, NoAvailablePortError } from "../errors.ts";
import type { Listener, Net } from "../net/types.ts";

/** A passive listener and the function that gives its port back. */
export interface PooledListener {
  /** The bound listener. */
  readonly listener: Listener;
  /** Close the listener and return its port to the pool. Idempotent. */
  release(): void;
}

/** Hands out passive listeners, bounded by an optional port range. */
export class PortPool {
  #min: number;
  #max: number;
  #ranged: boolean;
  #used = new Set<number>();
  #next: number;

  /** @param range Inclusive port range, or `undefined` for any free port. */
  constructor(range?: { readonly min: number; readonly max: number }) {
    this.#ranged = range !== undefined;
    this.#min = range?.min ?? 0;
    this.#max = range?.max ?? 0;
    if (this.#ranged && !(this.#min >= 1 && this.#max <= 65535 && this.#min <= this.#max)) {
      throw new RangeError(`Bad passive port range ${this.#min}-${this.#max}: use 1 <= min <= max <= 65535.`);
    }
    this.#next = this.#min;
  }

  /** Ports currently handed out (only counted with a range). */
  get inUse(): number {
    return this.#used.size;
  }

  /**
   * Bind a passive listener.
   *
   * @param net The adapter.
   * @param hostname The address to bind (the control connection's local address).
   * @returns The listener and its release function.
   * @throws {NoAvailablePortError} When every port of the range is taken or cannot be bound.
   */
  open(net: Net, hostname: string): PooledListener {
    if (!this.#ranged) {
      const listener = net.listen({ hostname, port: 0, backlog: 16 });
      let done = false;
      return { listener, release: () => (done ? undefined : (done = true, listener.close())) };
    }
    const size = this.#max - this.#min + 1;
    for (let tries = 0; tries < size; tries++) {
      const port = this.#next;
      this.#next = port >= this.#max ? this.#min : port + 1;
      if (this.#used.has(port)) continue;
      let listener: Listener;
      try {
        listener = net.listen({ hostname, port, backlog: 16 });
      } catch (e) {
        if (e instanceof ConnectError) continue; // in use by someone else: try the next one
        throw e;
      }
      this.#used.add(port);
      let done = false;
      return {
        listener,
        release: () => {
          if (done) return;
          done = true;
          listener.close();
          this.#used.delete(port);
        },
      };
    }
    throw new NoAvailablePortError(`${this.#min}-${this.#max}`);
  }
}
