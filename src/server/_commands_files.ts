/**
 * File system commands over the control connection: PWD CWD CDUP MKD RMD DELE RNFR RNTO SIZE
 * MDTM MFMT MLST (and the X* aliases of RFC 775).
 *
 * @module
 */

import { parseMlsxTime } from "../protocol/mlsx_parse.ts";
import { formatMlsxLine, formatMlsxTime } from "../protocol/mlsx_format.ts";
import { isVirtualPathInside } from "../protocol/virtual_path.ts";
import type { CommandSpec } from "./_command_spec.ts";
import { cmd } from "./_command_spec.ts";
import type { Session } from "./_session.ts";

/** A path inside a 257 reply: wrapped in quotes, inner quotes doubled (RFC 959 appendix II). */
function quoted(path: string): string {
  return `"${path.replaceAll('"', '""')}"`;
}

function denied(s: Session, path: string): Promise<void> {
  return s.reply("550", `${JSON.stringify(path)}: Permission denied.`);
}

function missing(s: Session, path: string): Promise<void> {
  return s.reply("550", `${JSON.stringify(path)}: No such file or directory.`);
}

async function pwd(s: Session): Promise<void> {
  await s.reply("257", `${quoted(s.cwd)} is the current directory.`);
}

function cwd(s: Session, arg: string): Promise<void> {
  if (arg === "") return s.reply("501", "CWD needs a directory.");
  return changeDir(s, s.resolve(arg));
}

async function changeDir(s: Session, path: string): Promise<void> {
  if (!s.user!.access(path).readable) return denied(s, path);
  const st = await s.statOrUndefined(path);
  if (!st) return missing(s, path);
  if (st.type !== "dir") return s.reply("550", `${JSON.stringify(path)}: Not a directory.`);
  s.cwd = path;
  await s.reply("250", `Directory changed to ${quoted(path)}.`);
}

function cdup(s: Session): Promise<void> {
  return changeDir(s, s.resolve(".."));
}

async function mkd(s: Session, arg: string): Promise<void> {
  if (arg === "") return s.reply("501", "MKD needs a directory name.");
  const path = s.resolve(arg);
  if (!s.user!.access(path).writable) return denied(s, path);
  if (path === "/") return s.reply("550", `"/": File exists.`);
  try {
    await s.fs.mkdir(s.storagePath(path));
  } catch (e) {
    return s.replyError(e, path);
  }
  await s.reply("257", `${quoted(path)} created.`);
}

async function rmd(s: Session, arg: string): Promise<void> {
  if (arg === "") return s.reply("501", "RMD needs a directory name.");
  const path = s.resolve(arg);
  if (!s.user!.access(path).writable) return denied(s, path);
  if (path === "/") return s.reply("550", "The root directory cannot be removed.");
  const st = await s.statOrUndefined(path);
  if (!st) return missing(s, path);
  if (st.type !== "dir") return s.reply("550", `${JSON.stringify(path)}: Not a directory (use DELE).`);
  try {
    await s.fs.rmdir(s.storagePath(path));
  } catch (e) {
    return s.replyError(e, path);
  }
  await s.reply("250", `Directory ${quoted(path)} removed.`);
}

async function dele(s: Session, arg: string): Promise<void> {
  if (arg === "") return s.reply("501", "DELE needs a file name.");
  const path = s.resolve(arg);
  if (!s.user!.access(path).writable) return denied(s, path);
  const st = await s.statOrUndefined(path);
  if (!st) return missing(s, path);
  if (st.type === "dir") return s.reply("550", `${JSON.stringify(path)}: Is a directory (use RMD).`);
  try {
    await s.fs.unlink(s.storagePath(path));
  } catch (e) {
    return s.replyError(e, path);
  }
  await s.reply("250", `File ${quoted(path)} deleted.`);
}

async function rnfr(s: Session, arg: string): Promise<void> {
  if (arg === "") return s.reply("501", "RNFR needs a path.");
  const path = s.resolve(arg);
  if (!s.user!.access(path).writable) return denied(s, path);
  if (path === "/") return s.reply("550", "The root directory cannot be renamed.");
  if (!(await s.statOrUndefined(path))) return missing(s, path);
  s.renameFrom = path;
  await s.reply("350", "Ready for RNTO.");
}

async function rnto(s: Session, arg: string): Promise<void> {
  const from = s.renameFrom;
  s.renameFrom = undefined;
  if (!from) return s.reply("503", "Send RNFR first.");
  if (arg === "") return s.reply("501", "RNTO needs a path.");
  const to = s.resolve(arg);
  if (!s.user!.access(to).writable) return denied(s, to);
  if (to === "/") return s.reply("550", `"/": File exists.`);
  if (to !== from && isVirtualPathInside(from, to)) {
    return s.reply("550", "A directory cannot be moved into itself.");
  }
  try {
    if (to !== from) await s.fs.rename(s.storagePath(from), s.storagePath(to));
  } catch (e) {
    return s.replyError(e, to);
  }
  await s.reply("250", `Renamed to ${quoted(to)}.`);
}

async function size(s: Session, arg: string): Promise<void> {
  if (arg === "") return s.reply("501", "SIZE needs a file name.");
  const path = s.resolve(arg);
  if (!s.user!.access(path).readable) return denied(s, path);
  const st = await s.statOrUndefined(path);
  if (!st) return missing(s, path);
  if (st.type !== "file") return s.reply("550", `${JSON.stringify(path)}: Not a regular file.`);
  await s.reply("213", String(st.size));
}

async function mdtm(s: Session, arg: string): Promise<void> {
  if (arg === "") return s.reply("501", "MDTM needs a file name.");
  const path = s.resolve(arg);
  if (!s.user!.access(path).readable) return denied(s, path);
  const st = await s.statOrUndefined(path);
  if (!st) return missing(s, path);
  await s.reply("213", formatMlsxTime(st.mtime));
}

async function mfmt(s: Session, arg: string): Promise<void> {
  const m = /^(\S+)\s+(.+)$/.exec(arg.trim());
  const time = m ? parseMlsxTime(m[1]!) : undefined;
  if (!m || !time) return s.reply("501", "Usage: MFMT YYYYMMDDHHMMSS <path>");
  const setMtime = s.fs.setMtime;
  if (!setMtime) return s.reply("502", "MFMT is not supported by this storage.");
  const path = s.resolve(m[2]!);
  if (!s.user!.access(path).writable) return denied(s, path);
  if (!(await s.statOrUndefined(path))) return missing(s, path);
  try {
    await setMtime.call(s.fs, s.storagePath(path), time);
  } catch (e) {
    return s.replyError(e, path);
  }
  await s.reply("213", `Modify=${formatMlsxTime(time)}; ${path}`);
}

async function mlst(s: Session, arg: string): Promise<void> {
  const path = s.resolve(arg.trim());
  const access = s.user!.access(path);
  if (!access.readable) return denied(s, path);
  const st = await s.statOrUndefined(path);
  if (!st) return missing(s, path);
  const line = formatMlsxLine(path, st, { facts: s.mlstFacts, access });
  // The entry line starts with exactly one space (RFC 3659 section 7.2).
  await s.reply("250", [`Listing ${path}`, ` ${line}`, "End."]);
}

/** File system commands. */
export const FILE_COMMANDS: [string, CommandSpec][] = [
  ["PWD", cmd(true, "PWD", pwd)],
  ["XPWD", cmd(true, "XPWD", pwd)],
  ["CWD", cmd(true, "CWD <directory>", cwd)],
  ["XCWD", cmd(true, "XCWD <directory>", cwd)],
  ["CDUP", cmd(true, "CDUP", cdup)],
  ["XCUP", cmd(true, "XCUP", cdup)],
  ["MKD", cmd(true, "MKD <directory>", mkd)],
  ["XMKD", cmd(true, "XMKD <directory>", mkd)],
  ["RMD", cmd(true, "RMD <directory>", rmd)],
  ["XRMD", cmd(true, "XRMD <directory>", rmd)],
  ["DELE", cmd(true, "DELE <file>", dele)],
  ["RNFR", cmd(true, "RNFR <path>", rnfr)],
  ["RNTO", cmd(true, "RNTO <path>", rnto)],
  ["SIZE", cmd(true, "SIZE <file>", size)],
  ["MDTM", cmd(true, "MDTM <file>", mdtm)],
  ["MFMT", cmd(true, "MFMT YYYYMMDDHHMMSS <path>", mfmt)],
  ["MLST", cmd(true, "MLST [<path>]", mlst)],
];
