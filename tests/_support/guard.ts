/**
 * Hang guards and bounded waits of the tests (never timing assertions): reject a promise
 * that takes too long, poll until a condition holds, wait until a counter settles.
 *
 * @module
 */

/** Longest a helper waits for anything before failing the test (a hang guard, not a timing assertion). */
export const GUARD_MS = 15_000;

/** Reject after `ms` with a clear message (hang guard). */
export function guard<T>(promise: Promise<T>, what: string, ms = GUARD_MS): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`test guard: ${what} took longer than ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** Wait until `check` is true, polling (bounded). */
export async function waitFor(check: () => boolean, what: string, ms = GUARD_MS): Promise<void> {
  const end = performance.now() + ms;
  while (!check()) {
    if (performance.now() > end) throw new Error(`test guard: ${what} did not happen within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

/** Wait until a counter stops changing (sampled every `stepMs`, `stableSamples` times in a row). */
export async function settle(read: () => number, stepMs = 50, stableSamples = 4): Promise<number> {
  let last = read();
  let same = 0;
  for (let i = 0; i < 400 && same < stableSamples; i++) {
    await new Promise((r) => setTimeout(r, stepMs));
    const now = read();
    same = now === last ? same + 1 : 0;
    last = now;
  }
  return last;
}
