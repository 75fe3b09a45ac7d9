/**
 * The two argument checks every storage shares: throwing a {@linkcode PathIOError} of a kind,
 * and validating a byte offset. Pure.
 *
 * @module
 */

import { PathIOError, type PathIOErrorKind } from "../errors.ts";

/**
 * Throw a {@linkcode PathIOError}.
 *
 * @param operation The storage operation.
 * @param path The virtual path.
 * @param kind What went wrong.
 * @param cause The original error, if any.
 * @returns Never.
 *
 * @example
 * ```ts
 * import { fail } from "./_fail.ts";
 * try { fail("stat", "/x", "not-found"); } catch (e) { console.log((e as Error).message); }
 * ```
 */
export function fail(operation: string, path: string, kind: PathIOErrorKind, cause?: unknown): never {
  throw new PathIOError(operation, path, { kind, cause });
}

/**
 * A byte offset as given, 0 when absent; anything but a non-negative safe integer is refused
 * with kind `"io"`.
 *
 * @param operation The storage operation.
 * @param path The virtual path.
 * @param offset The offset.
 * @returns The offset.
 *
 * @example
 * ```ts
 * import { checkOffset } from "./_fail.ts";
 * checkOffset("openRead", "/f", undefined); // 0
 * ```
 */
export function checkOffset(operation: string, path: string, offset: number | undefined): number {
  const value = offset ?? 0;
  if (!Number.isSafeInteger(value) || value < 0) {
    fail(operation, path, "io", new RangeError(`offset must be a non-negative integer, got ${offset}`));
  }
  return value;
}
