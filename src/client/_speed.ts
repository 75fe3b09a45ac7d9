/**
 * Per-client speed limits: a pacing function that makes each chunk wait until the byte rate
 * stays under the limit. Shared by all transfers of one client, so parallel calls through
 * the same client (queued anyway) share the budget.
 *
 * @module
 */

/**
 * A pacer for `limit` bytes per second, or `undefined` for no limit.
 *
 * @param limit Bytes per second; `Infinity`, 0 or negative means unlimited.
 * @returns A function to await before passing `n` bytes.
 */
export function speedLimiter(limit: number): ((n: number) => Promise<void>) | undefined {
  if (!(limit > 0) || limit === Infinity) return undefined;
  let next = 0; // when the bytes passed so far are "paid for", in performance.now() ms
  return (n) => {
    const now = performance.now();
    // An idle period does not bank unlimited credit: at most a tenth of a second.
    next = Math.max(next, now - 100) + (n / limit) * 1000;
    const wait = next - now;
    return wait > 1 ? new Promise((resolve) => setTimeout(resolve, wait)) : Promise.resolve();
  };
}
