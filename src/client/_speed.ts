/**
 * Client speed limits on top of the shared token buckets of `streams/throttle.ts`: a number
 * makes a bucket for this client alone; a {@linkcode Throttle} instance may be shared by
 * several clients (a pool) to cap them together.
 *
 * @module
 */

import { Throttle } from "../streams/throttle.ts";

/**
 * A pacer to await before passing `n` bytes, or `undefined` for no limit.
 *
 * @param limit Bytes per second (`Infinity`, 0 or negative: unlimited), or a shared throttle.
 * @returns The pacer.
 */
export function speedLimiter(
  limit: number | Throttle | undefined,
): ((n: number) => Promise<void>) | undefined {
  if (limit instanceof Throttle) return (n) => limit.take(n);
  if (limit === undefined || !(limit > 0) || limit === Infinity) return undefined;
  const throttle = new Throttle({ bytesPerSecond: limit });
  return (n) => throttle.take(n);
}
