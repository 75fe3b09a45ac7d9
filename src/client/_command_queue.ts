/**
 * The client's command queue: one conversation with the server at a time, in call order.
 * A transfer stream handed to the caller holds the queue until it is consumed or cancelled;
 * so that a command queued behind a stream nobody consumes does not wait forever, the queue
 * fails it with {@linkcode StalledStreamError} once the stream has made no progress for the
 * stall limit (the client's `dataTimeout`). A stream that keeps moving, however slowly, keeps
 * its place: the command runs when the stream is done.
 *
 * @module
 */

import { Mutex } from "./_mutex.ts";
import { isLimited } from "./_timeout.ts";
import { StalledStreamError } from "./stalled_stream_error.ts";

/** What the queue needs to know of a transfer stream that holds it. */
export interface QueueHolder {
  /** The transfer command, for the error message. */
  readonly command: string;
  /** Milliseconds since the stream last made progress; 0 while it is moving or ending. */
  idleMs(): number;
}

/** Options of a {@linkcode CommandQueue}. */
export interface CommandQueueOptions {
  /** How long a holding stream may make no progress before waiters fail, in ms; 0 or `Infinity`: forever. */
  readonly stallTimeout: number;
  /** The transfer stream holding the queue now, if any. */
  readonly holder: () => QueueHolder | undefined;
}

/** A FIFO lock whose waiters do not wait forever behind a stalled transfer stream. */
export class CommandQueue {
  #mutex = new Mutex();
  #options: CommandQueueOptions;

  /** @param options The stall limit and how to find the holding stream. */
  constructor(options: CommandQueueOptions) {
    this.#options = options;
  }

  /**
   * Wait for the turn to talk to the server.
   *
   * @returns The release function (call it once); rejects with
   * {@linkcode StalledStreamError} when a transfer stream holding the queue makes no
   * progress for the stall limit meanwhile.
   */
  async acquire(): Promise<() => void> {
    const ms = this.#options.stallTimeout;
    if (!this.#mutex.held || !isLimited(ms)) return await this.#mutex.acquire();
    const giveUp = new AbortController();
    let timer: ReturnType<typeof setTimeout> | undefined;
    // Whoever holds the queue may change while we wait (a stream ends, the next caller
    // opens another): look at the current holder each time.
    const check = () => {
      const holder = this.#options.holder();
      const idle = holder?.idleMs() ?? 0;
      if (holder && idle >= ms) giveUp.abort(new StalledStreamError(holder.command, ms));
      else timer = setTimeout(check, ms - idle);
    };
    check();
    try {
      return await this.#mutex.acquire(giveUp.signal);
    } finally {
      clearTimeout(timer);
    }
  }
}
