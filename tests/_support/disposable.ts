/**
 * Make a handle with an async `close()` usable with `await using` (the peers' and servers'
 * handles of the test-support layer).
 *
 * @module
 */

/** A handle that `await using` closes. */
export interface Closable extends AsyncDisposable {
  /** Stop it and remove what it left behind. */
  close(): Promise<void>;
}

/** `handle` with `[Symbol.asyncDispose]` calling its `close()` (`T` is the handle's type). */
export function disposable<T extends Closable>(handle: Omit<T, typeof Symbol.asyncDispose>): T {
  return Object.assign(handle, { [Symbol.asyncDispose]: () => handle.close() }) as unknown as T;
}
