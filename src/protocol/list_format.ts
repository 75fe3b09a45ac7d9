/**
 * Formatting of `LIST` lines in the Unix `ls -l` style that nearly every FTP client parses
 * (RFC 959 leaves the format open; this is the de-facto one).
 *
 * @module
 */

import type { FileStat } from "./file_stat.ts";

const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
/** `ls` shows the year instead of the time for entries older than about six months. */
const SIX_MONTHS_MS = 182 * 24 * 3600 * 1000;
/** … or more than an hour in the future. */
const FUTURE_SLACK_MS = 3600 * 1000;

/** Options for {@linkcode formatListLine}. */
export interface ListLineOptions {
  /** The current time, which decides between `HH:MM` and the year. @default new Date() */
  readonly now?: Date;
  /** Owner shown when the storage reports none. @default "ftp" */
  readonly defaultOwner?: string;
  /** Group shown when the storage reports none. @default "ftp" */
  readonly defaultGroup?: string;
}

/**
 * The ten-character mode column of `ls -l`, e.g. `drwxr-xr-x`.
 *
 * @param type The entry type.
 * @param mode Unix permission bits; defaults to `0o755` for directories, `0o777` for symlinks
 *   and `0o644` otherwise.
 * @returns The mode string.
 *
 * @example
 * ```ts
 * import { formatListMode } from "./list_format.ts";
 * formatListMode("file", 0o640); // "-rw-r-----"
 * ```
 */
export function formatListMode(type: FileStat["type"], mode?: number): string {
  const bits = mode ?? (type === "dir" ? 0o755 : type === "symlink" ? 0o777 : 0o644);
  const kind = type === "dir" ? "d" : type === "symlink" ? "l" : type === "other" ? "p" : "-";
  let out = kind;
  for (const shift of [6, 3, 0]) {
    const b = (bits >> shift) & 7;
    out += (b & 4 ? "r" : "-") + (b & 2 ? "w" : "-") + (b & 1 ? "x" : "-");
  }
  // setuid/setgid/sticky, the way ls shows them.
  const chars = out.split("");
  if (bits & 0o4000) chars[3] = chars[3] === "x" ? "s" : "S";
  if (bits & 0o2000) chars[6] = chars[6] === "x" ? "s" : "S";
  if (bits & 0o1000) chars[9] = chars[9] === "x" ? "t" : "T";
  return chars.join("");
}

/**
 * The date column of `ls -l` (UTC): `Jan  5 12:34` for recent entries, `Jan  5  2023` for
 * entries older than six months or in the future.
 *
 * @param mtime The modification time.
 * @param now The current time.
 * @returns Twelve characters.
 *
 * @example
 * ```ts
 * import { formatListDate } from "./list_format.ts";
 * formatListDate(new Date("2020-03-04T05:06:00Z"), new Date("2024-01-01T00:00:00Z")); // "Mar  4  2020"
 * ```
 */
export function formatListDate(mtime: Date, now: Date = new Date()): string {
  const t = mtime.getTime();
  const valid = Number.isFinite(t);
  const d = valid ? mtime : new Date(0);
  const month = MONTHS[d.getUTCMonth()]!;
  const day = String(d.getUTCDate()).padStart(2, " ");
  const age = now.getTime() - d.getTime();
  if (valid && age < SIX_MONTHS_MS && age > -FUTURE_SLACK_MS) {
    const hh = String(d.getUTCHours()).padStart(2, "0");
    const mm = String(d.getUTCMinutes()).padStart(2, "0");
    return `${month} ${day} ${hh}:${mm}`;
  }
  return `${month} ${day}  ${String(d.getUTCFullYear()).padStart(4, " ")}`;
}

/**
 * Whether a name can be sent in a listing: names with CR or LF would forge extra lines (or
 * extra replies), so listings leave them out.
 *
 * @param name The entry name.
 * @returns `false` when the name holds CR or LF.
 *
 * @example
 * ```ts
 * import { isListableName } from "./list_format.ts";
 * isListableName("a\nb"); // false
 * ```
 */
export function isListableName(name: string): boolean {
  return !/[\r\n]/.test(name);
}

/**
 * One `LIST` line in the Unix `ls -l` format, without a line terminator:
 * `-rw-r--r--    1 ftp      ftp          1234 Jan  5 12:34 name` (symlinks end in `name -> target`).
 *
 * @param name The entry name (or the path, for `LIST file`).
 * @param stat Its metadata.
 * @param options Current time and default owner/group.
 * @returns The line.
 *
 * @example
 * ```ts
 * import { formatListLine } from "./list_format.ts";
 * const stat = { type: "file", size: 5, mtime: new Date("2024-01-31T12:00:00Z") } as const;
 * formatListLine("a.txt", stat, { now: new Date("2024-02-01T00:00:00Z") });
 * // "-rw-r--r--    1 ftp      ftp             5 Jan 31 12:00 a.txt"
 * ```
 */
export function formatListLine(name: string, stat: FileStat, options: ListLineOptions = {}): string {
  const mode = formatListMode(stat.type, stat.mode);
  const nlink = String(stat.nlink ?? (stat.type === "dir" ? 2 : 1)).padStart(4, " ");
  const owner = column(stat.owner ?? options.defaultOwner ?? "ftp");
  const group = column(stat.group ?? options.defaultGroup ?? "ftp");
  const size = String(stat.size).padStart(12, " ");
  const date = formatListDate(stat.mtime, options.now);
  const target = stat.type === "symlink" && stat.linkTarget !== undefined ? ` -> ${stat.linkTarget}` : "";
  return `${mode} ${nlink} ${owner} ${group} ${size} ${date} ${name}${target}`;
}

/** Owner/group columns: no spaces (they would shift the columns parsers count), padded to 8. */
function column(value: string): string {
  const v = value.replace(/\s+/g, "_") || "-";
  return v.padEnd(8, " ");
}
