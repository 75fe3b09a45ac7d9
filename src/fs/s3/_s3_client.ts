/**
 * A minimal S3 REST client on `fetch` and Web Crypto: the object, listing, copy and multipart
 * calls {@linkcode S3PathIO} makes, SigV4-signed, with retries and backoff for throttling and
 * server errors. Internal to the S3 storage.
 *
 * @module
 */

import { canonicalQuery, type S3Credentials, signRequest, uriEncode } from "./_sigv4.ts";
import { elements, text } from "./_xml.ts";
import { S3Error } from "./s3_error.ts";

/** The part of `fetch` the client uses. */
export type FetchLike = (url: URL, init: RequestInit) => Promise<Response>;

/** How the client reaches the bucket. */
export interface S3ClientConfig {
  /** Service URL, e.g. `http://127.0.0.1:8080` or `https://s3.eu-west-1.amazonaws.com`. */
  readonly endpoint: string;
  /** Signing region. */
  readonly region: string;
  /** Bucket name. */
  readonly bucket: string;
  /** Signing credentials. */
  readonly credentials: S3Credentials;
  /** `true`: `endpoint/bucket/key`; `false`: `bucket.endpoint/key`. */
  readonly pathStyle: boolean;
  /** The fetch to use. */
  readonly fetch: FetchLike;
  /** Tries per request for throttling, server and network errors. */
  readonly maxAttempts: number;
  /** First backoff delay in ms (doubles per retry, with jitter). */
  readonly retryDelayMs: number;
  /** Longest wait for the response headers of one attempt, in ms. */
  readonly timeoutMs: number;
}

/** Metadata of an object. */
export interface ObjectInfo {
  /** Full key. */
  readonly key: string;
  /** Size in bytes. */
  readonly size: number;
  /** Last modification. */
  readonly mtime: Date;
}

/** One page of a ListObjectsV2 call. */
export interface ListPage {
  /** Objects of the page. */
  readonly objects: ObjectInfo[];
  /** Common prefixes (with their trailing delimiter). */
  readonly prefixes: string[];
  /** Token for the next page, when truncated. */
  readonly next: string | undefined;
}

interface Request {
  readonly method: "GET" | "HEAD" | "PUT" | "POST" | "DELETE";
  readonly key: string;
  readonly query?: Record<string, string>;
  readonly headers?: Record<string, string>;
  readonly body?: Uint8Array;
  /** Statuses that are answers rather than errors (besides 2xx). */
  readonly accept?: readonly number[];
  /** Cancels the request (and its retries). */
  readonly signal?: AbortSignal;
  /**
   * Sign at once, send when this resolves (a part waiting for a free slot on the wire goes
   * out the moment the slot frees, its signature made meanwhile); a rejection cancels it.
   */
  readonly after?: Promise<void>;
}

/** Signatures older than this are made again before sending (S3 allows 15 minutes of skew). */
const PRESIGN_MAX_AGE_MS = 60_000;

/** A PUT whose body is being streamed: write, then close, then await `done`. */
export interface StreamedPut {
  /** The request body (chunks are sent as they are, not copied). */
  readonly writable: WritableStream<Uint8Array>;
  /** Settles with the response: resolves once the object is stored. */
  readonly done: Promise<void>;
}

const RETRY_CODES = new Set(["SlowDown", "InternalError", "ServiceUnavailable", "RequestTimeout", "ThrottlingException"]);

function isRetryable(status: number, code: string): boolean {
  return status === 0 || status >= 500 || status === 429 || RETRY_CODES.has(code);
}

/** The S3 REST calls the storage needs. */
export class S3Client {
  readonly #config: S3ClientConfig;
  readonly #base: URL;

  /** @param config Endpoint, bucket, credentials, addressing, retries. */
  constructor(config: S3ClientConfig) {
    this.#config = config;
    const base = new URL(config.endpoint);
    if (!config.pathStyle) base.hostname = `${config.bucket}.${base.hostname}`;
    this.#base = base;
  }

  /** The bucket name. */
  get bucket(): string {
    return this.#config.bucket;
  }

  #url(key: string, query: Record<string, string> | undefined): URL {
    const basePath = this.#base.pathname.replace(/\/+$/, "");
    const bucketPath = this.#config.pathStyle ? `/${uriEncode(this.#config.bucket)}` : "";
    const url = new URL(this.#base.href);
    url.pathname = `${basePath}${bucketPath}/${uriEncode(key, true)}`;
    url.search = query ? canonicalQuery(query) : "";
    return url;
  }

  /**
   * Send a request, retrying throttling, server and network errors with backoff.
   *
   * @param req The request.
   * @returns The response (2xx or an accepted status).
   */
  async send(req: Request): Promise<Response> {
    const { maxAttempts, retryDelayMs } = this.#config;
    let signed: { headers: Promise<Record<string, string>>; at: number } | undefined;
    if (req.after) {
      signed = { headers: this.#sign(req), at: Date.now() };
      signed.headers.catch(() => {}); // awaited below, unless `after` rejects first
      await req.after;
      if (Date.now() - signed.at > PRESIGN_MAX_AGE_MS) signed = undefined;
    }
    for (let attempt = 1;; attempt++) {
      let error: S3Error;
      try {
        const res = await this.#once(req, req.body as BodyInit | undefined, undefined, attempt === 1 ? signed?.headers : undefined);
        if (res.ok || req.accept?.includes(res.status)) return res;
        error = await this.#errorOf(req, res);
      } catch (e) {
        error = e instanceof S3Error ? e : networkError(req, e);
      }
      if (attempt >= maxAttempts || !isRetryable(error.status, error.code) || req.signal?.aborted) throw error;
      const delay = retryDelayMs * 2 ** (attempt - 1) * (0.5 + Math.random());
      await new Promise((resolve) => setTimeout(resolve, delay));
    }
  }

  /** The signed headers of `req`, dated now. */
  #sign(req: Request): Promise<Record<string, string>> {
    return signRequest({
      method: req.method,
      url: this.#url(req.key, req.query),
      headers: req.headers ?? {},
      region: this.#config.region,
      credentials: this.#config.credentials,
      now: new Date(),
    });
  }

  /**
   * One attempt (with `signed`: headers signed ahead for it). The wait for the response
   * headers is bounded by `timeoutMs`, counted from the start, or for a streamed body from
   * `bodyEnd` (the server answers only after the body).
   */
  async #once(
    req: Request,
    body: BodyInit | undefined,
    bodyEnd?: Promise<void>,
    signed?: Promise<Record<string, string>>,
  ): Promise<Response> {
    const url = this.#url(req.key, req.query);
    const headers = await (signed ?? this.#sign(req));
    // Bounded until the headers arrive; a body then streams as long as it is read (the FTP
    // server's data timeout covers a stalled transfer).
    const abort = new AbortController();
    let settled = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const arm = () => {
      if (!settled) timer = setTimeout(() => abort.abort(), this.#config.timeoutMs);
    };
    if (bodyEnd) bodyEnd.then(arm, () => {});
    else arm();
    const cancel = () => abort.abort(req.signal?.reason);
    req.signal?.addEventListener("abort", cancel);
    if (req.signal?.aborted) cancel();
    try {
      return await this.#config.fetch(url, {
        method: req.method,
        headers,
        body,
        // With a body, "error": Node's fetch clones (tees) the request for any other mode, and
        // the branch kept for a redirect then holds every byte sent (a 1 GiB STOR: 1 GiB).
        redirect: body === undefined ? "manual" : "error",
        signal: abort.signal,
        ...(body instanceof ReadableStream ? { duplex: "half" } : {}),
      } as RequestInit);
    } catch (e) {
      if (!abort.signal.aborted || req.signal?.aborted) throw e;
      throw new S3Error({
        status: 0,
        code: "Timeout",
        message: `no response within ${this.#config.timeoutMs} ms`,
        method: req.method,
        key: req.key,
        cause: e,
      });
    } finally {
      settled = true;
      clearTimeout(timer);
      req.signal?.removeEventListener("abort", cancel);
    }
  }

  async #errorOf(req: Request, res: Response): Promise<S3Error> {
    const body = req.method === "HEAD" ? "" : await res.text().catch(() => "");
    const fallback = res.status === 404
      ? "NoSuchKey"
      : res.status === 403
      ? "AccessDenied"
      : res.status === 503
      ? "ServiceUnavailable"
      : `HTTP${res.status}`;
    return new S3Error({
      status: res.status,
      code: text(body, "Code") ?? fallback,
      message: text(body, "Message"),
      method: req.method,
      key: req.key,
      requestId: text(body, "RequestId") ?? res.headers.get("x-amz-request-id") ?? undefined,
    });
  }

  /** A 200 whose body is an `<Error>` (CopyObject and CompleteMultipartUpload do that). */
  async #bodyOrError(req: Request, res: Response): Promise<string> {
    const body = await res.text();
    const code = /<Error>/.test(body) ? text(body, "Code") : undefined;
    if (code !== undefined) {
      throw new S3Error({ status: res.status, code, message: text(body, "Message"), method: req.method, key: req.key });
    }
    return body;
  }

  /**
   * Metadata of an object, `undefined` when missing.
   *
   * @param key Object key.
   * @returns Its size and time.
   */
  async head(key: string): Promise<ObjectInfo | undefined> {
    const res = await this.send({ method: "HEAD", key, accept: [404] });
    if (res.status === 404) return undefined;
    return {
      key,
      size: Number(res.headers.get("content-length") ?? 0),
      mtime: new Date(res.headers.get("last-modified") ?? 0),
    };
  }

  /**
   * Read an object from `offset`. `undefined` when missing; an empty body when `offset` is
   * at or past its end.
   *
   * @param key Object key.
   * @param offset First byte.
   * @returns The response, or `undefined`.
   */
  async get(key: string, offset: number): Promise<Response | undefined> {
    const headers: Record<string, string> = offset > 0 ? { range: `bytes=${offset}-` } : {};
    const res = await this.send({ method: "GET", key, headers, accept: [404, 416] });
    if (res.status === 404) {
      await res.body?.cancel();
      return undefined;
    }
    return res;
  }

  /**
   * Read a byte range of an object.
   *
   * @param key Object key.
   * @param start First byte.
   * @param end Last byte (inclusive).
   * @returns The response.
   */
  getRange(key: string, start: number, end: number): Promise<Response> {
    return this.send({ method: "GET", key, headers: { range: `bytes=${start}-${end}` } });
  }

  /**
   * Store an object in one request.
   *
   * @param key Object key.
   * @param body Its bytes.
   * @returns When stored.
   */
  async put(key: string, body: Uint8Array): Promise<void> {
    const res = await this.send({ method: "PUT", key, body });
    await res.body?.cancel();
  }

  /**
   * Store an object from a body streamed as it is written: one PUT. With `length`, the PUT
   * has that `Content-Length` (every S3 server takes it; the body must be exactly that long,
   * or the request fails and nothing is stored) — on Node and Bun; Deno's `fetch` sends a
   * streamed body chunked whatever the header says. Without, `Transfer-Encoding: chunked` and
   * no `Content-Length`: not every S3 server takes it (AWS S3 answers 411); OpenStack Swift's
   * s3api does. One attempt: a streamed body cannot be sent again. Backpressure: a write
   * waits until the previous chunk went to the connection.
   *
   * @param key Object key.
   * @param signal Cancels the request: no object appears.
   * @param length The body's length in bytes, when known.
   * @returns The body to write and the outcome.
   */
  putStream(key: string, signal: AbortSignal, length?: number): StreamedPut {
    let ended!: () => void;
    const bodyEnd = new Promise<void>((resolve) => (ended = resolve));
    const pipe = new TransformStream<Uint8Array, Uint8Array>({ flush: () => ended() }, { highWaterMark: 1 }, {
      highWaterMark: 0,
    });
    const headers: Record<string, string> = length === undefined ? {} : { "content-length": String(length) };
    const req: Request = { method: "PUT", key, headers, signal };
    const done = (async () => {
      let res: Response;
      try {
        res = await this.#once(req, pipe.readable, bodyEnd);
      } catch (e) {
        throw e instanceof S3Error ? e : networkError(req, e);
      }
      if (!res.ok) throw await this.#errorOf(req, res);
      await res.body?.cancel();
    })();
    return { writable: pipe.writable, done };
  }

  /**
   * Delete an object (no error when missing).
   *
   * @param key Object key.
   * @returns When deleted.
   */
  async delete(key: string): Promise<void> {
    const res = await this.send({ method: "DELETE", key, accept: [404] });
    await res.body?.cancel();
  }

  /**
   * One page of ListObjectsV2.
   *
   * @param options Prefix, delimiter, page size, continuation token.
   * @returns The page.
   */
  async list(options: { prefix: string; delimiter?: string; maxKeys?: number; token?: string | undefined }): Promise<ListPage> {
    const query: Record<string, string> = { "list-type": "2", prefix: options.prefix };
    if (options.delimiter !== undefined) query.delimiter = options.delimiter;
    if (options.maxKeys !== undefined) query["max-keys"] = String(options.maxKeys);
    if (options.token !== undefined) query["continuation-token"] = options.token;
    const res = await this.send({ method: "GET", key: "", query });
    const xml = await res.text();
    const objects = elements(xml, "Contents").map((c) => ({
      key: text(c, "Key") ?? "",
      size: Number(text(c, "Size") ?? 0),
      mtime: new Date(text(c, "LastModified") ?? 0),
    }));
    const prefixes = elements(xml, "CommonPrefixes").map((p) => text(p, "Prefix") ?? "");
    const truncated = text(xml, "IsTruncated") === "true";
    const next = truncated ? text(xml, "NextContinuationToken") : undefined;
    return { objects, prefixes, next };
  }

  /**
   * Server-side copy of a whole object (up to 5 GiB).
   *
   * @param from Source key.
   * @param to Destination key.
   * @returns When copied.
   */
  async copy(from: string, to: string): Promise<void> {
    const req: Request = { method: "PUT", key: to, headers: { "x-amz-copy-source": this.#source(from) } };
    await this.#bodyOrError(req, await this.send(req));
  }

  #source(key: string): string {
    return `/${uriEncode(this.#config.bucket)}/${uriEncode(key, true)}`;
  }

  /**
   * Start a multipart upload.
   *
   * @param key Object key.
   * @returns The upload id.
   */
  async createMultipart(key: string): Promise<string> {
    const req: Request = { method: "POST", key, query: { uploads: "" } };
    const id = text(await this.#bodyOrError(req, await this.send(req)), "UploadId");
    if (!id) throw new S3Error({ status: 200, code: "MalformedResponse", message: "no UploadId", method: "POST", key });
    return id;
  }

  /**
   * Upload one part.
   *
   * @param key Object key.
   * @param uploadId Upload id.
   * @param part Part number (1-based).
   * @param body Its bytes.
   * @param options `signal` cancels the upload of the part; `after`: send once it resolves
   *   (signed before), a rejection cancels the part.
   * @returns The part's ETag.
   */
  async uploadPart(
    key: string,
    uploadId: string,
    part: number,
    body: Uint8Array,
    options: Pick<Request, "signal" | "after"> = {},
  ): Promise<string> {
    const query = { partNumber: String(part), uploadId };
    const res = await this.send({ method: "PUT", key, query, body, ...options });
    await res.body?.cancel();
    return res.headers.get("etag") ?? "";
  }

  /**
   * Make a part of a multipart upload from a byte range of an existing object.
   *
   * @param key Object key being uploaded.
   * @param uploadId Upload id.
   * @param part Part number.
   * @param from Source key.
   * @param range First and last byte (inclusive) of the source.
   * @returns The part's ETag.
   */
  async uploadPartCopy(key: string, uploadId: string, part: number, from: string, range: [number, number]): Promise<string> {
    const req: Request = {
      method: "PUT",
      key,
      query: { partNumber: String(part), uploadId },
      headers: { "x-amz-copy-source": this.#source(from), "x-amz-copy-source-range": `bytes=${range[0]}-${range[1]}` },
    };
    const body = await this.#bodyOrError(req, await this.send(req));
    return text(body, "ETag") ?? "";
  }

  /**
   * Complete a multipart upload: the object appears.
   *
   * @param key Object key.
   * @param uploadId Upload id.
   * @param etags ETags of parts 1..n.
   * @returns When complete.
   */
  async completeMultipart(key: string, uploadId: string, etags: readonly string[]): Promise<void> {
    const parts = etags.map((etag, i) => `<Part><PartNumber>${i + 1}</PartNumber><ETag>${escapeXml(etag)}</ETag></Part>`);
    const body = new TextEncoder().encode(`<CompleteMultipartUpload>${parts.join("")}</CompleteMultipartUpload>`);
    const req: Request = { method: "POST", key, query: { uploadId }, body };
    await this.#bodyOrError(req, await this.send(req));
  }

  /**
   * Abort a multipart upload: its parts are deleted.
   *
   * @param key Object key.
   * @param uploadId Upload id.
   * @returns When aborted.
   */
  async abortMultipart(key: string, uploadId: string): Promise<void> {
    const res = await this.send({ method: "DELETE", key, query: { uploadId }, accept: [404] });
    await res.body?.cancel();
  }

  /**
   * Multipart uploads in progress under a prefix (first page).
   *
   * @param prefix Key prefix.
   * @returns Their keys and upload ids.
   */
  async listMultipart(prefix: string): Promise<{ key: string; uploadId: string }[]> {
    const res = await this.send({ method: "GET", key: "", query: { uploads: "", prefix } });
    return elements(await res.text(), "Upload").map((u) => ({
      key: text(u, "Key") ?? "",
      uploadId: text(u, "UploadId") ?? "",
    }));
  }
}

function networkError(req: Request, e: unknown): S3Error {
  return new S3Error({
    status: 0,
    code: "NetworkError",
    message: e instanceof Error ? e.message : String(e),
    method: req.method,
    key: req.key,
    cause: e,
  });
}

function escapeXml(s: string): string {
  return s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
}

