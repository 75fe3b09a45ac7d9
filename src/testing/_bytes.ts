/**
 * Byte-stream helpers of the conformance suites: write and read text on a connection, pump
 * and drain bulk data with a running digest. Only web globals, so the suites run on any
 * runtime.
 *
 * @module
 */
import type { Conn } from "../net/types.ts";
import { concatBytes } from "../streams/bytes.ts";

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** What went through a stream: its length and a 64-bit digest (two FNV-1a variants, hex). */
export interface StreamDigest {
  /** Byte count. */
  readonly bytes: number;
  /** Hex digest of the bytes in order; equal streams give equal digests. */
  readonly digest: string;
}

/** A running digest: FNV-1a 32 twice, with different offsets and primes (not cryptographic). */
class Digest {
  #a = 0x811c9dc5;
  #b = 0x3b9f1d6b;
  bytes = 0;

  update(chunk: Uint8Array): void {
    let a = this.#a;
    let b = this.#b;
    for (let i = 0; i < chunk.length; i++) {
      const byte = chunk[i]!;
      a = Math.imul(a ^ byte, 0x01000193);
      b = Math.imul(b ^ byte, 0x0100019d);
    }
    this.#a = a;
    this.#b = b;
    this.bytes += chunk.length;
  }

  result(): StreamDigest {
    const hex = (n: number) => (n >>> 0).toString(16).padStart(8, "0");
    return { bytes: this.bytes, digest: hex(this.#a) + hex(this.#b) };
  }
}

/**
 * Write `text` through a short-lived writer.
 *
 * @param conn The connection.
 * @param text Sent as UTF-8.
 * @returns When the write is done.
 */
export async function writeText(conn: Conn, text: string): Promise<void> {
  const writer = conn.writable.getWriter();
  try {
    await writer.write(encoder.encode(text));
  } finally {
    writer.releaseLock();
  }
}

/**
 * Read exactly `length` bytes (fails at end of stream or when more arrive in the same read)
 * and decode them.
 *
 * @param conn The connection.
 * @param length Bytes to read.
 * @returns The UTF-8 text.
 */
export async function readText(conn: Conn, length: number): Promise<string> {
  const reader = conn.readable.getReader();
  const parts: Uint8Array[] = [];
  let got = 0;
  try {
    // Bounded: every round consumes at least one byte or ends.
    while (got < length) {
      const { value, done } = await reader.read();
      if (done) throw new Error(`stream ended after ${got} of ${length} bytes`);
      parts.push(value);
      got += value.byteLength;
    }
  } finally {
    reader.releaseLock();
  }
  if (got !== length) throw new Error(`read ${got} bytes, wanted ${length} (read ahead)`);
  return decoder.decode(concatBytes(parts));
}

/**
 * Read a stream to its end.
 *
 * @param readable The stream.
 * @returns Everything it carried.
 */
export async function readAll(readable: ReadableStream<Uint8Array>): Promise<Uint8Array> {
  const parts: Uint8Array[] = [];
  const reader = readable.getReader();
  // Bounded by the stream: every round consumes a chunk or ends.
  for (;;) {
    const { done, value } = await reader.read();
    if (done) return concatBytes(parts);
    parts.push(value);
  }
}

/**
 * Read a stream to its end, failing past `limit` bytes.
 *
 * @param readable The stream (its lock is released afterwards).
 * @param limit Most bytes accepted.
 * @returns Byte count and digest.
 */
export async function drain(
  readable: ReadableStream<Uint8Array>,
  limit: number,
): Promise<StreamDigest> {
  const digest = new Digest();
  const reader = readable.getReader();
  try {
    // Bounded by `limit`.
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      digest.update(value);
      if (digest.bytes > limit) throw new Error(`more than ${limit} bytes arrived`);
    }
  } finally {
    reader.releaseLock();
  }
  return digest.result();
}

/**
 * Write `total` bytes of pseudo-random data in fresh `chunkSize` chunks (adapters may keep a
 * reference to a written chunk), then close.
 *
 * @param writable The stream.
 * @param total Bytes to write.
 * @param chunkSize Bytes per write. @default 1 MiB
 * @returns Byte count and digest of what was written.
 */
export async function pump(
  writable: WritableStream<Uint8Array>,
  total: number,
  chunkSize = 1 << 20,
): Promise<StreamDigest> {
  const digest = new Digest();
  const pattern = new Uint8Array(chunkSize);
  for (let i = 0; i < chunkSize; i++) pattern[i] = (i * 2654435761) >>> 24;
  const writer = writable.getWriter();
  for (let n = 0; digest.bytes < total; n++) {
    const chunk = pattern.slice(0, Math.min(chunkSize, total - digest.bytes));
    if (chunk.byteLength >= 4) new DataView(chunk.buffer).setUint32(0, n); // no two chunks alike
    digest.update(chunk);
    await writer.write(chunk);
  }
  await writer.close();
  return digest.result();
}
