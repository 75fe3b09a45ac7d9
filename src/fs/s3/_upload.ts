/**
 * One object being written: bytes (and server-side copies of byte ranges of existing objects,
 * for append and in-place writes) become parts of a multipart upload, through one part buffer
 * being filled while at most one part is on the wire — memory stays at two parts whatever the
 * size. An object that fits in one part is a single PUT. Nothing is visible before
 * {@linkcode Upload.finish}; {@linkcode Upload.abort} (or any failure) removes every part.
 *
 * @module
 */

import type { S3Client } from "./_s3_client.ts";

/** The smallest part S3 accepts, except for the last one. */
export const MIN_PART = 5 * 1024 * 1024;
/** Largest part made by a server-side copy. */
const COPY_PART = 1024 * 1024 * 1024;
/** Most parts an upload may have. */
const MAX_PARTS = 10_000;
/** First capacity of the part buffer (grows up to the part size, so small files stay small). */
const FIRST_CAPACITY = 64 * 1024;
const ZEROS = new Uint8Array(64 * 1024);

/** A multipart (or single-PUT) upload of one key. */
export class Upload {
  readonly #client: S3Client;
  readonly #key: string;
  #partSize: number;
  #buf = new Uint8Array(0);
  #fill = 0;
  #uploadId: string | undefined;
  #etags: string[] = [];
  #inflight: Promise<void> = Promise.resolve();
  #done = false;

  /**
   * @param client The S3 client.
   * @param key Object key to create or replace.
   * @param partSize Size of the parts (at least {@linkcode MIN_PART}).
   */
  constructor(client: S3Client, key: string, partSize: number) {
    this.#client = client;
    this.#key = key;
    this.#partSize = Math.max(MIN_PART, partSize);
  }

  /**
   * Add bytes (copied: the caller may reuse its buffer).
   *
   * @param bytes The next bytes of the object.
   * @returns When buffered (or, if a part filled, when the previous part is stored).
   */
  async write(bytes: Uint8Array): Promise<void> {
    let at = 0;
    while (at < bytes.byteLength) {
      if (this.#fill === this.#buf.byteLength) this.#grow(bytes.byteLength - at);
      const n = Math.min(bytes.byteLength - at, this.#buf.byteLength - this.#fill);
      this.#buf.set(bytes.subarray(at, at + n), this.#fill);
      this.#fill += n;
      at += n;
      if (this.#fill === this.#partSize) await this.#flush();
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
   * when they make whole parts, read through the buffer otherwise.
   *
   * @param from Source key.
   * @param start First byte.
   * @param end Byte after the last.
   * @returns When added.
   */
  async copy(from: string, start: number, end: number): Promise<void> {
    while (start < end) {
      if (this.#fill === 0 && end - start >= MIN_PART) {
        let n = Math.min(end - start, COPY_PART);
        if (end - start - n < MIN_PART) n = end - start; // never leave a too-small middle part
        await this.#inflight;
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
    this.#done = true;
    if (this.#uploadId === undefined && this.#etags.length === 0) {
      await this.#client.put(this.#key, this.#buf.subarray(0, this.#fill));
      return;
    }
    if (this.#fill > 0) await this.#flush();
    await this.#inflight;
    await this.#client.completeMultipart(this.#key, this.#uploadId!, this.#etags);
  }

  /**
   * Drop the upload: no object appears and no part is left behind.
   *
   * @returns When the parts are gone.
   */
  async abort(): Promise<void> {
    this.#done = true;
    this.#buf = new Uint8Array(0);
    await this.#inflight.catch(() => {});
    if (this.#uploadId !== undefined) await this.#client.abortMultipart(this.#key, this.#uploadId);
  }

  #grow(wanted: number): void {
    const capacity = this.#etags.length > 0 || this.#uploadId !== undefined
      ? this.#partSize // a large file: take the whole part at once
      : Math.min(this.#partSize, Math.max(FIRST_CAPACITY, this.#buf.byteLength * 2, this.#fill + wanted));
    const grown = new Uint8Array(capacity);
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

  async #id(): Promise<string> {
    this.#uploadId ??= await this.#client.createMultipart(this.#key);
    return this.#uploadId;
  }

  async #flush(): Promise<void> {
    const body = this.#buf.subarray(0, this.#fill);
    this.#buf = new Uint8Array(0);
    this.#fill = 0;
    const id = await this.#id();
    await this.#inflight; // one part on the wire at a time, the next one filling meanwhile
    if (this.#done && body.byteLength === 0) return;
    const part = this.#nextPart();
    const sending = this.#client.uploadPart(this.#key, id, part, body).then((etag) => {
      this.#etags[part - 1] = etag;
    });
    sending.catch(() => {}); // awaited later; never an unhandled rejection
    this.#inflight = sending;
  }
}
