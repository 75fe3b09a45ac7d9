/**
 * AWS Signature Version 4 for S3 requests, on Web Crypto only (no runtime APIs): the
 * canonical request, the string to sign and the `Authorization` header. The payload is sent
 * as `UNSIGNED-PAYLOAD` (the body is not hashed), which S3 and its compatibles accept.
 *
 * @module
 */

/** Credentials that sign requests. */
export interface S3Credentials {
  /** Access key id (`AWS_ACCESS_KEY_ID`). */
  readonly accessKeyId: string;
  /** Secret access key (`AWS_SECRET_ACCESS_KEY`). */
  readonly secretAccessKey: string;
  /** Session token of temporary credentials (`AWS_SESSION_TOKEN`). @default none */
  readonly sessionToken?: string;
}

const enc = new TextEncoder();

/**
 * RFC 3986 encoding as SigV4 wants it: every byte but `A-Z a-z 0-9 - _ . ~` is `%XX`, and
 * `/` too unless `keepSlash`.
 *
 * @param text The text to encode.
 * @param keepSlash Leave `/` as is (object key paths).
 * @returns The encoded text.
 *
 * @example
 * ```ts
 * import { uriEncode } from "./_sigv4.ts";
 * uriEncode("a b/c(1)", true); // "a%20b/c%281%29"
 * ```
 */
export function uriEncode(text: string, keepSlash = false): string {
  const out = encodeURIComponent(text).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
  return keepSlash ? out.replace(/%2F/g, "/") : out;
}

/**
 * A query string in canonical form: keys sorted, keys and values encoded, `key=` for an empty
 * value.
 *
 * @param query The parameters.
 * @returns The canonical query string (without `?`).
 *
 * @example
 * ```ts
 * import { canonicalQuery } from "./_sigv4.ts";
 * canonicalQuery({ uploads: "", prefix: "a/" }); // "prefix=a%2F&uploads="
 * ```
 */
export function canonicalQuery(query: Record<string, string>): string {
  return Object.keys(query).sort().map((k) => `${uriEncode(k)}=${uriEncode(query[k]!)}`).join("&");
}

function hex(bytes: ArrayBuffer): string {
  let out = "";
  for (const b of new Uint8Array(bytes)) out += b.toString(16).padStart(2, "0");
  return out;
}

async function sha256Hex(text: string): Promise<string> {
  return hex(await crypto.subtle.digest("SHA-256", enc.encode(text)));
}

async function hmac(key: ArrayBuffer | Uint8Array, text: string): Promise<ArrayBuffer> {
  const k = await crypto.subtle.importKey("raw", key as BufferSource, { name: "HMAC", hash: "SHA-256" }, false, [
    "sign",
  ]);
  return crypto.subtle.sign("HMAC", k, enc.encode(text));
}

/** The last derived signing key (it changes once a day per secret and region). */
let cached: { id: string; key: ArrayBuffer } | undefined;

async function signingKey(secret: string, day: string, region: string): Promise<ArrayBuffer> {
  const id = `${day}\n${region}\n${secret}`;
  if (cached?.id === id) return cached.key;
  let key = await hmac(enc.encode(`AWS4${secret}`), day);
  key = await hmac(key, region);
  key = await hmac(key, "s3");
  key = await hmac(key, "aws4_request");
  cached = { id, key };
  return key;
}

/** What {@linkcode signRequest} signs. */
export interface SignInput {
  /** HTTP method. */
  readonly method: string;
  /** The URL, whose path is already encoded and whose query is canonical. */
  readonly url: URL;
  /** Headers to send; `x-amz-*` ones are signed. Names in lower case. */
  readonly headers: Record<string, string>;
  /** Region, e.g. `us-east-1`. */
  readonly region: string;
  /** Credentials. */
  readonly credentials: S3Credentials;
  /** Signing time. */
  readonly now: Date;
}

/**
 * Sign a request: returns the headers to send, with `x-amz-date`, `x-amz-content-sha256`,
 * the session token and `authorization` added.
 *
 * @param input Method, URL, headers, region, credentials and time.
 * @returns All headers to send.
 *
 * @example
 * ```ts
 * import { signRequest } from "./_sigv4.ts";
 * const headers = await signRequest({
 *   method: "GET",
 *   url: new URL("http://127.0.0.1:9000/bucket/key"),
 *   headers: {},
 *   region: "us-east-1",
 *   credentials: { accessKeyId: "AK", secretAccessKey: "SK" },
 *   now: new Date(),
 * });
 * console.log(headers.authorization?.startsWith("AWS4-HMAC-SHA256"));
 * ```
 */
export async function signRequest(input: SignInput): Promise<Record<string, string>> {
  const { url, region, credentials } = input;
  const amzDate = input.now.toISOString().replace(/[-:]/g, "").replace(/\.\d{3}/, "");
  const day = amzDate.slice(0, 8);
  const headers: Record<string, string> = {
    ...input.headers,
    "x-amz-date": amzDate,
    "x-amz-content-sha256": "UNSIGNED-PAYLOAD",
  };
  if (credentials.sessionToken) headers["x-amz-security-token"] = credentials.sessionToken;
  const signed: Record<string, string> = { host: url.host };
  for (const [name, value] of Object.entries(headers)) {
    if (name.startsWith("x-amz-") || name === "content-md5") signed[name] = value.trim();
  }
  const names = Object.keys(signed).sort();
  const canonical = [
    input.method,
    url.pathname,
    url.search.slice(1),
    names.map((n) => `${n}:${signed[n]}\n`).join(""),
    names.join(";"),
    "UNSIGNED-PAYLOAD",
  ].join("\n");
  const scope = `${day}/${region}/s3/aws4_request`;
  const toSign = `AWS4-HMAC-SHA256\n${amzDate}\n${scope}\n${await sha256Hex(canonical)}`;
  const signature = hex(await hmac(await signingKey(credentials.secretAccessKey, day, region), toSign));
  headers.authorization =
    `AWS4-HMAC-SHA256 Credential=${credentials.accessKeyId}/${scope}, SignedHeaders=${names.join(";")}, Signature=${signature}`;
  return headers;
}
