/**
 * The shape of one remote directory entry, as the listing parsers (MLSx facts, Unix `ls`,
 * DOS/IIS) produce it and as the client returns it.
 *
 * @module
 */

/**
 * Kind of a remote entry.
 *
 * @example
 * ```ts
 * import type { RemoteEntryType } from "./list_entry.ts";
 * const t: RemoteEntryType = "symlink";
 * ```
 */
export type RemoteEntryType = "file" | "dir" | "symlink" | "other";

/**
 * One parsed listing line: what a server told about a name.
 *
 * @example
 * ```ts
 * import type { ParsedEntry } from "./list_entry.ts";
 * const e: ParsedEntry = { name: "a.txt", type: "file", size: 5, facts: {} };
 * console.log(e.name);
 * ```
 */
export interface ParsedEntry {
  /** Entry name as the server sent it (not checked: it may contain `/`, `..` or backslashes). */
  readonly name: string;
  /** Kind of entry; a symlink whose target type is unknown is `"symlink"`. */
  readonly type: RemoteEntryType;
  /** Size in bytes, when the server told it. */
  readonly size?: number;
  /** Last modification time, when the server told it (LIST times are read as UTC). */
  readonly modified?: Date;
  /** Target of a symbolic link (`name -> target` in LIST, `OS.unix=slink:target` in MLSx). */
  readonly linkTarget?: string;
  /** Unix permission bits when known, e.g. `0o644`. */
  readonly mode?: number;
  /** Owner name or id when known. */
  readonly owner?: string;
  /** Group name or id when known. */
  readonly group?: string;
  /** MLSx facts with lower-cased names (`{ type: "file", size: "5", … }`); `{}` for LIST lines. */
  readonly facts: Readonly<Record<string, string>>;
}

/**
 * A parser for one LIST line: returns `undefined` for lines it does not understand (headers
 * such as `total 12`, or another format).
 *
 * @example
 * ```ts
 * import type { ListLineParser } from "./list_entry.ts";
 * const parser: ListLineParser = (line) =>
 *   line.startsWith("F ") ? { name: line.slice(2), type: "file", facts: {} } : undefined;
 * ```
 */
export type ListLineParser = (line: string) => ParsedEntry | undefined;
