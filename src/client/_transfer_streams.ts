/**
 * The Web Streams the client hands out for a {@linkcode Transfer}: a download's readable and an
 * upload's writable. The data socket's chunks pass straight through, with no copies, and
 * nothing is buffered beyond the socket's own buffers.
 *
 * @module
 */

import { FtpError } from "../errors.ts";
import type { Transfer } from "./_transfer.ts";
import { IdleDeadline } from "./_timeout.ts";
import type { TransferProgress } from "./options.ts";

/** Options of {@linkcode downloadReadable} and {@linkcode uploadWritable}. */
export interface StreamOptions {
  readonly onProgress?: ((progress: TransferProgress) => void) | undefined;
  readonly total?: number | undefined;
  /** Waits before the next `bytes` may pass (speed limit). */
  readonly throttle?: ((bytes: number) => Promise<void>) | undefined;
  /** Downloads: most bytes accepted; more aborts the transfer with `limitError()`. */
  readonly limit?: number | undefined;
  /** The error for a download past `limit`. */
  readonly limitError?: (() => unknown) | undefined;
}

function progressReporter(options: StreamOptions): (n: number) => void {
  const { onProgress, total } = options;
  if (!onProgress) return () => {};
  const start = performance.now();
  let bytes = 0;
  return (n) => {
    bytes += n;
    const seconds = Math.max((performance.now() - start) / 1000, 1e-3);
    onProgress({ bytes, rate: bytes / seconds, ...(total !== undefined ? { total } : {}) });
  };
}

/**
 * The consumer's side of a download: pulls chunks from the data connection on demand
 * (no buffering beyond the socket's), closes only after the server confirmed the transfer.
 *
 * @param transfer The transfer.
 * @param dataTimeout Idle limit on the data connection, in ms.
 * @param options Progress and throttling.
 * @returns The stream of file bytes.
 */
export function downloadReadable(
  transfer: Transfer,
  dataTimeout: number,
  options: StreamOptions,
): ReadableStream<Uint8Array> {
  const report = progressReporter(options);
  const reader = transfer.conn?.readable.getReader();
  const deadline = new IdleDeadline(() => transfer.conn?.close());
  const waiting = `Waiting for data of "${transfer.command}"`;
  const limit = options.limit ?? Infinity;
  let received = 0;
  let closed = false;
  let controller!: ReadableStreamDefaultController<Uint8Array>;
  /** End the stream once: closed without an error, errored with one. */
  const end = (error?: unknown, failed = error !== undefined) => {
    deadline.dispose();
    if (closed) return;
    closed = true;
    if (failed) controller.error(error);
    else controller.close();
  };
  return new ReadableStream<Uint8Array>({
    start(c) {
      controller = c;
      transfer.onAbort = (reason) => end(reason, true);
    },
    pull() {
      return transfer.step(async () => {
        if (closed) return;
        let result: { done: boolean; value?: Uint8Array | undefined };
        try {
          result = !reader ? { done: true } : await deadline.wait(
            reader.read(),
            dataTimeout,
            waiting,
          );
        } catch (e) {
          end(await transfer.fail(e), true);
          return;
        }
        if (closed || transfer.aborted) return;
        if (result.done) {
          await transfer.finish().then(() => end(), (e) => end(e, true));
          return;
        }
        const chunk = result.value!;
        received += chunk.byteLength;
        if (received > limit) {
          await transfer.abort(
            options.limitError?.() ??
              new FtpError(`"${transfer.command}" brought more than ${limit} bytes: aborted.`),
          );
          return;
        }
        if (options.throttle) await options.throttle(chunk.byteLength);
        report(chunk.byteLength);
        controller.enqueue(chunk);
      });
    },
    async cancel(reason) {
      closed = true;
      deadline.dispose();
      await transfer.abort(reason);
    },
  }, { highWaterMark: 0 });
}

/**
 * The producer's side of an upload: each chunk is written to the data connection as is;
 * `close()` resolves once the server confirmed the file (226), `abort()` sends ABOR.
 *
 * @param transfer The transfer.
 * @param dataTimeout Limit for one write to be accepted, in ms.
 * @param options Progress and throttling.
 * @returns The sink for file bytes.
 */
export function uploadWritable(
  transfer: Transfer,
  dataTimeout: number,
  options: StreamOptions,
): WritableStream<Uint8Array> {
  const report = progressReporter(options);
  const conn = transfer.conn;
  const writer = conn?.writable.getWriter();
  const deadline = new IdleDeadline(() => conn?.close());
  let failed: unknown;
  let signalled: ((reason: unknown) => void) | undefined;
  const abortedByOthers = new Promise<never>((_, reject) => (signalled = reject));
  abortedByOthers.catch(() => {});
  transfer.onAbort = (reason) => {
    deadline.dispose();
    failed = reason;
    signalled?.(reason);
  };
  const sending = `Sending data of "${transfer.command}"`;
  const check = async () => {
    if (transfer.aborted) {
      await transfer.ended();
      throw transfer.abortReason;
    }
    if (failed !== undefined) throw failed;
  };
  /** Run one step on the data socket; on failure, end the transfer and throw its verdict. */
  const onData = async (op: Promise<void>, what: string) => {
    try {
      await Promise.race([
        deadline.wait(op, dataTimeout, what),
        abortedByOthers,
      ]);
    } catch (e) {
      deadline.dispose();
      if (transfer.aborted) {
        await transfer.ended();
        throw transfer.abortReason;
      }
      failed = await transfer.fail(e);
      throw failed;
    }
  };
  const write = async (chunk: Uint8Array) => {
    await check();
    if (!writer) {
      throw new FtpError(`The server ended "${transfer.command}" before any data was sent.`);
    }
    if (options.throttle) {
      await Promise.race([options.throttle(chunk.byteLength), abortedByOthers]);
    }
    await check();
    await onData(writer.write(chunk), sending);
    transfer.sent(chunk.byteLength);
    report(chunk.byteLength);
  };
  return new WritableStream<Uint8Array>({
    write(chunk) {
      return transfer.step(() =>
        write(chunk).catch((e) => {
          deadline.dispose();
          throw e;
        })
      );
    },
    close() {
      return transfer.step(async () => {
        try {
          await check();
          if (writer) await onData(writer.close(), `Closing data of "${transfer.command}"`);
          await transfer.finish();
        } finally {
          deadline.dispose();
        }
      });
    },
    async abort(reason) {
      deadline.dispose();
      await transfer.abort(reason);
    },
  });
}

/**
 * Write bytes to a sink and close it. Big buffers go in slices (views, not copies) so
 * progress and speed limits see steady steps.
 *
 * @param sink The upload's sink.
 * @param bytes The bytes.
 * @returns Nothing; resolves when the sink closed (the server confirmed the file).
 */
export async function writeAll(sink: WritableStream<Uint8Array>, bytes: Uint8Array): Promise<void> {
  const writer = sink.getWriter();
  try {
    const step = 256 * 1024;
    for (let i = 0; i < bytes.byteLength; i += step) {
      await writer.write(bytes.subarray(i, i + step));
    }
    await writer.close();
  } catch (e) {
    await writer.abort(e).catch(() => {});
    throw e;
  }
}
