/**
 * One data transfer in flight: the data connection, the final reply on the control channel,
 * and the three ways it can end (completed, failed, aborted with ABOR). Also the Web Streams
 * the client hands out for downloads and uploads: the data socket's chunks pass straight
 * through, with no copies.
 *
 * @module
 */

import type { Conn } from "../net/types.ts";
import type { Reply } from "../protocol/reply.ts";
import { ConnectionClosedError, FtpError, FtpTimeoutError, StatusCodeError } from "../errors.ts";
import type { ControlChannel } from "./_control.ts";
import type { TransferProgress } from "./options.ts";

/** What a transfer needs from its client. */
export interface TransferContext {
  readonly control: ControlChannel;
  readonly socketTimeout: number;
  readonly dataTimeout: number;
  /** Called once when the transfer is over, whichever way: frees the client's queue. */
  readonly done: () => void;
}

/** Codes that end a transfer successfully. */
const FINAL_OK = /^2\d\d$/;

/**
 * A transfer whose preliminary (1xx) reply has been read.
 */
export class Transfer {
  readonly conn: Conn | undefined;
  readonly command: string;
  #ctx: TransferContext;
  #ending: Promise<void> | undefined;
  #aborted = false;
  #abortReason: unknown;
  #onAbort: ((reason: unknown) => void) | undefined;
  #finalReply: Reply | undefined;
  #download: boolean;

  /**
   * @param ctx The client side.
   * @param conn The data connection, or `undefined` when the server finished without one.
   * @param command The transfer command as sent (for errors).
   * @param finalReply The final reply when the server already sent it instead of a 1xx.
   */
  constructor(ctx: TransferContext, conn: Conn | undefined, command: string, finalReply?: Reply) {
    this.#download = !/^(STOR|APPE|STOU)\b/i.test(command);
    this.#ctx = ctx;
    this.conn = conn;
    this.command = command;
    this.#finalReply = finalReply;
  }

  /** Whether the transfer was aborted (ABOR sent or about to be). */
  get aborted(): boolean {
    return this.#aborted;
  }

  /** The reason given to {@linkcode Transfer.abort}. */
  get abortReason(): unknown {
    return this.#abortReason;
  }

  /** Whether the transfer is over or ending. */
  get ending(): boolean {
    return this.#ending !== undefined;
  }

  /** Register what to do when an abort comes from outside the stream (signal, `client.abort()`). */
  set onAbort(fn: (reason: unknown) => void) {
    this.#onAbort = fn;
  }

  /**
   * The data side ended cleanly: read the final reply. Rejects with {@linkcode StatusCodeError}
   * when the server reports a failure (e.g. 426, 451, 552).
   */
  finish(): Promise<void> {
    this.#ending ??= this.#finish();
    return this.#ending;
  }

  async #finish(): Promise<void> {
    try {
      // After a download the server may wait for our side to close (vsftpd with TLS does)
      // before its 226. After an upload, close only after the verdict: closing at once could
      // drop bytes (or the TLS close_notify) still queued in the socket.
      if (this.#download) this.conn?.close();
      const reply = this.#finalReply ??
        await this.#ctx.control.readReply(this.#ctx.socketTimeout, this.command);
      if (!FINAL_OK.test(reply.code)) {
        throw new StatusCodeError({
          expected: ["2xx"],
          received: reply.code,
          command: this.command,
          info: reply.lines,
        });
      }
    } finally {
      this.conn?.close();
      this.#ctx.done();
    }
  }

  /**
   * The data side failed (reset, timeout): close it, read the server's verdict, and return the
   * error to report: the server's error reply if it sent one, else the data error.
   *
   * @param cause The data-side error.
   * @returns The error to throw.
   */
  async fail(cause: unknown): Promise<unknown> {
    if (this.#aborted) {
      await this.#ending;
      return this.#abortReason;
    }
    let result: unknown = cause instanceof FtpError
      ? cause
      : new ConnectionClosedError(`data transfer of "${this.command}"`, { cause });
    if (this.#ending) {
      await this.#ending.catch((e) => (result = e));
      return result;
    }
    this.#ending = (async () => {
      try {
        this.conn?.close();
        const reply = this.#finalReply ??
          await this.#ctx.control.readReply(this.#ctx.socketTimeout, this.command);
        // Our own timeout caused the server's complaint (426): report the timeout.
        if (!FINAL_OK.test(reply.code) && !(cause instanceof FtpTimeoutError)) {
          result = new StatusCodeError({
            expected: ["2xx"],
            received: reply.code,
            command: this.command,
            info: reply.lines,
          });
        }
      } catch (e) {
        if (!(cause instanceof FtpTimeoutError)) result = e;
      } finally {
        this.#ctx.done();
      }
    })();
    await this.#ending;
    return result;
  }

  /**
   * Abort: send ABOR, drop the data connection, and read the two replies that follow (the
   * transfer's own — usually 426, or 226 if it had just finished — then ABOR's 225/226).
   *
   * @param reason Why; becomes the error of the stream.
   */
  abort(reason?: unknown): Promise<void> {
    if (this.#ending) return this.#ending.catch(() => {});
    this.#aborted = true;
    this.#abortReason = reason ?? new DOMException("The transfer was aborted", "AbortError");
    this.#ending = (async () => {
      const { control, socketTimeout } = this.#ctx;
      try {
        if (this.#finalReply) {
          this.conn?.close();
          return;
        }
        await control.send("ABOR");
        this.conn?.close();
        // Usually two replies follow: the transfer's (426, or 226 if it had just ended) and
        // ABOR's (225/226). A 4xx/5xx first is surely the transfer's; a 226 first is
        // ambiguous, so NOOP marks the end: everything before its reply belongs to ABOR.
        const first = await control.readReply(socketTimeout, "ABOR");
        if (/^[45]/.test(first.code)) {
          await control.readReply(socketTimeout, "ABOR");
        } else if (first.code !== "225") {
          await control.send("NOOP");
          for (let i = 0; i < 3; i++) {
            const r = await control.readReply(socketTimeout, "NOOP after ABOR");
            if (!/^2(25|26|50)$/.test(r.code)) break;
          }
        }
      } catch {
        // The control channel is in an unknown state: drop it, the client reconnects.
        control.close();
      } finally {
        this.#ctx.done();
        // Only now error the stream: whoever waits on it finds the channel in sync.
        this.#onAbort?.(this.#abortReason);
      }
    })();
    return this.#ending;
  }

  /** Settles when the transfer has ended, whichever way (never rejects). */
  ended(): Promise<void> {
    return (this.#ending ?? Promise.resolve()).catch(() => {});
  }
}

/** Options of {@linkcode downloadReadable} and {@linkcode uploadWritable}. */
export interface StreamOptions {
  readonly onProgress?: (progress: TransferProgress) => void;
  readonly total?: number;
  /** Waits before the next `bytes` may pass (speed limit). */
  readonly throttle?: (bytes: number) => Promise<void>;
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

function withTimeout<T>(
  p: Promise<T>,
  ms: number,
  what: string,
  onTimeout: () => void,
): Promise<T> {
  if (!(ms > 0) || ms === Infinity) return p;
  let timer: ReturnType<typeof setTimeout> | undefined;
  return Promise.race([
    p,
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        onTimeout();
        reject(new FtpTimeoutError(what, ms));
      }, ms);
    }),
  ]).finally(() => clearTimeout(timer));
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
  let closed = false;
  return new ReadableStream<Uint8Array>({
    start(controller) {
      transfer.onAbort = (reason) => {
        if (closed) return;
        closed = true;
        controller.error(reason);
      };
    },
    async pull(controller) {
      if (closed) return;
      let result: { done: boolean; value?: Uint8Array | undefined };
      try {
        if (!reader) result = { done: true, value: undefined };
        else {
          result = await withTimeout(
            reader.read(),
            dataTimeout,
            `Waiting for data of "${transfer.command}"`,
            () => transfer.conn?.close(),
          );
        }
      } catch (e) {
        const error = await transfer.fail(e);
        if (!closed) {
          closed = true;
          controller.error(error);
        }
        return;
      }
      if (closed) return;
      if (transfer.aborted) return;
      if (result.done) {
        try {
          await transfer.finish();
          if (!closed) {
            closed = true;
            controller.close();
          }
        } catch (e) {
          if (!closed) {
            closed = true;
            controller.error(e);
          }
        }
        return;
      }
      const chunk = result.value!;
      if (options.throttle) await options.throttle(chunk.byteLength);
      report(chunk.byteLength);
      controller.enqueue(chunk);
    },
    async cancel(reason) {
      closed = true;
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
  let failed: unknown;
  let signalled: ((reason: unknown) => void) | undefined;
  const abortedByOthers = new Promise<never>((_, reject) => (signalled = reject));
  abortedByOthers.catch(() => {});
  transfer.onAbort = (reason) => {
    failed = reason;
    signalled?.(reason);
  };
  const check = async () => {
    if (transfer.aborted) {
      await transfer.ended();
      throw transfer.abortReason;
    }
    if (failed !== undefined) throw failed;
  };
  return new WritableStream<Uint8Array>({
    async write(chunk) {
      await check();
      if (!writer) {
        throw new FtpError(`The server ended "${transfer.command}" before any data was sent.`);
      }
      if (options.throttle) {
        await Promise.race([options.throttle(chunk.byteLength), abortedByOthers]);
      }
      await check();
      try {
        await Promise.race([
          withTimeout(
            writer.write(chunk),
            dataTimeout,
            `Sending data of "${transfer.command}"`,
            () => conn?.close(),
          ),
          abortedByOthers,
        ]);
      } catch (e) {
        if (transfer.aborted) {
          await transfer.ended();
          throw transfer.abortReason;
        }
        failed = await transfer.fail(e);
        throw failed;
      }
      report(chunk.byteLength);
    },
    async close() {
      await check();
      if (writer) {
        try {
          await withTimeout(
            writer.close(),
            dataTimeout,
            `Closing data of "${transfer.command}"`,
            () => conn?.close(),
          );
        } catch (e) {
          if (transfer.aborted) {
            await transfer.ended();
            throw transfer.abortReason;
          }
          failed = await transfer.fail(e);
          throw failed;
        }
      }
      await transfer.finish();
    },
    async abort(reason) {
      await transfer.abort(reason);
    },
  });
}
