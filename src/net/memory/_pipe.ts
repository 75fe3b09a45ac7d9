/**
 * One direction of an in-memory connection: a bounded byte queue with real backpressure.
 *
 * @module
 */
import { ConnectionClosedError } from "../../errors.ts";

/** Bytes a pipe holds before `write` waits for the reader (a socket buffer's order of size). */
export const PIPE_CAPACITY = 256 * 1024;

/**
 * A unidirectional bounded byte queue. `write` resolves once the queue is below capacity;
 * `read` waits for bytes. `end()` is a FIN (reader gets `null` after the queued bytes),
 * `destroy()` a reset (queued bytes are dropped, pending writes reject).
 */
export class Pipe {
  #chunks: Uint8Array[] = [];
  #bytes = 0;
  #capacity: number;
  #ended = false;
  #destroyed = false;
  #readWaiter: (() => void) | null = null;
  #writeWaiter: { resolve: () => void; reject: (e: unknown) => void } | null = null;
  /** Called once when the pipe is fully done (ended and drained, or destroyed). */
  onDone: () => void = () => {};

  /** @param capacity Bytes buffered before writers wait. */
  constructor(capacity = PIPE_CAPACITY) {
    this.#capacity = capacity;
  }

  /** Whether the writer side is finished (ended or destroyed). */
  get writeClosed(): boolean {
    return this.#ended || this.#destroyed;
  }

  /** Queue a copy of `chunk` (the caller may reuse its buffer); waits while the pipe is full. */
  write(chunk: Uint8Array): Promise<void> | void {
    if (this.#ended || this.#destroyed) throw new ConnectionClosedError("write");
    if (chunk.byteLength === 0) return;
    this.#chunks.push(chunk.slice());
    this.#bytes += chunk.byteLength;
    this.#wakeReader();
    if (this.#bytes < this.#capacity) return;
    return new Promise((resolve, reject) => (this.#writeWaiter = { resolve, reject }));
  }

  /** Next chunk, or `null` at end of stream or after destroy. */
  async read(): Promise<Uint8Array | null> {
    while (this.#chunks.length === 0 && !this.#ended && !this.#destroyed) {
      await new Promise<void>((resolve) => (this.#readWaiter = resolve));
    }
    const chunk = this.#chunks.shift();
    if (!chunk) {
      this.#checkDone();
      return null;
    }
    this.#bytes -= chunk.byteLength;
    if (this.#bytes < this.#capacity && this.#writeWaiter) {
      const waiter = this.#writeWaiter;
      this.#writeWaiter = null;
      waiter.resolve();
    }
    return chunk;
  }

  /** Half-close: the reader sees end of stream after the queued bytes. */
  end(): void {
    if (this.#ended || this.#destroyed) return;
    this.#ended = true;
    this.#wakeReader();
    this.#checkDone();
  }

  /** Reset: drop queued bytes, end the reader, fail a waiting writer. Idempotent. */
  destroy(): void {
    if (this.#destroyed) return;
    this.#destroyed = true;
    this.#chunks = [];
    this.#bytes = 0;
    this.#writeWaiter?.reject(new ConnectionClosedError("write"));
    this.#writeWaiter = null;
    this.#wakeReader();
    this.#checkDone();
  }

  #wakeReader(): void {
    const waiter = this.#readWaiter;
    this.#readWaiter = null;
    waiter?.();
  }

  #checkDone(): void {
    if (this.#destroyed || (this.#ended && this.#chunks.length === 0)) {
      const done = this.onDone;
      this.onDone = () => {};
      done();
    }
  }
}
