/**
 * Byte helpers of the tests, one of each: text to bytes and back, read a stream to the end,
 * write and half-close, SHA-256 of bytes and of a file, random bytes and random files.
 *
 * @module
 */

import { createHash, randomBytes } from "node:crypto";
import { createReadStream } from "node:fs";
import { mkdir, open, readFile } from "node:fs/promises";
import { dirname } from "node:path";
import type { Conn } from "../../src/net/types.ts";
import { readAll } from "../../src/testing/_bytes.ts";

/** Read a stream to the end (the one implementation, shared with `anyftp/testing`). */
export { readAll };

/** Bytes of a string (UTF-8). */
export function bytes(text: string): Uint8Array {
  return new TextEncoder().encode(text);
}

/** String of bytes (UTF-8). */
export function text(data: Uint8Array): string {
  return new TextDecoder().decode(data);
}

/** `size` random bytes (a plain Uint8Array, not a Node Buffer). */
export function randomData(size: number): Uint8Array {
  return new Uint8Array(randomBytes(size));
}

/** Write bytes to a data connection and half-close it. */
export async function writeAll(conn: Conn, data: Uint8Array): Promise<void> {
  const writer = conn.writable.getWriter();
  if (data.length > 0) await writer.write(data);
  await writer.close();
}


/**
 * SHA-256 of bytes, hex.
 *
 * @param data the bytes
 * @returns lowercase hex digest
 * @example
 * ```ts
 * sha256(new TextEncoder().encode("x"));
 * ```
 */
export function sha256(data: Uint8Array | string): string {
  return createHash("sha256").update(data).digest("hex");
}

/**
 * SHA-256 of a file, streamed (works for 100 MiB without holding it in memory).
 *
 * @param path the file
 * @returns lowercase hex digest
 * @example
 * ```ts
 * await sha256File("/tmp/x.bin");
 * ```
 */
export async function sha256File(path: string): Promise<string> {
  const hash = createHash("sha256");
  for await (const chunk of createReadStream(path, { highWaterMark: 1 << 20 })) {
    hash.update(chunk as Uint8Array);
  }
  return hash.digest("hex");
}

/**
 * Writes `size` random bytes to a new file.
 *
 * @param path the file (created or truncated)
 * @param size bytes
 * @returns the SHA-256 of what was written
 * @example
 * ```ts
 * const digest = await writeRandomFile("/tmp/r.bin", 1 << 20);
 * ```
 */
export async function writeRandomFile(path: string, size: number): Promise<string> {
  await mkdir(dirname(path), { recursive: true });
  const hash = createHash("sha256");
  const fh = await open(path, "w");
  try {
    let left = size;
    while (left > 0) {
      const chunk = randomBytes(Math.min(left, 4 << 20));
      hash.update(chunk);
      await fh.write(chunk);
      left -= chunk.byteLength;
    }
  } finally {
    await fh.close();
  }
  return hash.digest("hex");
}

/**
 * Reads a whole file as bytes.
 *
 * @param path the file
 * @returns its bytes
 * @example
 * ```ts
 * const bytes = await readBytes("/tmp/x");
 * ```
 */
export async function readBytes(path: string): Promise<Uint8Array> {
  return new Uint8Array(await readFile(path));
}

