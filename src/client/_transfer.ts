/**
 * One data transfer in flight: the data connection, the final reply on the control channel,
 * and the three ways it can end (completed, failed, aborted with ABOR).
 *
 * @module
 */

import type { Conn } from "../net/types.ts";
import type { Reply } from "../protocol/reply.ts";
import { ConnectionClosedError, FtpError, FtpTimeoutError, UnsupportedError } from "../errors.ts";
import type { ControlChannel } from "./_control.ts";
import { unexpectedReply } from "./_replies.ts";
import { isLimited, withTimeout } from "./_timeout.ts";

/** What a transfer needs from its client. */
export interface TransferContext {
  readonly control: ControlChannel;
  readonly socketTimeout: number;
  readonly dataTimeout: number;
  /** Called once when the transfer is over, whichever way: frees the client's queue. */
  readonly done: () => void;
  /** Set when this runtime could not resume the TLS session (see `transferRefusal`). */
  readonly reuseMissingOn?: string | undefined;
  /** Whether the transfer's stream is handed to the caller (its progress is then watched). */
  readonly handedOut?: boolean | undefined;
}

const MIB = 1024 * 1024;
/** Most bytes an upload is assumed to have in socket buffers after its last write. */
const MAX_IN_FLIGHT = 32 * MIB;

/** Settles when the peer closes (or half-closes) `conn`; never rejects. */
async function peerClosed(conn: Conn): Promise<void> {
  try {
    const reader = conn.readable.getReader();
    for (let i = 0; i < 1000; i++) if ((await reader.read()).done) return;
  } catch {
    // Reset or closed: over either way.
  }
}

/** Codes that end a transfer successfully. */
const FINAL_OK = /^2\d\d$/;

/**
 * A transfer whose preliminary (1xx) reply has been read. It also keeps track of its
 * stream's progress, so that the command queue can tell a stream that is being consumed
 * from one nobody reads or writes ({@linkcode Transfer.idleMs}).
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
  #stepsRunning = 0;
  #sent = 0;
  #lastProgress = performance.now();

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

  /** Whether the stream was handed to the caller (not consumed by the client itself). */
  get handedOut(): boolean {
    return this.#ctx.handedOut ?? false;
  }

  /**
   * Run one step the stream's user asked for (a read, a write, the close). The transfer
   * counts as moving while a step runs, and as idle from the end of the last one.
   *
   * @param fn The step.
   * @returns The step's result.
   */
  async step<T>(fn: () => Promise<T>): Promise<T> {
    this.#stepsRunning++;
    try {
      return await fn();
    } finally {
      this.#stepsRunning--;
      this.#lastProgress = performance.now();
    }
  }

  /**
   * How long the stream's user has left the transfer alone.
   *
   * @returns Milliseconds since the last step ended; 0 while a step runs or the transfer ends.
   */
  idleMs(): number {
    if (this.#stepsRunning > 0 || this.#ending) return 0;
    return performance.now() - this.#lastProgress;
  }

  /**
   * Count bytes an upload handed to the data connection (they bound how long the server may
   * take to drain them after the last write).
   *
   * @param bytes The chunk's size.
   */
  sent(bytes: number): void {
    this.#sent += bytes;
  }

  /** Register what to do when an abort comes from outside the stream (signal, `client.abort()`). */
  set onAbort(fn: (reason: unknown) => void) {
    this.#onAbort = fn;
  }

  /**
   * The data side ended cleanly: read the final reply. Rejects with a `StatusCodeError`
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
      const reply = this.#download ? await this.#readFinal() : await this.#readUploadFinal();
      if (!FINAL_OK.test(reply.code)) throw transferRefusal(reply, this.command, this.#ctx.reuseMissingOn);
    } finally {
      this.conn?.close();
      this.#ctx.done();
    }
  }

  /** The transfer's final reply (226, 426, 451…), unless the server sent it instead of a 1xx. */
  async #readFinal(): Promise<Reply> {
    return this.#finalReply ??
      await this.#ctx.control.readReply(this.#ctx.socketTimeout, this.command);
  }

  /**
   * The final reply of an upload. The last bytes may still sit in socket buffers that a slow
   * server drains for a long while: as long as the server keeps the data connection open,
   * the wait is bounded by `socketTimeout` for each MiB (up to {@linkcode MAX_IN_FLIGHT})
   * sent, not by `socketTimeout` alone; once it closes the data connection, the reply has
   * `socketTimeout`.
   */
  async #readUploadFinal(): Promise<Reply> {
    const { control, socketTimeout } = this.#ctx;
    const conn = this.conn;
    if (this.#finalReply || !conn || !isLimited(socketTimeout)) return await this.#readFinal();
    const reply = control.readReply(0, this.command);
    reply.catch(() => {}); // Awaited below.
    const inFlight = Math.min(this.#sent, MAX_IN_FLIGHT);
    const budget = socketTimeout * (1 + Math.ceil(inFlight / MIB));
    const lost = () => control.close();
    await withTimeout(
      Promise.race([reply, peerClosed(conn)]),
      budget,
      `Waiting for the server to receive the rest of ${this.command} (${inFlight} bytes may still be in flight)`,
      lost,
    );
    return await withTimeout(reply, socketTimeout, `Waiting for the reply to ${this.command}`, lost);
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
        const reply = await this.#readFinal();
        // Our own timeout caused the server's complaint (426): report the timeout.
        if (!FINAL_OK.test(reply.code) && !(cause instanceof FtpTimeoutError)) {
          result = transferRefusal(reply, this.command, this.#ctx.reuseMissingOn);
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

/**
 * The error for a transfer's failed final reply. A 522 where this runtime could not resume
 * the control connection's TLS session (Deno) is the server demanding reuse (vsftpd's
 * require_ssl_reuse, FileZilla Server), which no retry here can satisfy: say so.
 */
export function transferRefusal(reply: Reply, command: string, reuseMissingOn: string | undefined): FtpError {
  if (reply.code === "522" && reuseMissingOn !== undefined) {
    return new UnsupportedError(
      reuseMissingOn,
      `TLS session reuse on data connections, which this server requires ("${command}" got ${reply.code} ${reply.lines.join(" ")})`,
      "run the client on Node or Bun, or turn the requirement off on the server (vsftpd: require_ssl_reuse=NO)",
    );
  }
  return unexpectedReply(reply, ["2xx"], command);
}
