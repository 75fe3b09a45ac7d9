/**
 * Parsing of LIST lines: the Unix `ls -l` format (vsftpd, pyftpdlib, ProFTPD, Pure-FTPd and
 * most others, including symbolic links, device files, ACL markers and long-ISO dates) and
 * the DOS/IIS format (`01-31-24  03:45PM  <DIR>  name`). LIST has no standard; these are
 * the formats seen in the wild.
 *
 * @module
 */

import type { ParsedEntry, RemoteEntryType } from "./list_entry.ts";

/**
 * Options for the LIST parsers.
 *
 * @example
 * ```ts
 * import { type ListParseOptions, parseUnixListLine } from "./list_parse.ts";
 * const options: ListParseOptions = { now: new Date("2024-06-01T00:00:00Z") };
 * parseUnixListLine("-rw-r--r-- 1 0 0 5 Jan 31 12:00 a.txt", options)?.modified; // 2024-01-31T12:00Z
 * ```
 */
export interface ListParseOptions {
  /**
   * "Now" for dates without a year (`Jan 31 12:00`, recent files in `ls`): the year is chosen
   * so the date is not more than a day in the future. @default new Date()
   */
  readonly now?: Date;
}

const MONTHS: Record<string, number> = {
  jan: 0,
  feb: 1,
  mar: 2,
  apr: 3,
  may: 4,
  jun: 5,
  jul: 6,
  aug: 7,
  sep: 8,
  oct: 9,
  nov: 10,
  dec: 11,
};

// type+perms, links, owner [group], size, then the date and the name.
const UNIX = new RegExp(
  "^([-dlbcpsDn?])([-rwxsStTlL]{9})[+.@]?\\s+(\\d+)\\s+(?:(\\S+)\\s+)??(?:(\\S+)\\s+)??" +
    "(\\d+|\\d+,\\s*\\d+)\\s+" +
    "(?:([A-Za-z]{3})\\s+(\\d{1,2})\\s+(\\d{1,2}:\\d{2}(?::\\d{2})?|\\d{4})" +
    "|(\\d{4})-(\\d{2})-(\\d{2})\\s+(\\d{2}:\\d{2}(?::\\d{2}(?:\\.\\d+)?)?))" +
    " (.+)$",
);

function unixType(c: string): RemoteEntryType {
  if (c === "-") return "file";
  if (c === "d" || c === "D") return "dir";
  if (c === "l") return "symlink";
  return "other";
}

function unixMode(perms: string): number {
  let mode = 0;
  for (let i = 0; i < 9; i++) {
    const c = perms[i]!;
    if (c !== "-" && c !== "S" && c !== "T" && c !== "L" && c !== "l") mode |= 1 << (8 - i);
  }
  const special = [[2, 0o4000], [5, 0o2000], [8, 0o1000]] as const;
  for (const [i, bit] of special) {
    const c = perms[i]!;
    if (c === "s" || c === "S" || c === "t" || c === "T") mode |= bit;
  }
  return mode;
}

function yearless(month: number, day: number, hour: number, minute: number, now: Date): Date {
  let year = now.getUTCFullYear();
  let date = new Date(Date.UTC(year, month, day, hour, minute));
  // ls shows hh:mm for the last six months: a date ahead of now belongs to last year.
  if (date.getTime() > now.getTime() + 86_400_000) {
    year -= 1;
    date = new Date(Date.UTC(year, month, day, hour, minute));
  }
  return date;
}

/**
 * Parse one line of a Unix-style (`ls -l`) listing. Symbolic links come back with type
 * `"symlink"` and `linkTarget`; times are read as UTC (the server's zone is unknown).
 *
 * @param line The line, e.g. `-rw-r--r--    1 1000 1000   5 Jan 31 12:00 a.txt`.
 * @param options The reference date for year-less dates.
 * @returns The entry, or `undefined` for lines that are not entries (`total 8`, other formats).
 *
 * @example
 * ```ts
 * import { parseUnixListLine } from "./list_parse.ts";
 * const e = parseUnixListLine("lrwxrwxrwx 1 0 0 7 Jan 31  2023 latest -> v1.2.3");
 * console.log(e?.type, e?.name, e?.linkTarget); // "symlink" "latest" "v1.2.3"
 * ```
 */
export function parseUnixListLine(
  line: string,
  options: ListParseOptions = {},
): ParsedEntry | undefined {
  const m = UNIX.exec(line);
  if (!m) return undefined;
  const [, typeChar, perms, , col1, col2, sizeText, mon, day, timeOrYear, iy, im, id, itime, rest] =
    m as unknown as (string | undefined)[];
  const type = unixType(typeChar!);
  let modified: Date | undefined;
  if (mon !== undefined) {
    const month = MONTHS[mon.toLowerCase()];
    if (month === undefined) return undefined;
    const d = Number(day);
    if (timeOrYear!.includes(":")) {
      const [h, mi] = timeOrYear!.split(":").map(Number) as [number, number];
      modified = yearless(month, d, h, mi, options.now ?? new Date());
    } else {
      modified = new Date(Date.UTC(Number(timeOrYear), month, d));
    }
  } else {
    const [h, mi, s] = itime!.split(":").map(Number) as [number, number, number | undefined];
    modified = new Date(
      Date.UTC(Number(iy), Number(im) - 1, Number(id), h, mi, Math.floor(s ?? 0)),
    );
  }
  // With one column between links and size, it is the owner.
  const owner = col1 ?? col2;
  const group = col1 !== undefined ? col2 : undefined;
  let name = rest!;
  let linkTarget: string | undefined;
  if (type === "symlink") {
    const arrow = name.indexOf(" -> ");
    if (arrow >= 0) {
      linkTarget = name.slice(arrow + 4);
      name = name.slice(0, arrow);
    }
  }
  if (name === "") return undefined;
  // A device file shows "major, minor" where the size would be.
  const size = /^\d+$/.test(sizeText!) ? Number(sizeText) : undefined;
  return {
    name,
    type,
    facts: {},
    mode: unixMode(perms!),
    ...(size !== undefined ? { size } : {}),
    ...(modified !== undefined && !Number.isNaN(modified.getTime()) ? { modified } : {}),
    ...(linkTarget !== undefined ? { linkTarget } : {}),
    ...(owner !== undefined ? { owner } : {}),
    ...(group !== undefined ? { group } : {}),
  };
}

const DOS = new RegExp(
  "^(\\d{1,4})[-/.](\\d{1,2})[-/.](\\d{1,4})\\s+(\\d{1,2}):(\\d{2})(?::(\\d{2}))?\\s*([AaPp][Mm])?" +
    "\\s+(<DIR>|<JUNCTION>|<SYMLINKD?>|\\d[\\d,.]*)\\s+(.+)$",
);

/**
 * Parse one line of a DOS/IIS-style listing: `MM-DD-YY  hh:mmAM  <DIR>  name` or
 * `MM-DD-YYYY  hh:mm  1,234  name` (also `YYYY-MM-DD`, `/` separators, 24-hour times).
 * Two-digit years below 70 are 20xx. Times are read as UTC.
 *
 * @param line The line.
 * @returns The entry, or `undefined` when the line is not in this format.
 *
 * @example
 * ```ts
 * import { parseDosListLine } from "./list_parse.ts";
 * const e = parseDosListLine("01-31-24  03:45PM       <DIR>          My Docs");
 * console.log(e?.type, e?.name); // "dir" "My Docs"
 * ```
 */
export function parseDosListLine(line: string): ParsedEntry | undefined {
  const m = DOS.exec(line);
  if (!m) return undefined;
  const [, a, b, c, hh, mm, ss, ampm, what, name] = m as unknown as string[];
  let year: number, month: number, day: number;
  if (a!.length === 4) {
    year = Number(a);
    month = Number(b);
    day = Number(c);
  } else {
    month = Number(a);
    day = Number(b);
    year = Number(c);
    if (c!.length <= 2) year += year < 70 ? 2000 : 1900;
  }
  let hour = Number(hh);
  if (ampm) {
    const pm = ampm.toLowerCase() === "pm";
    if (hour === 12) hour = pm ? 12 : 0;
    else if (pm) hour += 12;
  }
  if (month < 1 || month > 12 || day < 1 || day > 31 || hour > 23) return undefined;
  const modified = new Date(Date.UTC(year, month - 1, day, hour, Number(mm), ss ? Number(ss) : 0));
  const upper = what!.toUpperCase();
  if (upper.startsWith("<")) {
    const type: RemoteEntryType =
      upper === "<DIR>" || upper === "<JUNCTION>" || upper === "<SYMLINKD>" ? "dir" : "symlink";
    // "<SYMLINK> name [target]" on newer Windows listings.
    const target = /^(.*) \[(.*)\]$/.exec(name!);
    if (upper.startsWith("<SYMLINK") && target) {
      return { name: target[1]!, type: "symlink", modified, linkTarget: target[2]!, facts: {} };
    }
    return { name: name!, type, modified, facts: {} };
  }
  const size = Number(what!.replace(/[,.]/g, ""));
  return { name: name!, type: "file", size, modified, facts: {} };
}

/**
 * Parse a LIST line in any known format (Unix first, then DOS/IIS).
 *
 * @param line The line.
 * @param options The reference date for year-less Unix dates.
 * @returns The entry, or `undefined` when no parser understood the line.
 *
 * @example
 * ```ts
 * import { parseListLine } from "./list_parse.ts";
 * parseListLine("drwxr-xr-x 2 ftp ftp 4096 Mar  1  2024 pub")?.type; // "dir"
 * ```
 */
export function parseListLine(
  line: string,
  options: ListParseOptions = {},
): ParsedEntry | undefined {
  return parseUnixListLine(line, options) ?? parseDosListLine(line);
}
