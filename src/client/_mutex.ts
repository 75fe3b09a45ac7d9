/**
 * A FIFO lock: one control-channel conversation at a time per client; later callers wait
 * their turn instead of failing (aioftp raises on concurrent use).
 *
 * @module
 */

/** FIFO mutual exclusion for async code. */
export class Mutex {
  #tail: Promise<void> = Promise.resolve();
  #held = false;

  /** Whether someone holds the lock now. */
  get held(): boolean {
    return this.#held;
  }

  /**
   * Wait for the lock.
   *
   * @returns A release function; call it exactly once (later calls are ignored).
   */
  acquire(): Promise<() => void> {
    let release!: () => void;
    const next = new Promise<void>((resolve) => (release = resolve));
    const prev = this.#tail;
    this.#tail = prev.then(() => next);
    return prev.then(() => {
      this.#held = true;
      let done = false;
      return () => {
        if (done) return;
        done = true;
        this.#held = false;
        release();
      };
    });
  }
}
