/**
 * The read side of the callback-based connections (Node's `'data'`, Bun's `data`): a bounded
 * queue of received chunks feeding a pull `ReadableStream`, written once with the rules both
 * runtimes need:
 *
 * - backpressure: the source is paused once `limit` bytes wait unread and resumed when the
 *   reader catches up (a limit of 0 keeps every byte in the kernel until it is asked for);
 * - end and reset: bytes received before the end, or before a reset, reach the reader first;
 *   then the stream closes, or fails with {@linkcode ConnectionClosedError} for a reset;
 * - an error after the peer's end (FIN or close_notify, then a reset), or a failed write of
 *   our own (`EPIPE`), says nothing about what was received: the stream then ends cleanly;
 * - a cancelled reader keeps the source flowing and drops what comes, so the peer is never
 *   stuck on a full window.
 *
 * @module
 */
import { ConnectionClosedError } from "../../errors.ts";

/** What a {@linkcode ReadQueue} pauses when its reader falls behind. */
export interface Flow {
  /** Stop delivering chunks. */
  pause(): void;
  /** Deliver chunks again. */
  resume(): void;
}

/** Options of {@linkcode ReadQueue}. */
export interface ReadQueueOptions {
  /** Bytes that may wait unread before the source is paused (0: pause whenever nobody reads). */
  readonly limit: number;
  /** Called once when the reader cancels (after the queue is emptied): keep draining, or close. */
  readonly onCancel: () => void;
}

/** Whether `error` is our own failed write rather than news about the read side. */
function isEpipe(error: unknown): boolean {
  return (error as { code?: unknown } | null)?.code === "EPIPE";
}

/**
 * Received chunks on their way to {@linkcode ReadQueue.readable}. The adapter feeds it
 * ({@linkcode ReadQueue.push}, {@linkcode ReadQueue.end}, {@linkcode ReadQueue.fail},
 * {@linkcode ReadQueue.close}) and gives it the source to pause ({@linkcode ReadQueue.attach}).
 * Attached sources start paused: nothing is read until the reader pulls.
 */
export class ReadQueue {
  /** The bytes, in order; ends at the peer's end, fails after a reset. */
  readonly readable: ReadableStream<Uint8Array>;

  #flow: Flow | undefined;
  #limit: number;
  #onCancel: () => void;
  #controller!: ReadableStreamDefaultController<Uint8Array>;
  #chunks: Uint8Array[] = [];
  #buffered = 0;
  #wanted = false;
  #paused = false;
  #ended = false;
  #done = false;
  #error: unknown = undefined;

  /** @param options Read-ahead limit and what to do on cancel. */
  constructor(options: ReadQueueOptions) {
    this.#limit = options.limit;
    this.#onCancel = options.onCancel;
    this.readable = new ReadableStream<Uint8Array>({
      start: (controller) => {
        this.#controller = controller;
      },
      pull: () => this.#pull(),
      cancel: () => this.#cancel(),
    }, { highWaterMark: 0 });
  }

  /** Bytes that may wait unread before the source is paused; may be raised later (STARTTLS done). */
  get limit(): number {
    return this.#limit;
  }

  set limit(limit: number) {
    this.#limit = limit;
  }

  /** Chunks received and not read yet. */
  get length(): number {
    return this.#chunks.length;
  }

  /** Whether the peer's end (or the close) was seen. */
  get ended(): boolean {
    return this.#ended;
  }

  /**
   * Take `flow` (a flowing source) as the one to pause and resume.
   *
   * @param flow The socket, or whatever delivers its chunks.
   * @param pauseNow Pause it at once unless a read waits (a TLS socket that must finish its
   *   handshake first passes `false`, then calls {@linkcode ReadQueue.pauseIfFull}).
   */
  attach(flow: Flow, pauseNow = true): void {
    this.#flow = flow;
    this.#paused = false;
    if (pauseNow && !this.#wanted) {
      this.#paused = true;
      flow.pause();
    }
  }

  /** Pause the source if the reader is behind by {@link ReadQueueOptions.limit} bytes. */
  pauseIfFull(): void {
    if (this.#wanted || this.#buffered < this.#limit || this.#paused || !this.#flow) return;
    this.#paused = true;
    this.#flow.pause();
  }

  /** A chunk arrived (dropped once the reader cancelled or the queue was handed over). */
  push(chunk: Uint8Array): void {
    if (this.#done) return;
    if (this.#wanted) {
      this.#wanted = false;
      this.#controller.enqueue(chunk);
    } else {
      this.#chunks.push(chunk);
      this.#buffered += chunk.byteLength;
    }
    this.pauseIfFull();
  }

  /** The peer's end of data: the stream closes after the queued chunks. */
  end(): void {
    this.#ended = true;
    if (this.#chunks.length === 0) this.#finish();
  }

  /**
   * A socket error. It fails the stream (after the queued chunks, at {@linkcode ReadQueue.close})
   * unless the peer had already ended or it is our own failed write (`EPIPE`).
   */
  fail(error: unknown): void {
    if (this.#ended || isEpipe(error) || error === undefined) return;
    this.#error = error;
  }

  /** The socket is gone: record `error` as {@linkcode ReadQueue.fail} does, then end. */
  close(error?: unknown): void {
    this.fail(error);
    this.end();
  }

  /**
   * Retire the stream (its reader sees the end) and return the chunks nobody read, for
   * giving back to the socket (STARTTLS). Later chunks are dropped.
   */
  handOver(): Uint8Array[] {
    const rest = this.#chunks.splice(0);
    this.#buffered = 0;
    this.#ended = true;
    if (!this.#done) {
      this.#done = true;
      this.#wanted = false;
      try {
        this.#controller.close();
      } catch { /* already closed */ }
    }
    return rest;
  }

  #pull(): void {
    const chunk = this.#chunks.shift();
    if (chunk) {
      this.#buffered -= chunk.byteLength;
      this.#controller.enqueue(chunk);
      if (this.#chunks.length === 0 && this.#ended) this.#finish();
    } else if (this.#ended) {
      this.#finish();
      return;
    } else {
      this.#wanted = true;
    }
    if (this.#flow && !this.#ended && this.#paused && (this.#wanted || this.#buffered < this.#limit)) {
      this.#paused = false;
      this.#flow.resume();
    }
  }

  #cancel(): void {
    this.#done = true;
    this.#wanted = false;
    this.#chunks = [];
    this.#buffered = 0;
    this.#paused = false;
    this.#onCancel();
  }

  #finish(): void {
    if (this.#done) return;
    this.#done = true;
    this.#wanted = false;
    if (this.#error !== undefined) {
      this.#controller.error(new ConnectionClosedError("read", { cause: this.#error }));
    } else {
      this.#controller.close();
    }
  }
}
