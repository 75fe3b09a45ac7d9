/**
 * One object being written. Bytes (and server-side copies of byte ranges of existing objects,
 * for append and in-place writes) become parts of a multipart upload: one part buffer being
 * filled while up to `partsInFlight` full parts are on the wire, so memory stays at
 * `partsInFlight + 1` parts whatever the size. An object that fits in one part is a single
 * PUT. With `streaming`, a plain write that outgrows one part becomes one PUT whose body is
 * streamed as it arrives (no parts, no part buffers); so does a write of a size announced up
 * front (FTP `ALLO`) larger than a part, as a PUT with that `Content-Length`, which every S3
 * server takes. Nothing is visible before
 * {@linkcode Upload.finish}; {@linkcode Upload.abort} (or any failure) cancels what is on the
 * wire and removes every part.
 *
 * @module
 */

import type { S3Client, StreamedPut } from "./_s3_client.ts";

/** The smallest part S3 accepts, except for the last one. */
export const MIN_PART = 5 * 1024 * 1024;
/** Largest part made by a server-side copy. */
const COPY_PART = 1024 * 1024 * 1024;
/** Largest object one PUT may store (S3's limit). */
const MAX_PUT = 5 * 1024 * 1024 * 1024;
/** Most parts an upload may have. */
const MAX_PARTS = 10_000;
/** First capacity of the part buffer (grows up to the part size, so small files stay small). */
const FIRST_CAPACITY = 64 * 1024;
const ZEROS = new Uint8Array(64 * 1024);

/** How an {@linkcode Upload} sends its bytes. */
export interface UploadOptions {
  /** Size of the parts (at least {@linkcode MIN_PART}). */
  readonly partSize: number;
  /** Parts on the wire at once, at least 1. */
  readonly partsInFlight: number;
  /** Past one part, stream the rest in one PUT of unknown length instead of parts. */
  readonly streaming: boolean;
}

/** A multipart, single-PUT or streamed-PUT upload of one key. */
export class Upload {
  readonly #client: S3Client;
  readonly #key: string;
  #partSize: number;
  readonly #inFlightMax: number;
  #streaming: boolean;
  #buf = new Uint8Array(0);
  #fill = 0;
  /**
   * Part buffers whose upload is done, for the next parts: a fresh 8 MiB buffer per part costs
   * its page faults and garbage collections on the thread that reads the data connection.
   */
  readonly #spare: Uint8Array<ArrayBuffer>[] = [];
  #uploadId: Promise<string> | undefined;
  #etags: string[] = [];
  readonly #inflight = new Set<Promise<void>>();
  #failure: { error: unknown } | undefined;
  readonly #cancel = new AbortController();
  #put: { put: StreamedPut; writer: WritableStreamDefaultWriter<Uint8Array> } | undefined;
  #done = false;
  /** The size announced up front, if any: then exactly that many bytes must come. */
  readonly #size: number | undefined;
  /** That size is above one part and within one PUT: the bytes go out as one sized PUT. */
  readonly #sizedPut: boolean;
  /** Bytes given to {@linkcode write} so far. */
  #written = 0;
  /** The chunk that completed the announced size, sent by {@linkcode finish}. */
  #last: Uint8Array | undefined;

  /**
   * @param client The S3 client.
   * @param key Object key to create or replace.
   * @param options Part size, parts in flight, streaming.
   * @param size The object's size, when announced before the bytes (a plain write only): the
   *   upload then fails unless exactly that many bytes are written.
   */
  constructor(client: S3Client, key: string, options: UploadOptions, size?: number) {
    this.#client = client;
    this.#key = key;
    this.#partSize = Math.max(MIN_PART, options.partSize);
    this.#inFlightMax = Math.max(1, Math.floor(options.partsInFlight));
    this.#streaming = options.streaming;
    this.#size = size;
    this.#sizedPut = size !== undefined && size > this.#partSize && size <= MAX_PUT;
  }

  /**
   * Add bytes. Copied into the part buffer (the caller may reuse its buffer), except once a
   * streamed PUT has started: then the chunk itself is sent and must not change.
   *
   * @param bytes The next bytes of the object.
   * @returns When buffered (or, when a part filled and `partsInFlight` parts are on the wire,
   *   when one of them is stored; streaming: when the chunk went to the connection).
   */
  async write(bytes: Uint8Array): Promise<void> {
    this.#check();
    this.#written += bytes.byteLength;
    if (this.#size !== undefined && this.#written > this.#size) {
      throw new RangeError(`more bytes arrived than the ${this.#size} announced (ALLO): nothing stored`);
    }
    if (this.#sizedPut) {
      // The length is known: one PUT with that Content-Length, streamed from the first byte —
      // but for the last bytes, held back until finish(): S3 stores an object as soon as it
      // has every byte, and one more write (too many) must still be able to cancel it.
      if (this.#written === this.#size) this.#last = bytes;
      else if (this.#put) await this.#send((w) => w.write(bytes));
      else await this.#startStream(bytes, this.#size);
      return;
    }
    if (this.#put) return await this.#send((w) => w.write(bytes));
    let at = 0;
    while (at < bytes.byteLength) {
      if (this.#fill === this.#buf.byteLength) this.#grow(bytes.byteLength - at);
      const n = Math.min(bytes.byteLength - at, this.#buf.byteLength - this.#fill);
      this.#buf.set(bytes.subarray(at, at + n), this.#fill);
      this.#fill += n;
      at += n;
      if (this.#fill === this.#partSize) {
        if (this.#streaming && this.#etags.length === 0) {
          const first = this.#buf.subarray(0, this.#fill);
          this.#buf = new Uint8Array(0);
          this.#fill = 0;
          await this.#startStream(first);
          if (at < bytes.byteLength) await this.#send((w) => w.write(bytes.subarray(at)));
          return;
        }
        await this.#flush();
      }
    }
  }

  /**
   * Add `count` NUL bytes.
   *
   * @param count How many.
   * @returns When buffered.
   */
  async zeros(count: number): Promise<void> {
    for (let left = count; left > 0; left -= ZEROS.byteLength) {
      await this.write(left >= ZEROS.byteLength ? ZEROS : ZEROS.subarray(0, left));
    }
  }

  /**
   * Add the bytes `start` to `end` (exclusive) of an existing object: copied by the server
   * when they make whole parts, read through the buffer otherwise. (A composed object is
   * always a multipart upload: no streamed PUT.)
   *
   * @param from Source key.
   * @param start First byte.
   * @param end Byte after the last.
   * @returns When added.
   */
  async copy(from: string, start: number, end: number): Promise<void> {
    this.#streaming = false;
    while (start < end) {
      this.#check();
      if (this.#fill === 0 && end - start >= MIN_PART) {
        let n = Math.min(end - start, COPY_PART);
        if (end - start - n < MIN_PART) n = end - start; // never leave a too-small middle part
        const part = this.#nextPart();
        const id = await this.#id();
        this.#etags[part - 1] = await this.#client.uploadPartCopy(this.#key, id, part, from, [start, start + n - 1]);
        start += n;
        continue;
      }
      // Read through the buffer: up to the next part boundary, or the whole small rest.
      const n = this.#fill === 0 ? end - start : Math.min(end - start, this.#partSize - this.#fill);
      const res = await this.#client.getRange(from, start, start + n - 1);
      const reader = res.body!.getReader();
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        await this.write(value);
      }
      start += n;
    }
  }

  /**
   * Store what is buffered and make the object appear.
   *
   * @returns When the object exists.
   */
  async finish(): Promise<void> {
    this.#check();
    if (this.#size !== undefined && this.#written !== this.#size) {
      throw new RangeError(`${this.#written} of the ${this.#size} bytes announced (ALLO) arrived: nothing stored`);
    }
    this.#done = true;
    const last = this.#last;
    this.#last = undefined;
    if (last !== undefined && this.#put) await this.#send((w) => w.write(last));
    else if (last !== undefined) await this.#startStream(last, this.#size);
    if (this.#put) {
      await this.#send((w) => w.close());
      return await this.#put.put.done;
    }
    if (this.#uploadId === undefined && this.#etags.length === 0) {
      await this.#client.put(this.#key, this.#buf.subarray(0, this.#fill));
      return;
    }
    if (this.#fill > 0) await this.#flush();
    await Promise.all(this.#inflight);
    this.#check();
    await this.#client.completeMultipart(this.#key, await this.#id(), this.#etags);
  }

  /**
   * Drop the upload: what is on the wire is cancelled, no object appears and no part is left
   * behind.
   *
   * @returns When the parts are gone.
   */
  async abort(): Promise<void> {
    this.#done = true;
    this.#buf = new Uint8Array(0);
    this.#failure ??= { error: new Error("upload aborted") };
    this.#cancel.abort(this.#failure.error);
    if (this.#put) {
      await this.#put.writer.abort(this.#failure.error).catch(() => {});
      await this.#put.put.done.catch(() => {});
    }
    await Promise.allSettled(this.#inflight);
    const id = await this.#uploadId?.catch(() => undefined);
    if (id !== undefined) await this.#client.abortMultipart(this.#key, id);
  }

  /** Throw the first failure of a part in flight or of the streamed PUT. */
  #check(): void {
    if (this.#failure) throw this.#failure.error;
  }

  #grow(wanted: number): void {
    const capacity = this.#etags.length > 0 || this.#uploadId !== undefined
      ? this.#partSize // a large file: take the whole part at once
      : Math.min(this.#partSize, Math.max(FIRST_CAPACITY, this.#buf.byteLength * 2, this.#fill + wanted));
    const spare = this.#spare.pop();
    const grown = spare?.byteLength === capacity ? spare : new Uint8Array(capacity);
    grown.set(this.#buf.subarray(0, this.#fill));
    this.#buf = grown;
  }

  #nextPart(): number {
    const part = this.#etags.length + 1;
    if (part > MAX_PARTS) throw new RangeError(`more than ${MAX_PARTS} parts: raise the part size`);
    this.#etags.push("");
    // Keep 10 000 parts enough for 5 TiB: double the part size every 1000 parts.
    if (part % 1000 === 0) this.#partSize = Math.min(this.#partSize * 2, COPY_PART);
    return part;
  }

  #id(): Promise<string> {
    if (this.#uploadId === undefined) {
      this.#uploadId = this.#client.createMultipart(this.#key);
      this.#uploadId.catch(() => {}); // awaited by whoever needs it; never unhandled
    }
    return this.#uploadId;
  }

  /** Begin the streamed PUT (of `length` bytes, when known) with `first` as its first chunk. */
  async #startStream(first: Uint8Array, length?: number): Promise<void> {
    const put = this.#client.putStream(this.#key, this.#cancel.signal, length);
    const writer = put.writable.getWriter();
    this.#put = { put, writer };
    // An answer before the body ended is a refusal: fail the pending and next writes with it.
    put.done.catch((error) => {
      this.#failure ??= { error };
      writer.abort(error).catch(() => {});
    });
    await this.#send((w) => w.write(first));
  }

  /**
   * Write to (or close) the streamed body. When that fails (the server answered early, or
   * the body was cancelled), the request is cancelled and the answer, if there was one, is
   * the error: an S3 refusal such as 411 rather than a bare stream error.
   */
  async #send(op: (writer: WritableStreamDefaultWriter<Uint8Array>) => Promise<void>): Promise<void> {
    const { put, writer } = this.#put!;
    try {
      await op(writer);
    } catch (e) {
      this.#cancel.abort(e);
      await put.done.catch(() => {});
      throw this.#failure?.error ?? e;
    }
  }

  /**
   * Send the full buffer as the next part once fewer than `partsInFlight` are on the wire.
   * Its request is signed while it waits: signing is asynchronous (Web Crypto), and made
   * after the slot freed it left the connection to S3 idle 5–36 ms per part (measured on Node
   * while the data connection's reads kept the thread busy).
   */
  async #flush(): Promise<void> {
    const whole = this.#buf;
    const body = whole.subarray(0, this.#fill);
    this.#buf = new Uint8Array(0);
    this.#fill = 0;
    const id = await this.#id();
    if (this.#done && body.byteLength === 0) return this.#check();
    const part = this.#nextPart(); // may throw (too many parts): before the slot is awaited
    const slot = this.#slot();
    const sending = this.#client.uploadPart(this.#key, id, part, body, { signal: this.#cancel.signal, after: slot })
      .then((etag) => {
        this.#etags[part - 1] = etag;
        // Stored: nothing reads the bytes any more (a retry would have happened inside).
        if (whole.byteLength === this.#partSize) this.#spare.push(whole);
      }, (error) => {
        this.#failure ??= { error };
      });
    await slot;
    const tracked = sending.finally(() => this.#inflight.delete(tracked));
    this.#inflight.add(tracked);
  }

  /** Resolves when fewer than `partsInFlight` parts are on the wire; rejects once one failed. */
  async #slot(): Promise<void> {
    while (this.#inflight.size >= this.#inFlightMax) await Promise.race(this.#inflight);
    this.#check();
  }
}
