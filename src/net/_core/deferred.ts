/**
 * The two promise helpers every adapter uses: a deferred promise, and waiting for one event
 * of an event emitter (the `node:` sockets) with `'error'` and `'close'` as failures.
 *
 * @module
 */
import { ConnectionClosedError } from "../../errors.ts";

/** A promise with its settle functions. */
export interface Deferred<T> {
  /** Settles through {@linkcode Deferred.resolve} or {@linkcode Deferred.reject}. */
  readonly promise: Promise<T>;
  /** Fulfil the promise. */
  readonly resolve: (value: T) => void;
  /** Reject the promise. */
  readonly reject: (error: unknown) => void;
}

/** A new pending {@linkcode Deferred}. */
export function deferred<T>(): Deferred<T> {
  let resolve!: (value: T) => void, reject!: (error: unknown) => void;
  const promise = new Promise<T>((ok, fail) => {
    resolve = ok;
    reject = fail;
  });
  return { promise, resolve, reject };
}

/** The part of an event emitter {@linkcode once} needs (a `node:net` socket has it). */
export interface Emitter {
  once(event: string, listener: (...args: any[]) => void): unknown;
  off(event: string, listener: (...args: any[]) => void): unknown;
}

/**
 * Resolve once `emitter` emits `event`; reject with its `'error'`, or with
 * {@linkcode ConnectionClosedError} on a `'close'` that comes first. Listeners are removed
 * either way.
 *
 * @param emitter The socket.
 * @param event The awaited event, e.g. `"secureConnect"`.
 * @param operation What was going on, for the closed error. @default "TLS handshake"
 */
export function once(emitter: Emitter, event: string, operation = "TLS handshake"): Promise<void> {
  return new Promise((resolve, reject) => {
    const done = (error?: unknown) => {
      emitter.off(event, ok);
      emitter.off("error", done);
      emitter.off("close", closed);
      if (error === undefined) resolve();
      else reject(error);
    };
    const ok = () => done();
    const closed = () => done(new ConnectionClosedError(operation));
    emitter.once(event, ok);
    emitter.once("error", done);
    emitter.once("close", closed);
  });
}
