/**
 * Which client-chosen names a server refuses to create. Control characters (U+0001–U+001F
 * and U+007F: ESC, BEL, CR, …) in a file name end up raw in listings, logs and terminals;
 * U+FFFD is what an invalid UTF-8 byte sequence decodes to, so two different invalid names
 * would silently become one. Both are refused (FTP servers answer 553) rather than stored.
 * NUL never gets this far: path resolution refuses it.
 *
 * @module
 */

/**
 * Why a name must not be created, or `undefined` when it may.
 *
 * @param name A file or directory name, or a whole path as the client sent it.
 * @returns A short reason for the reply, or undefined.
 *
 * @example
 * ```ts
 * import { unsafeNameReason } from "./name_check.ts";
 * console.log(unsafeNameReason("report.txt")); // undefined
 * console.log(unsafeNameReason("evil\x1b[2J")); // "it contains control characters"
 * ```
 */
export function unsafeNameReason(name: string): string | undefined {
  for (let i = 0; i < name.length; i++) {
    const c = name.charCodeAt(i);
    if ((c >= 0x01 && c <= 0x1f) || c === 0x7f) return "it contains control characters";
  }
  if (name.includes("\uFFFD")) return "it is not valid UTF-8 (or contains U+FFFD)";
  return undefined;
}
