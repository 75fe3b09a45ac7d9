/**
 * Bounding a handshake that the runtime cannot cancel by itself: settle with the work, or,
 * once the signal aborts, run `cancel` (which tears the sockets down) and reject with the
 * signal's reason. A result that still arrives after the abort is closed, so nothing leaks.
 *
 * @module
 */

/**
 * Wait for `work` unless `signal` aborts first.
 *
 * @param work The handshake (its rejection is observed either way).
 * @param signal Aborts the wait; `undefined` waits for `work` alone.
 * @param cancel Called once on abort, before the rejection: destroy what `work` runs on.
 * @returns What `work` resolved to.
 */
export function abortable<T extends { close(): void }>(
  work: Promise<T>,
  signal: AbortSignal | undefined,
  cancel: () => void,
): Promise<T> {
  if (!signal) return work;
  return new Promise<T>((resolve, reject) => {
    let settled = false;
    const onAbort = () => {
      if (settled) return;
      settled = true;
      try {
        cancel();
      } finally {
        reject(signal.reason);
      }
    };
    work.then((value) => {
      signal.removeEventListener("abort", onAbort);
      if (settled) value.close();
      else {
        settled = true;
        resolve(value);
      }
    }, (error) => {
      signal.removeEventListener("abort", onAbort);
      if (!settled) {
        settled = true;
        reject(error);
      }
    });
    if (signal.aborted) onAbort();
    else signal.addEventListener("abort", onAbort, { once: true });
  });
}
