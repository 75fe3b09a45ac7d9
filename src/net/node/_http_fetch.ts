/**
 * A `fetch` for `S3PathIO` on Node that sends its requests through `node:http` /
 * `node:https`. Node's `fetch` (undici) spends about twice the CPU of `node:http` reading a
 * response body (measured: 0.60–0.68 against 0.32–0.44 CPU s for 256 MiB with the body as a
 * web stream), and reading objects is what an FTP server on S3 does most; sending the parts of
 * a multipart upload cost it 1.39 CPU s per 256 MiB. Bodies of other kinds than bytes, text
 * and web streams (a `Blob`, a form) go to the global `fetch`.
 *
 * @module
 */
import * as http from "node:http";
import * as https from "node:https";
import { pipeline, Readable } from "node:stream";

const agents = {
  "http:": new http.Agent({ keepAlive: true }),
  "https:": new https.Agent({ keepAlive: true }),
};

/** Statuses whose response has no body (a `Response` refuses one for them). */
const NO_BODY = new Set([101, 204, 205, 304]);

/**
 * What `node:http` can send as it is: bytes and text in one write (with their
 * `Content-Length`), a web stream piped with backpressure (chunked unless the caller set a
 * `Content-Length`); `undefined` for anything else.
 */
function sendable(body: RequestInit["body"]): ((request: http.ClientRequest) => void) | undefined {
  if (body === undefined || body === null) return (request) => request.end();
  if (typeof body === "string" || body instanceof Uint8Array) return (request) => request.end(body);
  if (body instanceof ArrayBuffer) return (request) => request.end(new Uint8Array(body));
  if (body instanceof ReadableStream) {
    // pipeline destroys the request when the body fails (the S3 server then sees the upload
    // cut, and stores nothing), and ends it after the last chunk.
    return (request) => pipeline(Readable.fromWeb(body as never), request, () => {});
  }
  return undefined;
}

/**
 * `fetch` on `node:http(s)` (keep-alive agents, no redirects followed: a 3xx is returned as
 * is), for requests with no body, bytes, text or a web stream as the body; other bodies go to
 * `globalThis.fetch`. Give it to `S3PathIO` on Node.
 *
 * @param input The URL.
 * @param init Method, headers, body, abort signal.
 * @returns The response; its body is a web stream of the socket's chunks.
 *
 * @example
 * ```ts
 * import { nodeHttpFetch } from "anyftp/net/node";
 * import { S3PathIO } from "anyftp/fs/s3";
 * const storage = new S3PathIO({
 *   endpoint: "http://127.0.0.1:9000",
 *   bucket: "files",
 *   credentials: { accessKeyId: "key", secretAccessKey: "secret" },
 *   fetch: nodeHttpFetch,
 * });
 * ```
 */
export function nodeHttpFetch(input: URL | string, init: RequestInit = {}): Promise<Response> {
  const url = typeof input === "string" ? new URL(input) : input;
  const agent = agents[url.protocol as keyof typeof agents];
  const send = sendable(init.body);
  if (!send || !agent) return fetch(url, init);
  return new Promise<Response>((resolve, reject) => {
    const request = (url.protocol === "https:" ? https : http).request(url, {
      method: init.method ?? "GET",
      headers: Object.fromEntries(new Headers(init.headers)),
      agent,
      ...(init.signal ? { signal: init.signal } : {}),
    }, (res) => {
      const headers = new Headers();
      for (const [name, value] of Object.entries(res.headers)) {
        if (Array.isArray(value)) for (const v of value) headers.append(name, v);
        else if (value !== undefined) headers.set(name, value);
      }
      const status = res.statusCode ?? 0;
      const bodyless = init.method === "HEAD" || NO_BODY.has(status);
      if (bodyless) res.resume();
      const body = bodyless ? null : (Readable.toWeb(res) as unknown as ReadableStream<Uint8Array>);
      resolve(new Response(body, { status, statusText: res.statusMessage ?? "", headers }));
    });
    // `on`, not `once`: a second error (the body's pipeline, then the socket) must not go
    // unhandled; rejecting a settled promise is a no-op.
    request.on("error", reject);
    send(request);
  });
}
