/**
 * A FIFO lock: one control-channel conversation at a time per client; later callers wait
 * their turn instead of failing (aioftp raises on concurrent use).
 *
 * @module
 */

interface Waiter {
  grant(): void;
}

/** FIFO mutual exclusion for async code; a waiter may give up (AbortSignal). */
export class Mutex {
  #held = false;
  #waiters: Waiter[] = [];

  /** Whether someone holds the lock now. */
  get held(): boolean {
    return this.#held;
  }

  /**
   * Wait for the lock.
   *
   * @param signal Gives up waiting: the promise rejects with the signal's reason, and the
   * waiter leaves the queue (those behind it keep their places).
   * @returns A release function; call it exactly once (later calls are ignored).
   */
  acquire(signal?: AbortSignal): Promise<() => void> {
    if (signal?.aborted) return Promise.reject(signal.reason);
    if (!this.#held) {
      this.#held = true;
      return Promise.resolve(this.#releaser());
    }
    return new Promise((resolve, reject) => {
      const onAbort = () => {
        const i = this.#waiters.indexOf(waiter);
        if (i >= 0) this.#waiters.splice(i, 1);
        reject(signal!.reason);
      };
      const waiter: Waiter = {
        grant: () => {
          signal?.removeEventListener("abort", onAbort);
          resolve(this.#releaser());
        },
      };
      this.#waiters.push(waiter);
      signal?.addEventListener("abort", onAbort, { once: true });
    });
  }

  #releaser(): () => void {
    let done = false;
    return () => {
      if (done) return;
      done = true;
      const next = this.#waiters.shift();
      // The lock passes straight to the next waiter: nobody can slip in between.
      if (next) next.grant();
      else this.#held = false;
    };
  }
}
