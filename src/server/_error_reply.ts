/**
 * Mapping of errors to FTP replies.
 *
 * @module
 */

import { PathIOError } from "../errors.ts";
import { InvalidPathError } from "../protocol/virtual_path.ts";
import { showPath } from "./_path_replies.ts";

/**
 * The reply for an error: 501 for invalid paths, 550/552/451 for storage errors by kind,
 * 451 for anything else.
 *
 * @param e The error.
 * @param path The virtual path concerned.
 * @returns Code and text.
 */
export function errorReply(e: unknown, path?: string): [string, string] {
  if (e instanceof InvalidPathError) return ["501", "Invalid path: NUL characters are not allowed."];
  const p = path === undefined ? "" : `${showPath(path)}: `;
  if (e instanceof PathIOError) {
    switch (e.kind) {
      case "not-found":
        return ["550", `${p}No such file or directory.`];
      case "exists":
        return ["550", `${p}File exists.`];
      case "not-a-directory":
        return ["550", `${p}Not a directory.`];
      case "is-a-directory":
        return ["550", `${p}Is a directory.`];
      case "not-empty":
        return ["550", `${p}Directory not empty.`];
      case "permission":
      case "outside-root":
        return ["550", `${p}Permission denied.`];
      case "no-space":
        return ["552", `${p}Insufficient storage space (quota exceeded).`];
      default:
        return ["451", `${p}Storage error; try again later.`];
    }
  }
  return ["451", "Requested action aborted: local error in processing."];
}
