/**
 * Writes replies to a control connection, one whole reply per write, in order. A broken
 * connection is remembered instead of thrown: the session notices through its reader.
 *
 * @module
 */

import { formatReply } from "../protocol/reply.ts";

/** Turns reply text into bytes in the session's encoding. */
export type Encode = (text: string) => Uint8Array;

/** Sequential reply writer over a control connection's writable side. */
export class ReplyWriter {
  #writer: WritableStreamDefaultWriter<Uint8Array>;
  #encode: Encode;
  #onReply: (code: string, lines: readonly string[]) => void;
  #broken = false;

  /**
   * @param writable The connection's writable (locked by this writer).
   * @param encode The text encoder.
   * @param onReply Called for every reply sent (for events).
   */
  constructor(
    writable: WritableStream<Uint8Array>,
    encode: Encode,
    onReply: (code: string, lines: readonly string[]) => void,
  ) {
    this.#writer = writable.getWriter();
    this.#encode = encode;
    this.#onReply = onReply;
  }

  /** Whether a write failed (the peer is gone). */
  get broken(): boolean {
    return this.#broken;
  }

  /**
   * Send one reply.
   *
   * @param code Three-digit code.
   * @param text One line or several.
   * @returns Resolves when the runtime accepted the bytes, or the connection is broken.
   */
  async send(code: string, text: string | readonly string[]): Promise<void> {
    if (this.#broken) return;
    const lines = typeof text === "string" ? text.split(/\r?\n/) : text;
    this.#onReply(code, lines);
    try {
      await this.#writer.write(this.#encode(formatReply(code, lines)));
    } catch {
      this.#broken = true;
    }
  }

  /**
   * Flush and half-close (after the last reply, e.g. 221), bounded by a timeout.
   *
   * @param timeoutMs Longest wait for the flush.
   * @returns Resolves when done or timed out.
   */
  async close(timeoutMs: number): Promise<void> {
    if (this.#broken) return;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<void>((resolve) => (timer = setTimeout(resolve, timeoutMs)));
    try {
      await Promise.race([this.#writer.close().catch(() => {}), timeout]);
    } finally {
      clearTimeout(timer);
      this.#broken = true;
    }
  }

  /** Give the writable back (before a TLS upgrade). */
  release(): void {
    this.#writer.releaseLock();
  }
}
