/**
 * File system commands over the control connection: PWD CWD CDUP MKD RMD DELE RNFR RNTO SIZE
 * MDTM MFMT MLST (and the X* aliases of RFC 775).
 *
 * @module
 */

import { parseMlsxTime } from "../protocol/mlsx_parse.ts";
import { formatMlstFeature, formatMlsxLine, formatMlsxTime } from "../protocol/mlsx_format.ts";
import { isVirtualPathInside } from "../protocol/virtual_path.ts";
import { type CommandSpec, loginCommand } from "./_command_rows.ts";
import { quotePath, refuseUnsafeName, replyDenied, replyNotFound, replyWrongType } from "./_path_replies.ts";
import type { LoggedInSession } from "./_session.ts";

async function pwd(s: LoggedInSession): Promise<void> {
  await s.reply("257", `${quotePath(s.cwd)} is the current directory.`);
}

function cwd(s: LoggedInSession, arg: string): Promise<void> {
  if (arg === "") return s.reply("501", "CWD needs a directory.");
  return changeDir(s, s.resolve(arg));
}

async function changeDir(s: LoggedInSession, path: string): Promise<void> {
  if (!s.user.access(path).readable) return replyDenied(s, path);
  const st = await s.statOrUndefined(path);
  if (!st) return replyNotFound(s, path);
  if (st.type !== "dir") return replyWrongType(s, path, "Not a directory.");
  s.cwd = path;
  await s.reply("250", `Directory changed to ${quotePath(path)}.`);
}

function cdup(s: LoggedInSession): Promise<void> {
  return changeDir(s, s.resolve(".."));
}

async function mkd(s: LoggedInSession, arg: string): Promise<void> {
  if (arg === "") return s.reply("501", "MKD needs a directory name.");
  if (await refuseUnsafeName(s, arg)) return;
  const path = s.resolve(arg);
  if (!s.user.access(path).writable) return replyDenied(s, path);
  if (path === "/") return s.reply("550", `"/": File exists.`);
  try {
    await s.fs.mkdir(s.storagePath(path));
  } catch (e) {
    return s.replyError(e, path);
  }
  await s.reply("257", `${quotePath(path)} created.`);
}

async function rmd(s: LoggedInSession, arg: string): Promise<void> {
  if (arg === "") return s.reply("501", "RMD needs a directory name.");
  const path = s.resolve(arg);
  if (!s.user.access(path).writable) return replyDenied(s, path);
  if (path === "/") return s.reply("550", "The root directory cannot be removed.");
  const st = await s.statOrUndefined(path);
  if (!st) return replyNotFound(s, path);
  if (st.type !== "dir") return replyWrongType(s, path, "Not a directory (use DELE).");
  try {
    await s.fs.rmdir(s.storagePath(path));
  } catch (e) {
    return s.replyError(e, path);
  }
  await s.reply("250", `Directory ${quotePath(path)} removed.`);
}

async function dele(s: LoggedInSession, arg: string): Promise<void> {
  if (arg === "") return s.reply("501", "DELE needs a file name.");
  const path = s.resolve(arg);
  if (!s.user.access(path).writable) return replyDenied(s, path);
  const st = await s.statOrUndefined(path);
  if (!st) return replyNotFound(s, path);
  if (st.type === "dir") return replyWrongType(s, path, "Is a directory (use RMD).");
  try {
    await s.fs.unlink(s.storagePath(path));
  } catch (e) {
    return s.replyError(e, path);
  }
  await s.reply("250", `File ${quotePath(path)} deleted.`);
}

async function rnfr(s: LoggedInSession, arg: string): Promise<void> {
  if (arg === "") return s.reply("501", "RNFR needs a path.");
  const path = s.resolve(arg);
  if (!s.user.access(path).writable) return replyDenied(s, path);
  if (path === "/") return s.reply("550", "The root directory cannot be renamed.");
  if (!(await s.statOrUndefined(path))) return replyNotFound(s, path);
  s.renameFrom = path;
  await s.reply("350", "Ready for RNTO.");
}

async function rnto(s: LoggedInSession, arg: string): Promise<void> {
  const from = s.renameFrom;
  s.renameFrom = undefined;
  if (!from) return s.reply("503", "Send RNFR first.");
  if (arg === "") return s.reply("501", "RNTO needs a path.");
  if (await refuseUnsafeName(s, arg)) return;
  const to = s.resolve(arg);
  if (!s.user.access(to).writable) return replyDenied(s, to);
  if (to === "/") return s.reply("550", `"/": File exists.`);
  if (to !== from && isVirtualPathInside(from, to)) {
    return s.reply("550", "A directory cannot be moved into itself.");
  }
  try {
    if (to !== from) await s.fs.rename(s.storagePath(from), s.storagePath(to));
  } catch (e) {
    return s.replyError(e, to);
  }
  await s.reply("250", `Renamed to ${quotePath(to)}.`);
}

async function size(s: LoggedInSession, arg: string): Promise<void> {
  if (arg === "") return s.reply("501", "SIZE needs a file name.");
  const path = s.resolve(arg);
  if (!s.user.access(path).readable) return replyDenied(s, path);
  const st = await s.statOrUndefined(path);
  if (!st) return replyNotFound(s, path);
  if (st.type !== "file") return replyWrongType(s, path, "Not a regular file.");
  await s.reply("213", String(st.size));
}

async function mdtm(s: LoggedInSession, arg: string): Promise<void> {
  if (arg === "") return s.reply("501", "MDTM needs a file name.");
  const path = s.resolve(arg);
  if (!s.user.access(path).readable) return replyDenied(s, path);
  const st = await s.statOrUndefined(path);
  if (!st) return replyNotFound(s, path);
  await s.reply("213", formatMlsxTime(st.mtime));
}

async function mfmt(s: LoggedInSession, arg: string): Promise<void> {
  const m = /^(\S+)\s+(.+)$/.exec(arg.trim());
  const time = m ? parseMlsxTime(m[1]!) : undefined;
  if (!m || !time) return s.reply("501", "Usage: MFMT YYYYMMDDHHMMSS <path>");
  const setMtime = s.fs.setMtime;
  if (!setMtime) return s.reply("502", "MFMT is not supported by this storage.");
  const path = s.resolve(m[2]!);
  if (!s.user.access(path).writable) return replyDenied(s, path);
  if (!(await s.statOrUndefined(path))) return replyNotFound(s, path);
  try {
    await setMtime.call(s.fs, s.storagePath(path), time);
  } catch (e) {
    return s.replyError(e, path);
  }
  await s.reply("213", `Modify=${formatMlsxTime(time)}; ${path}`);
}

async function mlst(s: LoggedInSession, arg: string): Promise<void> {
  const path = s.resolve(arg.trim());
  const access = s.user.access(path);
  if (!access.readable) return replyDenied(s, path);
  const st = await s.statOrUndefined(path);
  if (!st) return replyNotFound(s, path);
  const line = formatMlsxLine(path, st, { facts: s.mlstFacts, access });
  // The entry line starts with exactly one space (RFC 3659 section 7.2).
  await s.reply("250", [`Listing ${path}`, ` ${line}`, "End."]);
}

/** File system commands. */
export const FILE_COMMANDS: CommandSpec[] = [
  loginCommand("PWD", { aliases: ["XPWD"], syntax: "PWD", feat: "TVFS" }, pwd),
  loginCommand("CWD", { aliases: ["XCWD"], syntax: "CWD <directory>" }, cwd),
  loginCommand("CDUP", { aliases: ["XCUP"], syntax: "CDUP" }, cdup),
  loginCommand("MKD", { aliases: ["XMKD"], syntax: "MKD <directory>" }, mkd),
  loginCommand("RMD", { aliases: ["XRMD"], syntax: "RMD <directory>" }, rmd),
  loginCommand("DELE", { syntax: "DELE <file>" }, dele),
  loginCommand("RNFR", { syntax: "RNFR <path>" }, rnfr),
  loginCommand("RNTO", { syntax: "RNTO <path>" }, rnto),
  loginCommand("SIZE", { syntax: "SIZE <file>", feat: "SIZE" }, size),
  loginCommand("MDTM", { syntax: "MDTM <file>", feat: "MDTM" }, mdtm),
  loginCommand("MFMT", { syntax: "MFMT YYYYMMDDHHMMSS <path>", feat: "MFMT" }, mfmt),
  loginCommand("MLST", {
    syntax: "MLST [<path>]",
    // One feature line for MLST and MLSD (RFC 3659 section 7.8), only while both are on.
    feat: (s) => s.host.config.disabled.has("MLSD") ? undefined : `MLST ${formatMlstFeature(s.mlstFacts)}`,
  }, mlst),
];
