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
