/**
 * {@linkcode PathIO} on an S3 bucket (AWS S3 or a compatible server: MinIO, Ceph RGW,
 * OpenStack Swift's s3api, …), runtime-free: `fetch` and Web Crypto only, no dependency.
 *
 * How FTP meets object storage:
 * - A directory is a key prefix; `mkdir` stores an empty marker object `dir/` so that an
 *   empty directory exists. Prefixes other tools made without markers are directories too.
 * - `list` streams paginated ListObjectsV2 pages (1000 keys at a time, never the whole bucket).
 * - `stat` reads object metadata (HEAD); directories report the time of their marker, or the
 *   epoch when they have none.
 * - `openRead` with an offset is a ranged GET (REST + RETR).
 * - `openWrite` is a multipart upload with bounded part buffers (`partsInFlight` parts on the
 *   wire while the next one fills: `partsInFlight + 1` parts in memory at most), or with
 *   `streamingUpload` one PUT streamed as the bytes come; a file that fits in one part is a
 *   single PUT. A write whose size was announced (`size`: FTP `ALLO` before a binary STOR, as
 *   lftp sends by default) is one PUT with that `Content-Length`, streamed. The object appears only when the upload completes, and an aborted write
 *   leaves no object and no parts. Append and offset writes compose the new object from server-side copies of
 *   the old one plus the new bytes; the object is replaced when the write completes, so two
 *   concurrent appenders do not see each other (the last to finish wins).
 * - `rename` is copy + delete (a directory: every key under it, page by page).
 * - No `setMtime` or `chmod`: the server answers MFMT and SITE CHMOD with 502.
 * - S3 errors become {@linkcode PathIOError}s with the {@linkcode S3Error} as `cause`:
 *   NoSuchKey → `"not-found"` (550), AccessDenied → `"permission"` (550), and throttling
 *   (SlowDown, 503) and server errors are retried with exponential backoff before they
 *   become `"io"` (451).
 *
 * @module
 */

import { PathIOError, type PathIOErrorKind } from "../../errors.ts";
import { checkOffset, fail } from "../_fail.ts";
import { virtualPathSegments } from "../../protocol/virtual_path.ts";
import type { DirEntry, FileStat, OpenWriteOptions, PathIO } from "../path_io.ts";
import { type FetchLike, type ObjectInfo, S3Client } from "./_s3_client.ts";
import type { S3Credentials } from "./_sigv4.ts";
import { Upload, type UploadOptions } from "./_upload.ts";
import { S3Error } from "./s3_error.ts";



/**
 * Options for {@linkcode S3PathIO}.
 *
 * @example
 * ```ts
 * import type { S3PathIOOptions } from "./s3_path_io.ts";
 * const options: S3PathIOOptions = {
 *   endpoint: "http://127.0.0.1:9000",
 *   bucket: "ftp",
 *   prefix: "users/alice",
 *   credentials: { accessKeyId: "AKIA...", secretAccessKey: "..." },
 * };
 * ```
 */
export interface S3PathIOOptions {
  /** Bucket name. */
  readonly bucket: string;
  /** Key prefix that becomes `/` (e.g. `users/alice`). @default "" (the whole bucket) */
  readonly prefix?: string | undefined;
  /** Service URL. @default `https://s3.<region>.amazonaws.com` */
  readonly endpoint?: string | undefined;
  /** Signing region. @default "us-east-1" */
  readonly region?: string | undefined;
  /** Access key, secret and optional session token. */
  readonly credentials: S3Credentials;
  /**
   * Path-style addressing (`endpoint/bucket/key`) instead of virtual-hosted
   * (`bucket.endpoint/key`). Most S3-compatible servers need path style. @default true
   */
  readonly pathStyle?: boolean | undefined;
  /**
   * Size of the parts of an upload (at least 5 MiB); `partsInFlight + 1` of them are in
   * memory per open write at most. @default 8388608
   */
  readonly partSize?: number | undefined;
  /**
   * Parts of one multipart upload sent at once (while the next part fills). More hide each
   * part's latency and cost a part of memory each. @default 4
   */
  readonly partsInFlight?: number | undefined;
  /**
   * Send a plain write larger than one part as a single PUT whose body is streamed as it
   * arrives (`Transfer-Encoding: chunked`, no `Content-Length`, payload `UNSIGNED-PAYLOAD`)
   * instead of a multipart upload: no part buffers, and as fast as one direct PUT. Only for
   * servers that accept a PUT of unknown length: OpenStack Swift's s3api does; AWS S3 and
   * others answer 411 (MissingContentLength), which fails the transfer. A streamed PUT is not
   * retried (its body cannot be sent again). Append and offset writes stay multipart.
   * @default false
   */
  readonly streamingUpload?: boolean | undefined;
  /**
   * Store a write whose size was announced (`OpenWriteOptions.size`, from FTP `ALLO`) and is
   * larger than one part as one PUT with that `Content-Length`, streamed as the bytes come,
   * instead of a multipart upload. Node's and Bun's `fetch` send the length; Deno's sends a
   * streamed body chunked whatever the header says, which Swift's s3api takes and AWS S3
   * refuses (411): set `false` for a server on Deno in front of AWS S3. @default true
   */
  readonly sizedUpload?: boolean | undefined;
  /** Tries per request for throttling (SlowDown, 503), server and network errors. @default 4 */
  readonly maxAttempts?: number | undefined;
  /** First retry delay in ms; doubles per retry, with jitter. @default 200 */
  readonly retryDelay?: number | undefined;
  /** @deprecated The 0.1 name: use `retryDelay` (durations are in ms without a suffix, as everywhere). */
  readonly retryDelayMs?: number | undefined;
  /** Longest wait for a response's headers, per attempt, in ms (then retried). @default 120000 */
  readonly requestTimeout?: number | undefined;
  /** @deprecated The 0.1 name: use `requestTimeout`. */
  readonly requestTimeoutMs?: number | undefined;
  /** Keys per ListObjectsV2 page (1 to 1000). @default 1000 */
  readonly listPageSize?: number | undefined;
  /** Copies or deletes in flight while renaming a directory. @default 8 */
  readonly concurrency?: number | undefined;
  /** The `fetch` to use (for proxies or tests). @default globalThis.fetch */
  readonly fetch?: FetchLike | undefined;
}

type Found = { type: "file"; info: ObjectInfo } | { type: "dir"; mtime: Date };

const EPOCH = new Date(0);

/**
 * Storage on an S3 bucket implementing {@linkcode PathIO}. One instance can back many sessions,
 * and many servers can share one bucket (every state is in the bucket).
 *
 * @example
 * ```ts
 * import { S3PathIO } from "./s3_path_io.ts";
 * const fs = new S3PathIO({
 *   endpoint: "http://127.0.0.1:9000",
 *   bucket: "ftp",
 *   credentials: { accessKeyId: "minio", secretAccessKey: "minio123" },
 * });
 * for await (const entry of fs.list("/")) console.log(entry.name, entry.stat.size);
 * ```
 */
export class S3PathIO implements PathIO {
  readonly #client: S3Client;
  readonly #prefix: string;
  readonly #upload: UploadOptions;
  readonly #concurrency: number;
  readonly #page: number;
  readonly #sized: boolean;

  /**
   * Create a storage on one bucket (and key prefix). Nothing is sent until the first call.
   *
   * @param options Bucket, prefix, endpoint, region, credentials, addressing, part size, retries.
   */
  constructor(options: S3PathIOOptions) {
    const region = options.region ?? "us-east-1";
    this.#client = new S3Client({
      endpoint: options.endpoint ?? `https://s3.${region}.amazonaws.com`,
      region,
      bucket: options.bucket,
      credentials: options.credentials,
      pathStyle: options.pathStyle ?? true,
      fetch: options.fetch ?? ((url, init) => fetch(url, init)),
      maxAttempts: Math.max(1, options.maxAttempts ?? 4),
      // The deprecated 0.1 names are mapped here and nowhere else.
      retryDelayMs: Math.max(0, options.retryDelay ?? options.retryDelayMs ?? 200),
      timeoutMs: Math.max(1, options.requestTimeout ?? options.requestTimeoutMs ?? 120_000),
    });
    const prefix = (options.prefix ?? "").split("/").filter((s) => s !== "").join("/");
    this.#prefix = prefix === "" ? "" : `${prefix}/`;
    this.#upload = {
      partSize: options.partSize ?? 8 * 1024 * 1024,
      partsInFlight: options.partsInFlight ?? 4, // Upload keeps it at 1 or more
      streaming: options.streamingUpload ?? false,
    };
    this.#concurrency = Math.max(1, options.concurrency ?? 8);
    this.#sized = options.sizedUpload ?? true;
    this.#page = Math.min(1000, Math.max(1, Math.floor(options.listPageSize ?? 1000)));
  }

  /** The bucket. */
  get bucket(): string {
    return this.#client.bucket;
  }

  /** The key prefix that is `/` (empty, or ending in `/`). */
  get prefix(): string {
    return this.#prefix;
  }

  /**
   * Metadata of a path.
   *
   * @param path Virtual path.
   * @returns Its {@linkcode FileStat}.
   */
  stat(path: string): Promise<FileStat> {
    return this.#run("stat", path, async (segs) => statOf(await this.#find("stat", path, segs)));
  }

  /**
   * Whether the path exists.
   *
   * @param path Virtual path.
   * @returns `true` for a file or directory.
   */
  exists(path: string): Promise<boolean> {
    return this.#run("exists", path, async (segs) => (await this.#lookup(segs)) !== undefined);
  }

  /**
   * Whether the path is a file (an object).
   *
   * @param path Virtual path.
   * @returns `true` for a file.
   */
  isFile(path: string): Promise<boolean> {
    return this.#run("isFile", path, async (segs) => (await this.#lookup(segs))?.type === "file");
  }

  /**
   * Whether the path is a directory (a prefix).
   *
   * @param path Virtual path.
   * @returns `true` for a directory.
   */
  isDir(path: string): Promise<boolean> {
    return this.#run("isDir", path, async (segs) => (await this.#lookup(segs))?.type === "dir");
  }

  /**
   * Create a directory: an empty marker object `dir/`.
   *
   * @param path Virtual path.
   * @param options `parents`: create missing parents and accept an existing directory.
   * @returns When done.
   */
  mkdir(path: string, options: { parents?: boolean } = {}): Promise<void> {
    return this.#run("mkdir", path, async (segs) => {
      if (segs.length === 0) {
        if (!options.parents) fail("mkdir", path, "exists");
        return;
      }
      if (!options.parents) {
        await this.#needDir("mkdir", path, segs.slice(0, -1));
        if ((await this.#lookup(segs)) !== undefined) fail("mkdir", path, "exists");
        await this.#client.put(this.#dirKey(segs), new Uint8Array(0));
        return;
      }
      let missing = false;
      for (let i = 1; i <= segs.length; i++) {
        const part = segs.slice(0, i);
        if (!missing) {
          const found = await this.#lookup(part);
          if (found?.type === "file") fail("mkdir", path, i === segs.length ? "exists" : "not-a-directory");
          if (found?.type === "dir") continue;
          missing = true;
        }
        await this.#client.put(this.#dirKey(part), new Uint8Array(0));
      }
    });
  }

  /**
   * Remove an empty directory (its marker). The root cannot be removed.
   *
   * @param path Virtual path.
   * @returns When done.
   */
  rmdir(path: string): Promise<void> {
    return this.#run("rmdir", path, async (segs) => {
      if (segs.length === 0) fail("rmdir", path, "permission");
      const found = await this.#find("rmdir", path, segs);
      if (found.type !== "dir") fail("rmdir", path, "not-a-directory");
      const marker = this.#dirKey(segs);
      const page = await this.#client.list({ prefix: marker, maxKeys: 2 });
      if (page.objects.some((o) => o.key !== marker)) fail("rmdir", path, "not-empty");
      await this.#client.delete(marker);
      await this.#keepParent(segs);
    });
  }

  /**
   * Remove a file (an object).
   *
   * @param path Virtual path.
   * @returns When done.
   */
  unlink(path: string): Promise<void> {
    return this.#run("unlink", path, async (segs) => {
      const found = await this.#find("unlink", path, segs);
      if (found.type !== "file") fail("unlink", path, "is-a-directory");
      await this.#client.delete(this.#key(segs));
      await this.#keepParent(segs);
    });
  }

  /**
   * Rename or move: a server-side copy, then a delete of the original. A directory moves
   * key by key (bounded: one listing page at a time); it is not atomic, and an interrupted
   * move leaves keys in both places (a new rename completes it).
   *
   * @param from Existing virtual path.
   * @param to New virtual path.
   * @returns When done.
   */
  rename(from: string, to: string): Promise<void> {
    return this.#run("rename", from, async (src) => {
      const dst = virtualPathSegments(to);
      if (src.length === 0) fail("rename", from, "permission");
      const found = await this.#find("rename", from, src);
      if (dst.length === 0) fail("rename", to, "exists");
      if (src.join("/") === dst.join("/")) return;
      if (found.type === "dir" && dst.length > src.length && src.every((s, i) => dst[i] === s)) {
        fail("rename", to, "io", new Error("cannot move a directory into itself"));
      }
      await this.#needDir("rename", to, dst.slice(0, -1));
      const target = await this.#lookup(dst);
      if (found.type === "file") {
        if (target?.type === "dir") fail("rename", to, "is-a-directory");
        await this.#copyObject(this.#key(src), this.#key(dst), found.info.size);
        await this.#client.delete(this.#key(src));
      } else {
        if (target?.type === "file") fail("rename", to, "not-a-directory");
        if (target?.type === "dir") {
          const page = await this.#client.list({ prefix: this.#dirKey(dst), maxKeys: 2 });
          if (page.objects.some((o) => o.key !== this.#dirKey(dst))) fail("rename", to, "not-empty");
        }
        await this.#moveTree(this.#dirKey(src), this.#dirKey(dst));
      }
      await this.#keepParent(src);
    });
  }

  /**
   * Entries of a directory, read page by page from ListObjectsV2 (`listPageSize` keys per request) as
   * the caller iterates.
   *
   * @param path Virtual path of a directory.
   * @returns The entries.
   */
  list(path: string): AsyncIterable<DirEntry> {
    // deno-lint-ignore no-this-alias
    const self = this;
    return {
      async *[Symbol.asyncIterator]() {
        const segs = await self.#run("list", path, async (segs) => {
          const found = await self.#find("list", path, segs);
          if (found.type !== "dir") fail("list", path, "not-a-directory");
          return segs;
        });
        const dir = self.#dirKey(segs);
        let token: string | undefined;
        for (let pages = 0; pages < Number.MAX_SAFE_INTEGER; pages++) {
          const page = await self.#run("list", path, () =>
            self.#client.list({ prefix: dir, delimiter: "/", maxKeys: self.#page, token }));
          for (const p of page.prefixes) {
            const name = p.slice(dir.length, -1);
            if (name !== "") yield { name, stat: { type: "dir", size: 0, mtime: EPOCH, mode: 0o755 } };
          }
          for (const o of page.objects) {
            const name = o.key.slice(dir.length);
            if (name !== "" && !name.includes("/")) yield { name, stat: fileStat(o) };
          }
          token = page.next;
          if (token === undefined) return;
        }
      },
    };
  }

  /**
   * Open a file for reading: a GET, ranged from `offset`.
   *
   * @param path Virtual path of a file.
   * @param options `offset`: first byte to read. @default 0
   * @returns The byte stream.
   */
  openRead(path: string, options: { offset?: number } = {}): Promise<ReadableStream<Uint8Array>> {
    return this.#run("openRead", path, async (segs) => {
      const offset = checkOffset("openRead", path, options.offset);
      if (segs.length === 0) fail("openRead", path, "is-a-directory");
      const res = await this.#client.get(this.#key(segs), offset);
      if (res === undefined) {
        const found = await this.#find("openRead", path, segs);
        if (found.type === "dir") fail("openRead", path, "is-a-directory");
        fail("openRead", path, "not-found"); // vanished between the two requests
      }
      if (res.status === 416 || res.body === null) {
        await res.body?.cancel();
        return new ReadableStream<Uint8Array>({ start: (c) => c.close() });
      }
      return bodyStream(res.body, path);
    });
  }

  /**
   * Open a file for writing. A plain write is a new object, stored as a multipart upload
   * that appears (replacing any old one) when the stream closes — or, with `size` (announced
   * by FTP `ALLO`) above one part, as one PUT of that `Content-Length` streamed as the bytes
   * come, which fails and stores nothing unless exactly `size` bytes are written; with `append` or `offset`
   * the new object is composed from the old one (server-side copies) and the new bytes,
   * padding with NUL past its end. Aborting the stream, or a failed write, leaves the old
   * object (if any) as it was and no parts behind.
   *
   * @param path Virtual path of a file whose parent directory exists.
   * @param options Offset or append mode, or the announced size.
   * @returns The byte sink.
   */
  openWrite(path: string, options: OpenWriteOptions = {}): Promise<WritableStream<Uint8Array>> {
    return this.#run("openWrite", path, async (segs) => {
      const offset = options.offset === undefined ? undefined : checkOffset("openWrite", path, options.offset);
      if (segs.length === 0) fail("openWrite", path, "is-a-directory");
      await this.#needDir("openWrite", path, segs.slice(0, -1));
      const existing = await this.#lookup(segs);
      if (existing?.type === "dir") fail("openWrite", path, "is-a-directory");
      const key = this.#key(segs);
      const size = existing?.info.size ?? 0;
      const plain = this.#sized && !options.append && offset === undefined;
      const announced = plain && options.size !== undefined && Number.isSafeInteger(options.size) && options.size >= 0
        ? options.size
        : undefined;
      const upload = new Upload(this.#client, key, this.#upload, announced);
      let written = 0;
      const abortWith = async (e: unknown): Promise<never> => {
        await upload.abort().catch(() => {});
        throw toPathIOError("write", path, e);
      };
      const start = async () => {
        if (options.append) await upload.copy(key, 0, size);
        else if (offset !== undefined) {
          await upload.copy(key, 0, Math.min(offset, size));
          await upload.zeros(Math.max(0, offset - size));
        }
      };
      return new WritableStream<Uint8Array>({
        start: () => start().catch(abortWith),
        write: async (bytes) => {
          await upload.write(bytes).catch(abortWith);
          written += bytes.byteLength;
        },
        close: async () => {
          try {
            if (offset !== undefined && !options.append && offset + written < size) {
              await upload.copy(key, offset + written, size);
            }
            await upload.finish();
          } catch (e) {
            await abortWith(e);
          }
        },
        abort: () => upload.abort().catch(() => {}),
      }, { highWaterMark: 1 });
    });
  }

  // ---- internals ----------------------------------------------------------------------

  /** Run `body` on the path's segments, turning every S3 failure into a PathIOError. */
  async #run<T>(operation: string, path: string, body: (segs: string[]) => Promise<T>): Promise<T> {
    const segs = virtualPathSegments(path); // InvalidPathError (NUL) passes through
    try {
      return await body(segs);
    } catch (e) {
      throw toPathIOError(operation, path, e);
    }
  }

  #key(segs: readonly string[]): string {
    return this.#prefix + segs.join("/");
  }

  #dirKey(segs: readonly string[]): string {
    return segs.length === 0 ? this.#prefix : `${this.#prefix}${segs.join("/")}/`;
  }

  /**
   * File, directory or nothing: a HEAD of the key, then, when there is no such object, a
   * one-key listing of `key/`. (Files come first: a RETR, SIZE or STOR then costs one request,
   * not two on a server that may be busy with the transfers.)
   */
  async #lookup(segs: readonly string[]): Promise<Found | undefined> {
    if (segs.length === 0) return { type: "dir", mtime: EPOCH };
    const info = await this.#client.head(this.#key(segs));
    if (info !== undefined) return { type: "file", info };
    const page = await this.#client.list({ prefix: this.#dirKey(segs), maxKeys: 1 });
    const first = page.objects[0];
    if (first !== undefined || page.prefixes.length > 0) {
      return { type: "dir", mtime: first?.key === this.#dirKey(segs) ? first.mtime : EPOCH };
    }
    return undefined;
  }

  /** Like {@linkcode #lookup}, but a missing path rejects: "not-a-directory" when a parent is a file. */
  async #find(operation: string, path: string, segs: readonly string[]): Promise<Found> {
    const found = await this.#lookup(segs);
    if (found !== undefined) return found;
    for (let i = segs.length - 1; i >= 1; i--) {
      if ((await this.#client.head(this.#key(segs.slice(0, i)))) !== undefined) {
        fail(operation, path, "not-a-directory");
      }
    }
    return fail(operation, path, "not-found");
  }

  /** Reject unless `segs` is a directory (the parent of something being created). */
  async #needDir(operation: string, path: string, segs: readonly string[]): Promise<void> {
    if (segs.length === 0) return;
    const found = await this.#find(operation, path, segs);
    if (found.type !== "dir") fail(operation, path, "not-a-directory");
  }

  /** After removing the last entry of a directory without a marker, keep it with a marker. */
  async #keepParent(segs: readonly string[]): Promise<void> {
    const parent = segs.slice(0, -1);
    if (parent.length === 0) return;
    const page = await this.#client.list({ prefix: this.#dirKey(parent), maxKeys: 1 });
    if (page.objects.length === 0) await this.#client.put(this.#dirKey(parent), new Uint8Array(0));
  }

  /** Server-side copy of one object; multipart above the 5 GiB limit of a single copy. */
  async #copyObject(from: string, to: string, size: number): Promise<void> {
    if (size <= 5 * 1024 * 1024 * 1024) return await this.#client.copy(from, to);
    const upload = new Upload(this.#client, to, { ...this.#upload, streaming: false });
    try {
      await upload.copy(from, 0, size);
      await upload.finish();
    } catch (e) {
      await upload.abort().catch(() => {});
      throw e;
    }
  }

  /** Copy every key under `from` to `to`, then delete the originals, a page at a time. */
  async #moveTree(from: string, to: string): Promise<void> {
    const target = await this.#client.head(to);
    if (target === undefined) await this.#client.put(to, new Uint8Array(0));
    let token: string | undefined;
    let pages = 0;
    do {
      const page = await this.#client.list({ prefix: from, maxKeys: this.#page, token });
      await this.#each(page.objects, (o) => this.#copyObject(o.key, to + o.key.slice(from.length), o.size));
      token = page.next;
      pages++;
    } while (token !== undefined);
    // Always the first page again: what was listed is deleted, so the rest moves up.
    for (let i = 0; i <= pages + 1; i++) {
      const page = await this.#client.list({ prefix: from, maxKeys: this.#page });
      if (page.objects.length === 0) return;
      await this.#each(page.objects, (o) => this.#client.delete(o.key));
    }
  }

  /** Run `task` on every item, `concurrency` at a time. */
  async #each<T>(items: readonly T[], task: (item: T) => Promise<void>): Promise<void> {
    let next = 0;
    const worker = async () => {
      while (next < items.length) await task(items[next++]!);
    };
    await Promise.all(Array.from({ length: Math.min(this.#concurrency, items.length) }, worker));
  }
}

function statOf(found: Found): FileStat {
  return found.type === "file" ? fileStat(found.info) : { type: "dir", size: 0, mtime: found.mtime, mode: 0o755 };
}

function fileStat(info: ObjectInfo): FileStat {
  return { type: "file", size: info.size, mtime: info.mtime, mode: 0o644 };
}

/**
 * Bytes of a download read ahead from S3 while the consumer (the data connection) is busy:
 * the S3 connection keeps flowing instead of stopping at every chunk the consumer has not
 * taken yet. Bounded: one MiB (plus one chunk) per open read.
 */
const READ_AHEAD = 1024 * 1024;

/** A response body as the read stream: failures become PathIOErrors, cancel closes the socket. */
function bodyStream(body: ReadableStream<Uint8Array>, path: string): ReadableStream<Uint8Array> {
  const reader = body.getReader();
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      try {
        const { done, value } = await reader.read();
        if (done) controller.close();
        else controller.enqueue(value);
      } catch (e) {
        controller.error(new PathIOError("read", path, { kind: "io", cause: e }));
      }
    },
    cancel: (reason) => reader.cancel(reason),
  }, { highWaterMark: READ_AHEAD, size: (chunk) => chunk.byteLength });
}

const KINDS: Record<string, PathIOErrorKind> = {
  NoSuchKey: "not-found",
  NoSuchBucket: "not-found",
  NotFound: "not-found",
  AccessDenied: "permission",
  InvalidAccessKeyId: "permission",
  SignatureDoesNotMatch: "permission",
  AllAccessDisabled: "permission",
  EntityTooLarge: "no-space",
  QuotaExceeded: "no-space",
};

/** A PathIOError for anything thrown; an S3Error's code picks the kind. */
function toPathIOError(operation: string, path: string, e: unknown): PathIOError {
  if (e instanceof PathIOError) return e;
  const kind = e instanceof S3Error ? KINDS[e.code] ?? "io" : "io";
  return new PathIOError(operation, path, { kind, cause: e });
}
