/**
 * Translation of system error codes (`err.code` of `node:fs` errors, which Deno and Bun
 * reproduce) into {@linkcode PathIOError} kinds. Pure.
 *
 * @module
 */

import { PathIOError, type PathIOErrorKind } from "../errors.ts";

const KINDS: Record<string, PathIOErrorKind> = {
  ENOENT: "not-found",
  EEXIST: "exists",
  ENOTDIR: "not-a-directory",
  EISDIR: "is-a-directory",
  ENOTEMPTY: "not-empty",
  EACCES: "permission",
  EPERM: "permission",
  EROFS: "permission",
  // A symlink where O_NOFOLLOW forbids one (a dangling link or one swapped in concurrently).
  ELOOP: "permission",
  ENOSPC: "no-space",
  EDQUOT: "no-space",
  EFBIG: "no-space",
};

/**
 * The kind for a system error, `"io"` when the code is unknown.
 *
 * @param error Anything thrown by a file-system call.
 * @returns The matching kind.
 *
 * @example
 * ```ts
 * import { kindOfErrno } from "./_errno.ts";
 * kindOfErrno(Object.assign(new Error("x"), { code: "ENOENT" })); // "not-found"
 * ```
 */
export function kindOfErrno(error: unknown): PathIOErrorKind {
  const code = (error as { code?: unknown } | null)?.code;
  return (typeof code === "string" && KINDS[code]) || "io";
}

/**
 * Wrap a system error into a {@linkcode PathIOError}, keeping it as `cause`; a
 * `PathIOError` passes through unchanged.
 *
 * @param operation The storage operation.
 * @param path The virtual path.
 * @param error The thrown value.
 * @returns The error to throw.
 *
 * @example
 * ```ts
 * import { toPathIOError } from "./_errno.ts";
 * const e = toPathIOError("stat", "/x", Object.assign(new Error("x"), { code: "EACCES" }));
 * console.log(e.kind); // "permission"
 * ```
 */
export function toPathIOError(operation: string, path: string, error: unknown): PathIOError {
  if (error instanceof PathIOError) return error;
  return new PathIOError(operation, path, { kind: kindOfErrno(error), cause: error });
}
