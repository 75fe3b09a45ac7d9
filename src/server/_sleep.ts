/**
 * Cancellable delay.
 *
 * @module
 */

/**
 * Wait `ms` milliseconds, or less if the signal aborts (never rejects).
 *
 * @param ms Milliseconds.
 * @param signal Ends the wait early.
 * @returns When done.
 */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  if (ms <= 0 || signal?.aborted) return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      signal?.removeEventListener("abort", done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal?.addEventListener("abort", done);
  });
}
