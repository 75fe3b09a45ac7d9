/**
 * LocalPathIO's file streams: a small file read whole, a pull-based read stream over a file
 * handle (buffers sized by what is left), and a write stream that gathers queued chunks into
 * one `writev` while the previous write is in flight.
 *
 * @module
 */

import * as fs from "node:fs";
import { constants } from "node:fs";
import type * as fsp from "node:fs/promises";
import { Buffer } from "node:buffer";
import { toPathIOError } from "./_errno.ts";

const NOFOLLOW = constants.O_NOFOLLOW ?? 0;
const MIN_READ = 64 * 1024;

/**
 * Read a small file's bytes from `start` synchronously: open, one read of `expected + 1`
 * bytes, close. `undefined` when the read filled the buffer (the file grew meanwhile).
 */
export function readSmall(real: string, start: number, expected: number): Uint8Array | undefined {
  const fd = fs.openSync(real, constants.O_RDONLY | NOFOLLOW);
  try {
    const buffer = new Uint8Array(Math.max(0, expected) + 1);
    const n = fs.readSync(fd, buffer, 0, buffer.byteLength, start);
    return n < buffer.byteLength ? buffer.subarray(0, n) : undefined;
  } finally {
    fs.closeSync(fd);
  }
}

/** A stream of bytes already in memory (one chunk, none when empty). */
export function bytesStream(bytes: Uint8Array): ReadableStream<Uint8Array> {
  return new ReadableStream<Uint8Array>({
    start(controller) {
      if (bytes.byteLength > 0) controller.enqueue(bytes);
      controller.close();
    },
  });
}

/** A read stream over `handle` from `start`, `sizeHint` bytes expected, chunks up to `chunk`. */
export function readableOf(
  handle: fsp.FileHandle,
  path: string,
  start: number,
  sizeHint: number,
  chunk: number,
): ReadableStream<Uint8Array> {
  let position = start;
  let closed = false;
  const release = async () => {
    if (closed) return;
    closed = true;
    await handle.close().catch(() => {});
  };
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      try {
        // Size the buffer by what is left plus one byte, so the read that gets the last
        // bytes also shows the end (a short read) and a small file costs neither a whole
        // chunk nor a second call; past the expected size (the file grew), MIN_READ.
        const want = Math.min(chunk, position < sizeHint ? sizeHint - position + 1 : MIN_READ);
        // allocUnsafeSlow: never pooled (a consumer may keep or transfer the buffer), not zeroed.
        const buffer = Buffer.allocUnsafeSlow(want);
        const { bytesRead } = await handle.read(buffer, 0, want, position);
        position += bytesRead;
        if (bytesRead > 0) {
          controller.enqueue(new Uint8Array(buffer.buffer, buffer.byteOffset, bytesRead));
        }
        // A short read of a regular file means end of file: close without one more call.
        // The reader hears of the end first; the file closes right after (a thread-pool
        // round trip the transfer need not wait for).
        if (bytesRead < want) {
          controller.close();
          void release();
        }
      } catch (e) {
        await release();
        controller.error(toPathIOError("read", path, e));
      }
    },
    async cancel() {
      await release();
    },
  }, { highWaterMark: 1 });
}

/**
 * Bytes a write stream accepts ahead of the file: chunks queue behind the write in flight and
 * go out together in one `writev`, so the producer (a socket) keeps reading while the thread
 * pool writes, and a file gets few large writes instead of one per 64 KiB socket chunk.
 */
const WRITE_BEHIND = 1024 * 1024;

/** `chunks` without their first `n` bytes (after a short `writev`). */
function dropBytes(chunks: Uint8Array[], n: number): Uint8Array[] {
  let i = 0;
  while (i < chunks.length && n >= chunks[i]!.byteLength) n -= chunks[i++]!.byteLength;
  const rest = chunks.slice(i);
  if (n > 0 && rest.length) rest[0] = rest[0]!.subarray(n);
  return rest;
}

/**
 * A write stream over `handle` at `start` (`null`: append). A write resolves once its chunk
 * is queued (up to {@linkcode WRITE_BEHIND} bytes ahead of the file; in append mode once it
 * is in the file), so the chunk must not be changed after it was written; `close` resolves
 * when every byte is in the file, `abort` writes what was queued and closes, and a failed
 * write fails the next write or the close.
 */
export function writableOf(
  handle: fsp.FileHandle,
  path: string,
  start: number | null,
): WritableStream<Uint8Array> {
  let position = start;
  let closed = false;
  let queued: Uint8Array[] = [];
  let queuedBytes = 0;
  let flushing: Promise<void> | undefined;
  let failure: unknown;
  const release = async () => {
    if (closed) return;
    closed = true;
    await handle.close();
  };
  const writeAll = async (chunks: Uint8Array[]) => {
    while (chunks.length) {
      const { bytesWritten } = await handle.writev(chunks, position ?? undefined);
      if (position !== null) position += bytesWritten;
      chunks = dropBytes(chunks, bytesWritten);
    }
  };
  const flush = async () => {
    while (queued.length && failure === undefined) {
      const batch = queued;
      queued = [];
      queuedBytes = 0;
      try {
        await writeAll(batch);
      } catch (e) {
        await fail(e);
      }
    }
    flushing = undefined;
  };
  const fail = async (e: unknown) => {
    failure ??= toPathIOError("write", path, e);
    queued = [];
    // The sink's close/abort are not called after a failed write: close the file here.
    await release().catch(() => {});
  };
  return new WritableStream<Uint8Array>({
    async write(bytes) {
      if (failure !== undefined) throw failure;
      if (!(bytes instanceof Uint8Array)) {
        await flushing;
        await fail(new TypeError("chunks must be Uint8Array"));
        throw failure;
      }
      if (bytes.byteLength === 0) return;
      queued.push(bytes);
      queuedBytes += bytes.byteLength;
      flushing ??= flush();
      // Bounded in bytes, and in chunks (one writev takes at most IOV_MAX buffers at once).
      // Appends wait for their bytes: another writer's append that starts after this write
      // resolved must land after them (the thread pool would order two queues at random).
      if (start === null || queuedBytes >= WRITE_BEHIND || queued.length >= 1024) await flushing;
      if (failure !== undefined) throw failure;
    },
    async close() {
      await flushing;
      if (failure !== undefined) throw failure;
      try {
        await release();
      } catch (e) {
        throw toPathIOError("close", path, e); // e.g. a deferred ENOSPC on network file systems
      }
    },
    // What was accepted is still written before the file closes: a download cut short keeps
    // every byte it received, so a resume (REST) continues from the local size.
    async abort() {
      if (queued.length) flushing ??= flush();
      await flushing;
      await release().catch(() => {});
    },
  });
}
