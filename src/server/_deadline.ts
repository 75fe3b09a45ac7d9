/**
 * A signal that aborts when its parent does or when a time limit passes. Written out with
 * a plain timer rather than `AbortSignal.any([parent, AbortSignal.timeout(ms)])`: Node
 * holds the signals `any` combines weakly, and a collected timeout signal never fires (seen
 * here as a TLS handshake wait that outlived its limit).
 *
 * @module
 */

/** A signal bounded in time, and the call that releases its timer and listener. */
export interface Deadline {
  /** Aborts with the parent's reason, or with a `TimeoutError` DOMException after the limit. */
  readonly signal: AbortSignal;
  /** Stop the timer and detach from the parent (call when the guarded work is over). */
  clear(): void;
}

/**
 * Derive a signal that also aborts after `ms` milliseconds.
 *
 * @param parent Aborts the result early.
 * @param ms The time limit.
 * @param what What is being waited for, for the timeout's message.
 * @returns The signal and its `clear`.
 */
export function deadline(parent: AbortSignal, ms: number, what: string): Deadline {
  const controller = new AbortController();
  const onAbort = () => controller.abort(parent.reason);
  const timer = setTimeout(
    () => controller.abort(new DOMException(`${what} did not finish within ${ms} ms`, "TimeoutError")),
    ms,
  );
  const clear = () => {
    clearTimeout(timer);
    parent.removeEventListener("abort", onAbort);
  };
  if (parent.aborted) onAbort();
  else parent.addEventListener("abort", onAbort, { once: true });
  return { signal: controller.signal, clear };
}
