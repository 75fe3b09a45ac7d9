/**
 * Formatting of machine-readable listings (RFC 3659 section 7): MLSD lines, the entry line of
 * an MLST reply, the FEAT advertisement and `OPTS MLST` fact selection. Also the
 * `YYYYMMDDHHMMSS` time format shared by MLSx `modify`, MDTM and MFMT.
 *
 * @module
 */

import type { FileStat } from "./file_stat.ts";

/** Every fact this formatter can produce, in the order they are written. */
export const MLSX_FACTS = [
  "type",
  "size",
  "modify",
  "perm",
  "unix.mode",
  "unix.owner",
  "unix.group",
] as const;

/** One MLSx fact name (lower case). */
export type MlsxFact = typeof MLSX_FACTS[number];

/** Facts sent until the client selects others with `OPTS MLST`. */
export const DEFAULT_MLSX_FACTS: readonly MlsxFact[] = [
  "type",
  "size",
  "modify",
  "perm",
  "unix.mode",
];

/**
 * Format a time as RFC 3659 `YYYYMMDDHHMMSS` in UTC (MDTM replies, MLSx `modify`).
 *
 * @param date The time; invalid dates format as the epoch.
 * @returns Fourteen digits.
 *
 * @example
 * ```ts
 * import { formatMlsxTime } from "./mlsx_format.ts";
 * formatMlsxTime(new Date("2024-01-31T12:00:05Z")); // "20240131120005"
 * ```
 */
export function formatMlsxTime(date: Date): string {
  const d = Number.isFinite(date.getTime()) ? date : new Date(0);
  const p = (n: number, w = 2) => String(n).padStart(w, "0");
  return `${p(d.getUTCFullYear(), 4)}${p(d.getUTCMonth() + 1)}${p(d.getUTCDate())}` +
    `${p(d.getUTCHours())}${p(d.getUTCMinutes())}${p(d.getUTCSeconds())}`;
}

/** Access rights used to compute the `perm` fact. */
export interface MlsxAccess {
  /** The user may read (retrieve, list, enter). */
  readonly readable: boolean;
  /** The user may write (store, append, delete, rename, create). */
  readonly writable: boolean;
}

/**
 * The `perm` fact value (RFC 3659 section 7.5.5) for an entry the user has the given access to.
 *
 * @param type The entry type.
 * @param access Whether the user may read and write it.
 * @returns E.g. `"rawdf"` for a writable file, `"el"` for a read-only directory.
 *
 * @example
 * ```ts
 * import { formatMlsxPerm } from "./mlsx_format.ts";
 * formatMlsxPerm("dir", { readable: true, writable: true }); // "elcmpdf"
 * ```
 */
export function formatMlsxPerm(type: FileStat["type"], access: MlsxAccess): string {
  if (type === "dir") return (access.readable ? "el" : "") + (access.writable ? "cmpdf" : "");
  return (access.readable ? "r" : "") + (access.writable ? "awdf" : "");
}

/** Options for {@linkcode formatMlsxFacts}. */
export interface MlsxFactsOptions {
  /** Facts to include. @default DEFAULT_MLSX_FACTS */
  readonly facts?: Iterable<MlsxFact>;
  /** The user's access, for the `perm` fact; without it `perm` is left out. @default undefined */
  readonly access?: MlsxAccess;
  /** Report the entry as the listed directory itself (`cdir`) or its parent (`pdir`). @default undefined */
  readonly typeOverride?: "cdir" | "pdir";
}

/**
 * The facts part of an MLSx line: `type=file;size=5;modify=20240131120000;` (with the
 * trailing semicolon, without the space and name).
 *
 * @param stat The entry's metadata.
 * @param options Which facts, and the user's access for `perm`.
 * @returns The facts.
 *
 * @example
 * ```ts
 * import { formatMlsxFacts } from "./mlsx_format.ts";
 * formatMlsxFacts({ type: "file", size: 5, mtime: new Date(0) }, { facts: ["type", "size"] });
 * // "type=file;size=5;"
 * ```
 */
export function formatMlsxFacts(stat: FileStat, options: MlsxFactsOptions = {}): string {
  const wanted = new Set(options.facts ?? DEFAULT_MLSX_FACTS);
  let out = "";
  for (const fact of MLSX_FACTS) {
    if (!wanted.has(fact)) continue;
    const value = factValue(fact, stat, options);
    if (value !== undefined) out += `${fact}=${value};`;
  }
  return out;
}

function factValue(fact: MlsxFact, stat: FileStat, options: MlsxFactsOptions): string | undefined {
  switch (fact) {
    case "type":
      if (options.typeOverride) return options.typeOverride;
      return stat.type === "file"
        ? "file"
        : stat.type === "dir"
        ? "dir"
        : stat.type === "symlink"
        ? "OS.unix=slink"
        : "OS.unix=special";
    case "size":
      return stat.type === "dir" ? undefined : String(stat.size);
    case "modify":
      return formatMlsxTime(stat.mtime);
    case "perm":
      return options.access ? formatMlsxPerm(stat.type, options.access) : undefined;
    case "unix.mode":
      return stat.mode === undefined ? undefined : "0" + (stat.mode & 0o7777).toString(8).padStart(3, "0");
    case "unix.owner":
      return stat.owner === undefined ? undefined : safeValue(stat.owner);
    case "unix.group":
      return stat.group === undefined ? undefined : safeValue(stat.group);
  }
}

/** Fact values may not hold `;`, `=`, spaces or control characters (RFC 3659 section 7.4). */
function safeValue(value: string): string {
  let out = "";
  for (const ch of value) out += ch === ";" || ch === "=" || ch <= " " ? "_" : ch;
  return out;
}

/**
 * One MLSD line (or, with a leading space added by the caller, the entry line of an MLST
 * reply): facts, one space, then the name.
 *
 * @param name Entry name (MLSD) or path (MLST).
 * @param stat Its metadata.
 * @param options Which facts, access for `perm`.
 * @returns The line without terminator.
 *
 * @example
 * ```ts
 * import { formatMlsxLine } from "./mlsx_format.ts";
 * formatMlsxLine("a.txt", { type: "file", size: 5, mtime: new Date(0) }, { facts: ["type", "size"] });
 * // "type=file;size=5; a.txt"
 * ```
 */
export function formatMlsxLine(name: string, stat: FileStat, options: MlsxFactsOptions = {}): string {
  return `${formatMlsxFacts(stat, options)} ${name}`;
}

/**
 * The fact list of the `MLST` FEAT line: every supported fact, the selected ones marked `*`.
 *
 * @param selected The facts currently selected.
 * @returns E.g. `"type*;size*;modify*;perm*;unix.mode*;unix.owner;unix.group;"`.
 *
 * @example
 * ```ts
 * import { formatMlstFeature } from "./mlsx_format.ts";
 * formatMlstFeature(["type"]); // "type*;size;modify;perm;unix.mode;unix.owner;unix.group;"
 * ```
 */
export function formatMlstFeature(selected: Iterable<MlsxFact>): string {
  const on = new Set(selected);
  return MLSX_FACTS.map((f) => `${f}${on.has(f) ? "*" : ""};`).join("");
}

/**
 * Parse the argument of `OPTS MLST` (after the word MLST): a `;`-separated fact list,
 * case-insensitive; unknown facts are ignored, as RFC 3659 section 7.9 asks.
 *
 * @param arg E.g. `"type;size;Modify;"`, or `""` to select none.
 * @returns The recognised facts, or `undefined` when the argument is malformed (holds spaces).
 *
 * @example
 * ```ts
 * import { parseMlstOptions } from "./mlsx_format.ts";
 * parseMlstOptions("Type;SIZE;x.unknown;"); // ["type", "size"]
 * ```
 */
export function parseMlstOptions(arg: string): MlsxFact[] | undefined {
  const text = arg.trim();
  if (/\s/.test(text)) return undefined;
  const names = new Set(text.split(";").map((f) => f.toLowerCase()).filter((f) => f !== ""));
  return MLSX_FACTS.filter((f) => names.has(f));
}
