/**
 * A bounded queue of accepted connections, and the {@linkcode Listener} that hands them out
 * through async iteration. Shared by the callback-based adapters (Node, Bun, memory).
 *
 * @module
 */
import type { Addr, Conn, Listener } from "../types.ts";

/**
 * Accepted items waiting for `next()`. Bounded: when nobody iterates and `limit` items wait,
 * further items are refused (the adapter closes them) instead of piling up in memory.
 */
export class AcceptQueue<T> implements AsyncIterableIterator<T> {
  #items: T[] = [];
  #waiters: ((result: IteratorResult<T>) => void)[] = [];
  #closed = false;
  #limit: number;
  #discard: (item: T) => void;

  /**
   * @param limit Most items that may wait unaccepted.
   * @param discard Called for items refused or left over at close (closes them).
   */
  constructor(limit: number, discard: (item: T) => void) {
    this.#limit = limit;
    this.#discard = discard;
  }

  /** Whether {@linkcode AcceptQueue.close} was called. */
  get closed(): boolean {
    return this.#closed;
  }

  /** Offer an accepted item; discards it when closed or full. */
  push(item: T): void {
    const waiter = this.#waiters.shift();
    if (waiter) waiter({ value: item, done: false });
    else if (this.#closed || this.#items.length >= this.#limit) this.#discard(item);
    else this.#items.push(item);
  }

  /** End iteration: pending `next()` calls finish, queued items are discarded. Idempotent. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    for (const waiter of this.#waiters.splice(0)) waiter({ value: undefined, done: true });
    for (const item of this.#items.splice(0)) this.#discard(item);
  }

  /** The next accepted item, or done once closed. */
  next(): Promise<IteratorResult<T>> {
    if (this.#items.length > 0) {
      return Promise.resolve({ value: this.#items.shift()!, done: false });
    }
    if (this.#closed) return Promise.resolve({ value: undefined, done: true });
    return new Promise((resolve) => this.#waiters.push(resolve));
  }

  /** Leaving a `for await` loop early does not close the listener: it may be iterated again. */
  return(): Promise<IteratorResult<T>> {
    return Promise.resolve({ value: undefined, done: true });
  }

  /** @returns this queue, so a listener can return it from `[Symbol.asyncIterator]()`. */
  [Symbol.asyncIterator](): AsyncIterableIterator<T> {
    return this;
  }
}

/**
 * A {@linkcode Listener} that hands out the connections an {@linkcode AcceptQueue} collects
 * (the callback-based adapters: Node, Bun, memory). `stop` frees the socket, once.
 */
export class QueueListener implements Listener {
  readonly addr: Addr;
  /** Where the adapter pushes accepted connections. */
  readonly queue: AcceptQueue<Conn>;
  #stop: () => void;

  /**
   * @param addr The bound address.
   * @param queue The queue the adapter fills.
   * @param stop Stops accepting and frees the port (open connections stay open).
   */
  constructor(addr: Addr, queue: AcceptQueue<Conn>, stop: () => void) {
    this.addr = addr;
    this.queue = queue;
    this.#stop = stop;
  }

  close(): void {
    if (this.queue.closed) return;
    this.queue.close();
    this.#stop();
  }

  [Symbol.asyncDispose](): Promise<void> {
    this.close();
    return Promise.resolve();
  }

  [Symbol.asyncIterator](): AsyncIterator<Conn> {
    return this.queue;
  }
}
