/**
 * A bounded queue of accepted connections that a {@linkcode Listener} hands out through
 * async iteration. Shared by the callback-based adapters (Node, Bun, memory).
 *
 * @module
 */

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
    if (this.#items.length > 0) return Promise.resolve({ value: this.#items.shift()!, done: false });
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
