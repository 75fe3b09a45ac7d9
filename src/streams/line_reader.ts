/**
 * Reads CRLF- (or bare LF-) terminated lines from a byte stream with a hard maximum length,
 * so a peer that never sends a newline cannot make us buffer without bound.
 *
 * @module
 */

import { concatBytes } from "./bytes.ts";

/** What {@linkcode LineReader.readLine} returns. */
export type LineResult =
  /** A complete line, without its line terminator. */
  | { readonly kind: "line"; readonly line: string }
  /** A line longer than the limit; its bytes were discarded up to and including its newline. */
  | { readonly kind: "too-long"; readonly length: number }
  /** The stream ended (a partial last line without newline is dropped). */
  | { readonly kind: "end" };

/**
 * A pull source of chunks, read as a `ReadableStreamDefaultReader` is (one is one): for a
 * filter that need not be a whole `ReadableStream` of its own (a stream, its controller, its
 * reader and their promises per connection).
 *
 * @example
 * ```ts
 * import { type ChunkSource, LineReader } from "./line_reader.ts";
 * const source: ChunkSource = new Blob(["NOOP\r\n"]).stream().getReader();
 * console.log(await new LineReader(source).readLine()); // { kind: "line", line: "NOOP" }
 * ```
 */
export interface ChunkSource {
  /** The next chunk, or `done` at the end; rejects when the source failed. */
  read(): Promise<ReadableStreamReadResult<Uint8Array>>;
  /** Stop reading through this source (before a TLS upgrade). */
  releaseLock(): void;
  /** Give up the rest of the source. */
  cancel(reason?: unknown): Promise<void>;
}

/** Options for {@linkcode LineReader}. */
export interface LineReaderOptions {
  /** Longest accepted line in bytes, terminator excluded. @default 4096 */
  readonly maxLineLength?: number;
  /** Turns a line's bytes into text (see `protocol/encoding.ts`). @default UTF-8 */
  readonly decode?: (bytes: Uint8Array) => string;
}

const LF = 0x0a;
const CR = 0x0d;

// Shared by every reader without its own decoder (decode() without `stream` keeps no state).
const utf8 = new TextDecoder("utf-8");
const decodeUtf8 = (bytes: Uint8Array): string => utf8.decode(bytes);

/**
 * Line reader over a `ReadableStream<Uint8Array>`.
 *
 * @example
 * ```ts
 * import { LineReader } from "./line_reader.ts";
 * const bytes = new TextEncoder().encode("USER bob\r\nPASS x\r\n");
 * const lines = new LineReader(new Blob([bytes]).stream());
 * console.log(await lines.readLine()); // { kind: "line", line: "USER bob" }
 * ```
 */
export class LineReader {
  #reader: ChunkSource;
  #decode: (bytes: Uint8Array) => string;
  #max: number;
  #buffer: Uint8Array = new Uint8Array(0);
  #ended = false;

  /**
   * @param readable The byte stream (the reader takes its lock until
   *   {@linkcode LineReader.release}), or a reader-like source of chunks.
   * @param options Maximum line length and decoder.
   */
  constructor(readable: ReadableStream<Uint8Array> | ChunkSource, options: LineReaderOptions = {}) {
    this.#reader = "getReader" in readable ? readable.getReader() : readable;
    this.#max = options.maxLineLength ?? 4096;
    this.#decode = options.decode ?? decodeUtf8;
  }

  /**
   * Read the next line.
   *
   * @returns The line, a too-long marker, or end of stream.
   */
  async readLine(): Promise<LineResult> {
    let discarded = 0; // bytes of an overlong line thrown away so far
    while (true) {
      const newline = this.#buffer.indexOf(LF);
      if (newline >= 0) {
        const raw = this.#buffer.subarray(0, newline);
        this.#buffer = this.#buffer.subarray(newline + 1);
        const end = raw.length > 0 && raw[raw.length - 1] === CR ? raw.length - 1 : raw.length;
        if (discarded > 0 || end > this.#max) {
          return { kind: "too-long", length: discarded + end };
        }
        return { kind: "line", line: this.#decode(raw.subarray(0, end)) };
      }
      if (this.#buffer.length > this.#max + 1) {
        // Overlong and still no newline: drop what we have, keep skipping.
        discarded += this.#buffer.length;
        this.#buffer = new Uint8Array(0);
      }
      if (this.#ended) return { kind: "end" };
      const { value, done } = await this.#reader.read();
      if (done) {
        this.#ended = true;
        if (discarded > 0) return { kind: "too-long", length: discarded + this.#buffer.length };
        continue;
      }
      this.#buffer = this.#buffer.length === 0 ? value : concatBytes([this.#buffer, value]);
    }
  }

  /**
   * Give the stream back (before a TLS upgrade) and return bytes read ahead but not consumed.
   *
   * @returns The unconsumed bytes (empty when the peer respected the protocol).
   */
  release(): Uint8Array {
    this.#reader.releaseLock();
    const rest = this.#buffer;
    this.#buffer = new Uint8Array(0);
    return rest;
  }

  /** Cancel the underlying stream. */
  async cancel(): Promise<void> {
    await this.#reader.cancel().catch(() => {});
  }
}
