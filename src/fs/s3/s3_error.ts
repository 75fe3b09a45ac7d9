/**
 * The error an S3 request failed with (kept as the `cause` of the {@linkcode PathIOError}
 * the storage throws).
 *
 * @module
 */

/**
 * An S3 error response (or a network failure before any response): HTTP status, S3 error
 * code (`NoSuchKey`, `AccessDenied`, `SlowDown`, …), message and request id.
 *
 * @example
 * ```ts
 * import { S3Error } from "./s3_error.ts";
 * const e = new S3Error({ status: 404, code: "NoSuchKey", message: "The key does not exist.", method: "GET", key: "a.txt" });
 * console.log(e.code, e.status); // NoSuchKey 404
 * ```
 */
export class S3Error extends Error {
  /** HTTP status, or 0 when no response arrived. */
  readonly status: number;
  /** The S3 error code (`NoSuchKey`, `AccessDenied`, `SlowDown`, …), or `"NetworkError"`. */
  readonly code: string;
  /** The request id the server gave, when any. */
  readonly requestId: string | undefined;

  /**
   * Create an S3Error.
   *
   * @param details Status, code, message, the request's method and key, request id, cause.
   */
  constructor(details: {
    status: number;
    code: string;
    message?: string | undefined;
    method: string;
    key: string;
    requestId?: string | undefined;
    cause?: unknown;
  }) {
    super(
      `S3 ${details.method} ${JSON.stringify(details.key)} failed: ${details.status} ${details.code}${
        details.message ? ` (${details.message})` : ""
      }`,
      { cause: details.cause },
    );
    this.name = "S3Error";
    this.status = details.status;
    this.code = details.code;
    this.requestId = details.requestId;
  }
}
