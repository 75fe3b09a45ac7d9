/**
 * Parsing of MLSD lines and MLST replies (RFC 3659 section 7): `fact=value;…; pathname`.
 *
 * @module
 */

import type { ParsedEntry, RemoteEntryType } from "./list_entry.ts";

/**
 * Parse an RFC 3659 `YYYYMMDDHHMMSS[.sss]` UTC time value (MLSx `modify`, MDTM replies).
 *
 * @param value The time value.
 * @returns The date, or `undefined` when malformed.
 *
 * @example
 * ```ts
 * import { parseMlsxTime } from "./mlsx_parse.ts";
 * parseMlsxTime("20240131120000")?.toISOString(); // "2024-01-31T12:00:00.000Z"
 * ```
 */
export function parseMlsxTime(value: string): Date | undefined {
  const m = /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})(?:\.(\d{1,9}))?$/.exec(value.trim());
  if (!m) return undefined;
  const [y, mo, d, h, mi, s] = m.slice(1, 7).map(Number) as [
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  const ms = m[7] ? Math.floor(Number(`0.${m[7]}`) * 1000) : 0;
  if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || s > 60) return undefined;
  return new Date(Date.UTC(y, mo - 1, d, h, mi, s, ms));
}

/**
 * Parse one MLSD line, or the entry line of an MLST reply (its leading space is optional).
 * `cdir` and `pdir` entries come back with their `type` fact intact and entry type `"dir"`;
 * callers that list a directory skip them (see {@linkcode isMlsxSelfOrParent}).
 *
 * @param line The line, e.g. `type=file;size=5;modify=20240131120000; a.txt`.
 * @returns The entry, or `undefined` when the line is not MLSx.
 *
 * @example
 * ```ts
 * import { parseMlsxLine } from "./mlsx_parse.ts";
 * const e = parseMlsxLine("type=file;size=5;modify=20240131120000;perm=r; a b.txt");
 * console.log(e?.name, e?.type, e?.size); // "a b.txt" "file" 5
 * ```
 */
export function parseMlsxLine(line: string): ParsedEntry | undefined {
  // Facts contain no spaces (RFC 3659 section 7.2), so the first space ends them.
  const text = line.startsWith(" ") && !line.slice(1).startsWith(" ") && line.indexOf("=") > 0
    ? line.slice(1)
    : line;
  const space = text.indexOf(" ");
  if (space < 0) return undefined;
  const factText = text.slice(0, space);
  const name = text.slice(space + 1);
  if (name === "") return undefined;
  const facts: Record<string, string> = {};
  for (const part of factText.split(";")) {
    if (part === "") continue;
    const eq = part.indexOf("=");
    if (eq <= 0) return undefined;
    facts[part.slice(0, eq).toLowerCase()] = part.slice(eq + 1);
  }
  const rawType = (facts["type"] ?? "").toLowerCase();
  let type: RemoteEntryType = "other";
  let linkTarget: string | undefined;
  if (rawType === "file") type = "file";
  else if (rawType === "dir" || rawType === "cdir" || rawType === "pdir") type = "dir";
  else if (rawType.startsWith("os.unix=slink") || rawType === "os.unix=symlink") {
    type = "symlink";
    const original = facts["type"] ?? "";
    const colon = original.indexOf(":");
    if (colon >= 0 && colon < original.length - 1) linkTarget = original.slice(colon + 1);
  } else if (rawType === "" && facts["size"] !== undefined) type = "file";
  const sizeText = facts["size"] ?? facts["sizd"];
  const size = sizeText !== undefined && /^\d+$/.test(sizeText) ? Number(sizeText) : undefined;
  const modified = facts["modify"] !== undefined ? parseMlsxTime(facts["modify"]) : undefined;
  const modeText = facts["unix.mode"];
  const mode = modeText !== undefined && /^[0-7]{1,6}$/.test(modeText)
    ? parseInt(modeText, 8) & 0o7777
    : undefined;
  const owner = facts["unix.owner"] ?? facts["unix.uid"];
  const group = facts["unix.group"] ?? facts["unix.gid"];
  return {
    name,
    type,
    facts,
    ...(size !== undefined ? { size } : {}),
    ...(modified !== undefined ? { modified } : {}),
    ...(linkTarget !== undefined ? { linkTarget } : {}),
    ...(mode !== undefined ? { mode } : {}),
    ...(owner !== undefined ? { owner } : {}),
    ...(group !== undefined ? { group } : {}),
  };
}

/**
 * Whether a parsed MLSx entry is the listed directory itself or its parent (`type=cdir` or
 * `type=pdir`), or is named `.` or `..`: entries a listing leaves out.
 *
 * @param entry A parsed entry.
 * @returns True for entries to skip.
 *
 * @example
 * ```ts
 * import { isMlsxSelfOrParent, parseMlsxLine } from "./mlsx_parse.ts";
 * isMlsxSelfOrParent(parseMlsxLine("type=cdir; /pub")!); // true
 * ```
 */
export function isMlsxSelfOrParent(entry: ParsedEntry): boolean {
  const t = (entry.facts["type"] ?? "").toLowerCase();
  return t === "cdir" || t === "pdir" || entry.name === "." || entry.name === "..";
}
