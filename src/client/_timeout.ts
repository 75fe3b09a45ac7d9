/**
 * The client's one deadline pattern, shared by data reads and writes, the active-mode accept
 * and control replies.
 *
 * @module
 */

import { FtpTimeoutError } from "../errors.ts";

/**
 * Whether a timeout option sets a limit: 0, negative and `Infinity` mean "no limit".
 *
 * @param ms The option's value, in milliseconds.
 * @returns `true` when a timer should run.
 */
export function isLimited(ms: number): boolean {
  return ms > 0 && ms !== Infinity;
}

/**
 * Settle as `promise` does, or reject with {@linkcode FtpTimeoutError} when it takes longer
 * than `ms`.
 *
 * @param promise What to wait for.
 * @param ms The limit in milliseconds; no limit when {@linkcode isLimited} says so.
 * @param what What is waited for, for the error message.
 * @param onTimeout Called on expiry to undo the operation (e.g. close its socket).
 * @returns The promise's value.
 */
export function withTimeout<T>(
  promise: Promise<T>,
  ms: number,
  what: string,
  onTimeout?: () => void,
): Promise<T> {
  if (!isLimited(ms)) return promise;
  let timer: ReturnType<typeof setTimeout> | undefined;
  return Promise.race([
    promise,
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        // Reject before undoing: closing a socket may settle `promise` at once (a read ends
        // cleanly on some runtimes), and the timeout must win the race.
        reject(new FtpTimeoutError(what, ms));
        onTimeout?.();
      }, ms);
    }),
  ]).finally(() => clearTimeout(timer));
}

/**
 * {@linkcode withTimeout} for a sequence of waits (a stream's reads, a channel's replies) on
 * one timer: each wait only records its deadline, and the timer, armed once, re-arms itself
 * for the deadline of the wait in progress when it fires early. Arming a timer per chunk
 * costs more than the chunk on fast links. Call {@linkcode IdleDeadline.dispose} when done:
 * an armed timer keeps the runtime alive.
 */
export class IdleDeadline {
  #onTimeout: (() => void) | undefined;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #timerAt = Infinity;
  /** The wait in progress: its number, deadline, limit, label and rejection. */
  #seq = 0;
  #current:
    | { id: number; at: number; ms: number; what: string; reject: (e: unknown) => void }
    | undefined;

  /**
   * @param onTimeout Called on expiry, after the wait was rejected, to undo the operation.
   */
  constructor(onTimeout?: () => void) {
    this.#onTimeout = onTimeout;
  }

  /**
   * Settle as `promise` does, or reject with {@linkcode FtpTimeoutError} when it takes
   * longer than `ms`.
   *
   * @param promise What to wait for.
   * @param ms The limit in milliseconds; no limit when {@linkcode isLimited} says so.
   * @param what What is waited for, for the error message.
   * @returns The promise's value.
   */
  wait<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
    if (!isLimited(ms)) return promise;
    // Overlapping waits are not expected; keep the old pattern for one rather than lose one.
    if (this.#current) return withTimeout(promise, ms, what, this.#onTimeout);
    const at = performance.now() + ms;
    const id = ++this.#seq;
    if (this.#timer === undefined || at < this.#timerAt) this.#arm(at);
    return new Promise<T>((resolve, reject) => {
      this.#current = { id, at, ms, what, reject };
      promise.then(
        (v) => {
          if (this.#current?.id === id) this.#current = undefined;
          resolve(v);
        },
        (e) => {
          if (this.#current?.id === id) this.#current = undefined;
          reject(e);
        },
      );
    });
  }

  #arm(at: number): void {
    clearTimeout(this.#timer);
    this.#timerAt = at;
    this.#timer = setTimeout(() => this.#fire(), Math.max(0, at - performance.now()));
  }

  #fire(): void {
    this.#timer = undefined;
    this.#timerAt = Infinity;
    const current = this.#current;
    if (!current) return; // Idle: the next wait arms again.
    if (performance.now() < current.at) {
      this.#arm(current.at);
      return;
    }
    this.#current = undefined;
    // Reject before undoing: closing a socket may settle the promise at once.
    current.reject(new FtpTimeoutError(current.what, current.ms));
    this.#onTimeout?.();
  }

  /** Stop the timer (the waits are over). A later wait arms it again. */
  dispose(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#timerAt = Infinity;
  }
}
