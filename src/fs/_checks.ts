/**
 * Argument checks and the error shape shared by the storages.
 *
 * @module
 */

import { PathIOError, type PathIOErrorKind } from "../errors.ts";

/** A valid read/write offset (a non-negative safe integer, 0 when absent), else a PathIOError. */
export function checkOffset(operation: string, path: string, offset: number | undefined): number {
  const value = offset ?? 0;
  if (!Number.isSafeInteger(value) || value < 0) {
    fail(operation, path, "io", new RangeError(`offset must be a non-negative integer, got ${offset}`));
  }
  return value;
}

/** Throw a PathIOError of `kind` for `operation` on `path`. */
export function fail(operation: string, path: string, kind: PathIOErrorKind, cause?: unknown): never {
  throw new PathIOError(operation, path, { kind, cause });
}
