/**
 * The one stream copy loop: like `pipeTo` (the next chunk is read while the previous one is
 * being written), with fewer objects and promise hops, which matters when a transfer is
 * small and its set-up is most of the work.
 *
 * @module
 */

/** Options of {@linkcode copyStream}. */
export interface StreamCopyOptions {
  /** Aborts the copy: the source is cancelled and the destination aborted with the reason. */
  readonly signal?: AbortSignal;
  /** Called with every chunk before it is written (progress, byte counts). */
  readonly onChunk?: (chunk: Uint8Array) => void;
  /**
   * Do not wait for the destination to close: the copy resolves once the last write was
   * handed over, and this gets the close (with any write or close error) to settle later.
   * @default undefined (the copy waits for the close)
   */
  readonly deferClose?: (closed: Promise<void>) => void;
}

/**
 * Copy `source` into `dest`. On success `dest` is closed. On a failure of either side, or
 * an abort, the source is cancelled and the destination aborted (so storage handles and
 * sockets are released) before the error is thrown.
 *
 * @param source Where the bytes come from.
 * @param dest Where they go.
 * @param options Abort signal and per-chunk callback.
 * @returns When everything was written and `dest` closed.
 *
 * @example
 * ```ts
 * import { copyStream } from "./copy.ts";
 * let bytes = 0;
 * const source = new Blob(["hello"]).stream();
 * await copyStream(source, new WritableStream(), { onChunk: (c) => (bytes += c.byteLength) });
 * console.log(bytes); // 5
 * ```
 */
export async function copyStream(
  source: ReadableStream<Uint8Array>,
  dest: WritableStream<Uint8Array>,
  options: StreamCopyOptions = {},
): Promise<void> {
  const { signal, onChunk, deferClose } = options;
  const reader = source.getReader();
  const writer = dest.getWriter();
  let failure: { error: unknown } | undefined;
  let settled: Promise<unknown> = Promise.resolve();
  const fail = (error: unknown) => {
    if (failure) return;
    failure = { error };
    settled = Promise.all([
      reader.cancel(error).catch(() => {}),
      writer.abort(error).catch(() => {}),
    ]);
  };
  const onAbort = () => fail(signal?.reason);
  signal?.addEventListener("abort", onAbort);
  if (signal?.aborted) onAbort();
  try {
    while (!failure) {
      await writer.ready;
      const { value, done } = await reader.read();
      if (failure) break;
      if (done) {
        const closed = writer.close();
        if (deferClose) {
          closed.catch(() => {}); // the caller owns it now
          deferClose(closed);
        } else await closed;
        break;
      }
      onChunk?.(value);
      // Not awaited, so the next read overlaps this write; a failure shows in `ready`/`close`.
      writer.write(value).catch(fail);
    }
  } catch (e) {
    fail(e);
  } finally {
    signal?.removeEventListener("abort", onAbort);
  }
  if (failure) {
    await settled;
    throw failure.error;
  }
}
