/**
 * Commands that move data over a data connection: RETR STOR STOU APPE LIST NLST MLSD.
 * Storage streams are piped straight into (or from) the data connection; nothing is held
 * whole in memory. Uploads follow the server's upload policy and lock their file (see
 * `_uploads.ts`).
 *
 * @module
 */

import type { DirEntry, FileStat, OpenWriteOptions } from "../fs/path_io.ts";
import { globMatcher, hasGlob } from "../protocol/glob.ts";
import { formatListLine, isListableName } from "../protocol/list_format.ts";
import { formatMlsxLine } from "../protocol/mlsx_format.ts";
import { basename, dirname, joinVirtualPath } from "../protocol/virtual_path.ts";
import { type CommandSpec, loginCommand } from "./_command_rows.ts";
import { stripListOptions } from "./_list_options.ts";
import { refuseUnsafeName, replyDenied, replyNotFound, replyWrongType, showPath } from "./_path_replies.ts";
import type { Encode } from "./_reply_writer.ts";
import type { LoggedInSession } from "./_session.ts";
import { isTempUploadName, tempUploadName } from "./_uploads.ts";

/** Listing bytes are sent in batches of about this size. */
const LIST_BATCH_CHARS = 16 * 1024;
/**
 * Entries examined before a listing lets other sessions run (a pattern that matches nothing
 * in a huge directory would otherwise scan it in one go).
 */
const LIST_YIELD_ENTRIES = 256;

function mode(s: LoggedInSession): string {
  return s.type === "A" ? "ASCII" : "BINARY";
}

async function retr(s: LoggedInSession, arg: string): Promise<void> {
  const offset = s.rest;
  s.rest = 0;
  if (arg === "") return s.reply("501", "RETR needs a file name.");
  const path = s.resolve(arg);
  if (!s.user.access(path).readable) return replyDenied(s, path);
  const st = await s.statOrUndefined(path);
  if (!st) return replyNotFound(s, path);
  if (st.type !== "file") return replyWrongType(s, path, "Not a regular file.");
  if (s.host.uploads.mode(s.fs, s.storagePath(path)) === "in-place") {
    return s.reply("450", `${showPath(path)}: File busy: it is being uploaded.`);
  }
  let source: ReadableStream<Uint8Array>;
  try {
    source = await s.fs.openRead(s.storagePath(path), { offset });
  } catch (e) {
    return s.replyError(e, path);
  }
  const bytes = Math.max(0, st.size - offset);
  await s.startTransfer({
    command: "RETR",
    path,
    preliminary: `Opening ${mode(s)} mode data connection for ${path} (${bytes} bytes).`,
    ascii: s.type === "A",
    source,
  });
}

async function store(s: LoggedInSession, arg: string, command: "STOR" | "APPE" | "STOU"): Promise<void> {
  const offset = s.rest;
  s.rest = 0;
  // ALLO's size counts the bytes on the wire: the file's size only in binary mode.
  const size = s.type === "I" ? s.allo : undefined;
  s.allo = undefined;
  if (arg === "" && command !== "STOU") return s.reply("501", `${command} needs a file name.`);
  if (await refuseUnsafeName(s, arg)) return;
  let path: string;
  if (command === "STOU") {
    const unique = await uniquePath(s, arg === "" ? s.resolve("stou") : s.resolve(arg));
    if (!unique) return s.reply("550", "Cannot find a unique file name.");
    path = unique;
  } else {
    path = s.resolve(arg);
  }
  if (!s.user.access(path).writable) return replyDenied(s, path);
  const parent = await s.statOrUndefined(dirname(path));
  if (!parent || parent.type !== "dir") {
    return s.reply("550", `${showPath(dirname(path))}: No such directory.`);
  }
  const existing = await s.statOrUndefined(path);
  if (existing?.type === "dir") return replyWrongType(s, path, "Is a directory.");
  const options: OpenWriteOptions = offset > 0
    ? { offset }
    : command === "APPE"
    ? { append: true }
    : size !== undefined
    ? { size }
    : {};
  // Resume and append extend the file itself; everything else may go through a temporary name.
  const inPlace = s.host.config.uploadPolicy === "in-place" || offset > 0 || command === "APPE";
  const target = s.storagePath(path);
  const unlock = s.host.uploads.lock(s.fs, target, inPlace ? "in-place" : "rename");
  if (!unlock) return s.reply("450", `${showPath(path)}: File busy: another upload to it is in progress.`);
  const name = basename(path);
  const temp = inPlace ? undefined : s.storagePath(joinVirtualPath(dirname(path), tempUploadName(name)));
  let sink: WritableStream<Uint8Array>;
  try {
    sink = await s.fs.openWrite(temp ?? target, options);
  } catch (e) {
    unlock();
    return s.replyError(e, path);
  }
  const fs = s.fs;
  const finish = async (ok: boolean): Promise<void> => {
    try {
      if (temp === undefined) return;
      if (!ok) return await fs.unlink(temp).catch(() => {});
      try {
        // The replaced file keeps its permission bits.
        if (existing?.mode !== undefined && fs.chmod) await fs.chmod(temp, existing.mode & 0o777);
        await fs.rename(temp, target);
      } catch (e) {
        await fs.unlink(temp).catch(() => {});
        throw e;
      }
    } finally {
      unlock();
    }
  };
  await s.startTransfer({
    command,
    path,
    preliminary: command === "STOU"
      ? `FILE: ${name}`
      : `Opening ${mode(s)} mode data connection for ${path}.`,
    ...(command === "STOU" ? { success: `Transfer complete (unique file name: ${name}).` } : {}),
    ascii: s.type === "A",
    sink,
    announced: options.size,
    finish,
  });
}

/** A free name for STOU: the base itself if free, else `base.1`, `base.2`, … */
async function uniquePath(s: LoggedInSession, base: string): Promise<string | undefined> {
  const free = async (path: string) =>
    !s.host.uploads.mode(s.fs, s.storagePath(path)) && !(await s.statOrUndefined(path));
  if (await free(base)) return base;
  for (let i = 1; i <= 999; i++) {
    const candidate = `${base}.${i}`;
    if (await free(candidate)) return candidate;
  }
  return undefined;
}

/**
 * A lazily generated listing: entries are read from the storage only as the data connection
 * takes them, in batches.
 */
function listingStream(
  entries: AsyncIterable<DirEntry>,
  format: (entry: DirEntry) => string | undefined,
  encode: Encode,
): ReadableStream<Uint8Array> {
  const it = entries[Symbol.asyncIterator]();
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      let text = "";
      let seen = 0;
      while (text.length < LIST_BATCH_CHARS) {
        if (++seen % LIST_YIELD_ENTRIES === 0) await yieldToEventLoop();
        const next = await it.next();
        if (next.done) {
          if (text) controller.enqueue(encode(text));
          controller.close();
          return;
        }
        const line = format(next.value);
        if (line !== undefined) text += line + "\r\n";
      }
      controller.enqueue(encode(text));
    },
    async cancel() {
      await it.return?.();
    },
  }, { highWaterMark: 0 });
}

/** Let timers and I/O of other sessions run (a macrotask, not a microtask). */
function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 0));
}

function single(line: string, encode: Encode): ReadableStream<Uint8Array> {
  const bytes = encode(line + "\r\n");
  return new ReadableStream({
    start(controller) {
      controller.enqueue(bytes);
      controller.close();
    },
  });
}

async function listing(s: LoggedInSession, arg: string, command: "LIST" | "NLST" | "MLSD"): Promise<void> {
  const pathArg = command === "MLSD" ? arg.trim() : stripListOptions(arg);
  const path = s.resolve(pathArg);
  const user = s.user;
  if (!user.access(path).readable) return replyDenied(s, path);
  let st = await s.statOrUndefined(path);
  let dir = path;
  let match: ((name: string) => boolean) | undefined;
  if (!st && command !== "MLSD" && hasGlob(basename(path))) {
    // `NLST *.txt` (mget and friends): list the parent, keep the names that match.
    dir = dirname(path);
    match = globMatcher(basename(path));
    st = await s.statOrUndefined(dir);
    if (st && st.type !== "dir") st = undefined;
  }
  if (!st) return replyNotFound(s, path);
  const encode = s.host.config.encode;
  const now = new Date();
  let source: ReadableStream<Uint8Array>;
  if (st.type !== "dir") {
    if (command === "MLSD") return s.reply("501", `${showPath(path)}: Not a directory (use MLST).`);
    const name = basename(path);
    source = single(command === "LIST" ? formatListLine(name, st, { now }) : name, encode);
  } else {
    const facts = s.mlstFacts;
    const format = (e: DirEntry): string | undefined => {
      if (!isListableName(e.name) || isTempUploadName(e.name) || (match && !match(e.name))) return undefined;
      if (command === "NLST") return e.name;
      if (command === "LIST") return formatListLine(e.name, e.stat, { now });
      return formatMlsxLine(e.name, e.stat as FileStat, {
        facts,
        access: user.access(joinVirtualPath(dir, e.name)),
      });
    };
    source = listingStream(s.fs.list(s.storagePath(dir)), format, encode);
  }
  await s.startTransfer({
    command,
    path,
    preliminary: `Opening ASCII mode data connection for ${command === "MLSD" ? "MLSD" : "file list"}.`,
    ascii: false,
    source,
  });
}

/** Data transfer commands. */
export const TRANSFER_COMMANDS: CommandSpec[] = [
  loginCommand("RETR", { syntax: "RETR <file>", dataChannel: true }, retr),
  loginCommand("STOR", { syntax: "STOR <file>", dataChannel: true }, (s, a) => store(s, a, "STOR")),
  loginCommand("APPE", { syntax: "APPE <file>", dataChannel: true }, (s, a) => store(s, a, "APPE")),
  loginCommand("STOU", { syntax: "STOU [<name>]", dataChannel: true }, (s, a) => store(s, a, "STOU")),
  loginCommand("LIST", { syntax: "LIST [-options] [<path>]", dataChannel: true }, (s, a) => listing(s, a, "LIST")),
  loginCommand("NLST", { syntax: "NLST [-options] [<path>]", dataChannel: true }, (s, a) => listing(s, a, "NLST")),
  loginCommand("MLSD", { syntax: "MLSD [<directory>]", dataChannel: true }, (s, a) => listing(s, a, "MLSD")),
];
