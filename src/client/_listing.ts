/**
 * Directory listings and facts about one path: MLSD and MLST where the server has them,
 * LIST (Unix and DOS formats, plus the user's parser) and the parent's listing where it does
 * not. Listings are read whole, within `maxListingBytes`.
 *
 * @module
 */

import type { ParsedEntry } from "../protocol/list_entry.ts";
import { parseListLine } from "../protocol/list_parse.ts";
import { isMlsxSelfOrParent, parseMlsxLine } from "../protocol/mlsx_parse.ts";
import { FtpError, StatusCodeError } from "../errors.ts";
import { textDecoder } from "./_encoding.ts";
import { concatBytes } from "../streams/bytes.ts";
import { mdtmCommand, sizeCommand } from "./_file_facts.ts";
import { isNotFound, isNotImplemented, isRefusal } from "./_replies.ts";
import {
  isSafeEntryName,
  joinRemote,
  MAX_TREE_DEPTH,
  remoteBasename,
  remoteDirname,
} from "./_remote_path.ts";
import type { ClientSession } from "./_session.ts";
import { startTransfer, throwIfAborted } from "./_start_transfer.ts";
import { downloadReadable } from "./_transfer_streams.ts";
import { ListResult } from "./list_result.ts";
import type { ListOptions, RemoteEntry } from "./options.ts";

/**
 * List a path, one directory at a time with the queue held per directory (so the client is
 * free between directories), breadth first when recursive. Symbolic links and unsafe names
 * are not descended into.
 *
 * @param s The session.
 * @param path The directory, `""` for the working directory.
 * @param options Recursion, the listing command, abort signal.
 * @returns The entries, awaitable and iterable.
 */
export function listEntries(s: ClientSession, path: string, options: ListOptions): ListResult {
  return new ListResult(async function* () {
    const pending = [{ dir: path, depth: 0 }];
    while (pending.length > 0) {
      throwIfAborted(options.signal);
      const { dir, depth } = pending.shift()!;
      const entries = await s.exclusive(() => listDir(s, dir, options.command, options.signal));
      for (const entry of entries) {
        yield entry;
        if (
          options.recursive && entry.type === "dir" && isSafeEntryName(entry.name) &&
          depth < MAX_TREE_DEPTH
        ) {
          pending.push({ dir: entry.path, depth: depth + 1 });
        }
      }
    }
  });
}

/**
 * List one directory (queue held): MLSD unless the server lacks it (500/502 remembered,
 * 501/504 tried again next time), else LIST. `.` and `..` are left out.
 *
 * @param s The session.
 * @param path The directory, `""` for the working directory.
 * @param command Force MLSD or LIST (no fallback then).
 * @param signal Aborts the listing (ABOR).
 * @returns The entries, their paths joined to `path`.
 */
export async function listDir(
  s: ClientSession,
  path: string,
  command?: "MLSD" | "LIST",
  signal?: AbortSignal,
): Promise<RemoteEntry[]> {
  const arg = path === "" ? "" : ` ${path}`;
  if (command === "MLSD" || (command === undefined && !s.unsupported.has("MLSD"))) {
    try {
      return await readEntries(s, `MLSD${arg}`, path, signal, (line) => {
        const e = parseMlsxLine(line);
        return e && !isMlsxSelfOrParent(e) ? e : undefined;
      });
    } catch (e) {
      if (command !== undefined || !(e instanceof StatusCodeError)) throw e;
      if (isNotImplemented(e)) s.unsupported.add("MLSD");
      else if (e.received !== "501" && e.received !== "504") throw e;
    }
  }
  const parse = (line: string) => {
    const e = parseLine(s, line);
    return e && e.name !== "." && e.name !== ".." ? e : undefined;
  };
  if (!s.options.listHidden || s.unsupported.has("LIST -a")) {
    return await readEntries(s, `LIST${arg}`, path, signal, parse);
  }
  // `LIST -a` for hidden files; a server that refuses the option (5xx) gets a plain LIST,
  // and when that works the option is not sent again.
  try {
    return await readEntries(s, `LIST -a${arg}`, path, signal, parse);
  } catch (e) {
    if (!isRefusal(e)) throw e;
  }
  const entries = await readEntries(s, `LIST${arg}`, path, signal, parse);
  s.unsupported.add("LIST -a");
  return entries;
}

/** A LIST line through the user's parser (first or last) and the built-in ones. */
function parseLine(s: ClientSession, line: string): ParsedEntry | undefined {
  const { listParser: custom, listParserOrder: order } = s.options;
  // The user's parser may hand out shared or frozen objects: copy them (ours are fresh).
  if (custom && order === "first") {
    const e = custom(line);
    if (e) return { ...e };
  }
  const e = parseListLine(line);
  if (e) return e;
  const late = custom && order === "last" ? custom(line) : undefined;
  return late && { ...late };
}

/**
 * Run a listing command and parse its lines as they arrive, within `maxListingBytes`: only
 * the entries are kept (not the listing's bytes, text and lines besides them), so a listing
 * costs little more memory than its entries.
 */
async function readEntries(
  s: ClientSession,
  command: string,
  dir: string,
  signal: AbortSignal | undefined,
  parse: (line: string) => ParsedEntry | undefined,
): Promise<RemoteEntry[]> {
  const max = s.options.maxListingBytes;
  const decode = textDecoder(s.options.encoding);
  const out: RemoteEntry[] = [];
  const lines = (bytes: Uint8Array) => {
    for (const raw of decode(bytes).split("\n")) {
      const line = raw.endsWith("\r") ? raw.slice(0, -1) : raw;
      const e = line === "" ? undefined : parse(line);
      if (e) out.push(withPath(e, joinRemote(dir, e.name)));
    }
  };
  const t = await startTransfer(s, command, { signal });
  const reader = downloadReadable(t, s.options.dataTimeout, {}).getReader();
  let rest: Uint8Array[] = []; // The start of a line not yet ended.
  let restBytes = 0;
  let total = 0;
  try {
    while (true) {
      const { value, done } = await reader.read();
      if (done) break;
      total += value.byteLength;
      if (total > max) {
        throw new FtpError(
          `The listing of "${command}" exceeds ${max} bytes: aborted. Raise maxListingBytes or list a smaller directory.`,
        );
      }
      const end = value.lastIndexOf(0x0a);
      if (end < 0) {
        rest.push(value);
        restBytes += value.byteLength;
        if (restBytes > MAX_LISTING_LINE) {
          throw new FtpError(
            `The listing of "${command}" has a line longer than ${MAX_LISTING_LINE} bytes: aborted.`,
          );
        }
        continue;
      }
      lines(restBytes > 0 ? concatBytes([...rest, value.subarray(0, end)]) : value.subarray(0, end));
      rest = [value.slice(end + 1)];
      restBytes = rest[0]!.byteLength;
    }
  } catch (e) {
    await reader.cancel(e).catch(() => {});
    throw e;
  }
  if (restBytes > 0) lines(concatBytes(rest));
  return out;
}

/** The parser's fresh entry, given its path in place (a copy per entry doubles the garbage). */
function withPath(e: ParsedEntry, path: string): RemoteEntry {
  (e as { path?: string }).path = path;
  return e as RemoteEntry;
}

/** Longest listing line accepted (names are short; only a hostile server sends more). */
const MAX_LISTING_LINE = 1024 * 1024;


/**
 * MLST of one path (queue held), or `undefined` when the server lacks MLST (500/502,
 * remembered) or sent no fact line.
 *
 * @param s The session.
 * @param path The path.
 * @returns The entry; rejects with a `StatusCodeError` (550) when it does not exist.
 */
export async function mlst(s: ClientSession, path: string): Promise<RemoteEntry | undefined> {
  if (s.unsupported.has("MLST")) return undefined;
  let r;
  try {
    r = await s.execute(`MLST ${path}`, ["250"]);
  } catch (e) {
    if (!isNotImplemented(e)) throw e;
    s.unsupported.add("MLST");
    return undefined;
  }
  const line = r.lines.slice(1, -1).find((l) => l.startsWith(" ")) ?? r.lines[1] ??
    r.lines[0] ?? "";
  const entry = parseMlsxLine(line);
  return entry ? { ...entry, name: remoteBasename(path) || entry.name, path } : undefined;
}

/**
 * Facts about one path (queue held): MLST; without it, SIZE (which only files answer, with
 * MDTM for the time), and the parent's listing for the rest.
 *
 * @param s The session.
 * @param path The path.
 * @returns The entry; rejects with a `StatusCodeError` 550 when it does not exist.
 */
export async function stat(s: ClientSession, path: string): Promise<RemoteEntry> {
  const entry = await mlst(s, path);
  if (entry) return entry;
  const name = remoteBasename(path);
  if (name === "" || name === "." || name === "..") {
    // The root or a relative directory: its parent's listing cannot show it.
    await s.execute("PWD", ["257"]);
    return { name, path, type: "dir", facts: {} };
  }
  const file = await statBySize(s, path, name);
  if (file) return file;
  const parent = remoteDirname(path);
  const found = (await listDir(s, parent)).find((e) => e.name === name);
  if (!found) {
    throw new StatusCodeError({
      expected: ["2xx"],
      received: "550",
      command: `LIST ${parent}`,
      info: [`"${name}" is not in the listing of "${parent || "."}"`],
    });
  }
  return { ...found, path };
}

/** A file by SIZE (and MDTM), `undefined` when SIZE does not answer for it. */
async function statBySize(
  s: ClientSession,
  path: string,
  name: string,
): Promise<RemoteEntry | undefined> {
  if (s.unsupported.has("SIZE")) return undefined;
  let size: number;
  try {
    size = await sizeCommand(s, path);
  } catch (e) {
    if (!(e instanceof StatusCodeError) || !/^[45]/.test(e.received)) throw e;
    if (isNotImplemented(e)) s.unsupported.add("SIZE");
    return undefined; // A directory, a missing path, or no SIZE: the listing decides.
  }
  let modified: Date | undefined;
  if (!s.unsupported.has("MDTM")) {
    modified = await mdtmCommand(s, path).catch((e) => {
      if (isNotImplemented(e)) s.unsupported.add("MDTM");
      else if (!(e instanceof StatusCodeError)) throw e;
      return undefined;
    });
  }
  return { name, path, type: "file", size, ...(modified ? { modified } : {}), facts: {} };
}

/**
 * {@linkcode stat}, or `undefined` when the path does not exist (550, 450).
 *
 * @param s The session (queue held).
 * @param path The path.
 * @returns The entry, if any.
 */
export async function statIfExists(s: ClientSession, path: string): Promise<RemoteEntry | undefined> {
  try {
    return await stat(s, path);
  } catch (e) {
    if (isNotFound(e)) return undefined;
    throw e;
  }
}
