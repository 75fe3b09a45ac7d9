/**
 * Virtual path arithmetic: the absolute POSIX paths that FTP clients see and that every
 * {@linkcode PathIO} is addressed with. Pure string work, no storage access.
 *
 * Decisions, applied everywhere in anyftp:
 * - Only `/` separates names. A backslash is an ordinary name character in the virtual
 *   namespace (POSIX file names may contain it). Storages whose host treats `\` as a separator
 *   (LocalPathIO on Windows) refuse such names with kind `"outside-root"` rather than guess.
 * - `.` and `..` are resolved lexically and `..` never climbs above `/` (`/../../x` → `/x`),
 *   the way a chroot behaves. Symlinks are the storage's business, not this module's.
 * - `~` is not special; it is a name like any other.
 * - NUL can never be part of a path: it throws {@linkcode InvalidPathError}, which a server
 *   answers with 501 (syntax error in parameters).
 *
 * @module
 */

import { InvalidPathError } from "../errors.ts";

/** Paths with NUL are refused with this error (defined with the other public errors). */
export { InvalidPathError };

/**
 * Throw {@linkcode InvalidPathError} when the path holds a NUL character.
 *
 * @param path The path or argument to check.
 * @returns Nothing; throws when invalid.
 *
 * @example
 * ```ts
 * import { assertValidPath } from "./virtual_path.ts";
 * assertValidPath("/fine/name.txt"); // no error
 * ```
 */
export function assertValidPath(path: string): void {
  if (path.includes("\0")) throw new InvalidPathError(path);
}

/**
 * The names of a path after normalisation, outermost first; `[]` for the root.
 *
 * @param path Any path; relative paths are taken relative to `/`.
 * @returns The names, with `.`/`..`/empty segments resolved away.
 *
 * @example
 * ```ts
 * import { virtualPathSegments } from "./virtual_path.ts";
 * virtualPathSegments("/a//b/../c/"); // ["a", "c"]
 * ```
 */
export function virtualPathSegments(path: string): string[] {
  assertValidPath(path);
  const out: string[] = [];
  for (const part of path.split("/")) {
    if (part === "" || part === ".") continue;
    if (part === "..") out.pop(); // popping the root is a no-op: never above "/"
    else out.push(part);
  }
  return out;
}

/**
 * Normalise a path to an absolute POSIX path: duplicate slashes, `.` and `..` resolved, no
 * trailing slash, never above `/`. A relative path is taken relative to `/`.
 *
 * @param path The path.
 * @returns The normalised absolute path (`"/"` for the root).
 * @throws {InvalidPathError} When the path contains NUL.
 *
 * @example
 * ```ts
 * import { normalizeVirtualPath } from "./virtual_path.ts";
 * normalizeVirtualPath("/../../etc//passwd/."); // "/etc/passwd"
 * ```
 */
export function normalizeVirtualPath(path: string): string {
  return "/" + virtualPathSegments(path).join("/");
}

/**
 * Resolve a client-supplied argument against the session's working directory: absolute
 * arguments stand alone, relative ones are taken from `cwd`, an empty argument is `cwd`.
 *
 * @param cwd The current virtual directory (absolute).
 * @param arg The argument as the client sent it.
 * @returns The normalised absolute path.
 * @throws {InvalidPathError} When either contains NUL.
 *
 * @example
 * ```ts
 * import { resolveVirtualPath } from "./virtual_path.ts";
 * resolveVirtualPath("/home/bob", "../alice/x.txt"); // "/home/alice/x.txt"
 * resolveVirtualPath("/home/bob", "/etc"); // "/etc"
 * resolveVirtualPath("/home/bob", "~"); // "/home/bob/~"
 * ```
 */
export function resolveVirtualPath(cwd: string, arg: string): string {
  assertValidPath(arg);
  if (arg.startsWith("/")) return normalizeVirtualPath(arg);
  return normalizeVirtualPath(cwd + "/" + arg);
}

/**
 * Join a directory and a name (or relative path) and normalise. Unlike
 * {@linkcode resolveVirtualPath}, a leading `/` in `name` does not restart from the root.
 *
 * @param dir The directory.
 * @param name The name or relative path inside it.
 * @returns The normalised absolute path.
 *
 * @example
 * ```ts
 * import { joinVirtualPath } from "./virtual_path.ts";
 * joinVirtualPath("/pub", "a.txt"); // "/pub/a.txt"
 * joinVirtualPath("/pub", "/a.txt"); // "/pub/a.txt"
 * ```
 */
export function joinVirtualPath(dir: string, name: string): string {
  return normalizeVirtualPath(dir + "/" + name);
}

/**
 * The last name of a path, or `""` for the root.
 *
 * @param path The path.
 * @returns The last name after normalisation.
 *
 * @example
 * ```ts
 * import { basename } from "./virtual_path.ts";
 * basename("/pub/a.txt/"); // "a.txt"
 * ```
 */
export function basename(path: string): string {
  const segments = virtualPathSegments(path);
  return segments.at(-1) ?? "";
}

/**
 * The parent directory of a path; the root is its own parent.
 *
 * @param path The path.
 * @returns The normalised parent path.
 *
 * @example
 * ```ts
 * import { dirname } from "./virtual_path.ts";
 * dirname("/pub/a.txt"); // "/pub"
 * dirname("/"); // "/"
 * ```
 */
export function dirname(path: string): string {
  const segments = virtualPathSegments(path);
  segments.pop();
  return "/" + segments.join("/");
}

/**
 * Whether `path` is `base` itself or lies below it (after normalising both), e.g. to find the
 * permission rule that applies to a path.
 *
 * @param base The directory.
 * @param path The path to test.
 * @returns `true` when `path` is inside `base` or equal to it.
 *
 * @example
 * ```ts
 * import { isVirtualPathInside } from "./virtual_path.ts";
 * isVirtualPathInside("/pub", "/pub/a.txt"); // true
 * isVirtualPathInside("/pub", "/public"); // false
 * ```
 */
export function isVirtualPathInside(base: string, path: string): boolean {
  const b = virtualPathSegments(base);
  const p = virtualPathSegments(path);
  if (p.length < b.length) return false;
  return b.every((name, i) => p[i] === name);
}
