/**
 * Informational and settings commands: NOOP SYST FEAT OPTS HELP LANG STAT SITE ALLO TYPE MODE STRU.
 *
 * @module
 */

import { formatListLine, isListableName } from "../protocol/list_format.ts";
import { parseMlstOptions } from "../protocol/mlsx_format.ts";
import { basename } from "../protocol/virtual_path.ts";
import { type CommandSpec, loginCommand, openCommand } from "./_command_rows.ts";
import { featureLines } from "./_command_table.ts";
import { stripListOptions } from "./_list_options.ts";
import { replyDenied, replyNotFound } from "./_path_replies.ts";
import type { LoggedInSession, ServerSession } from "./_session.ts";

/** Most lines a STAT <path> reply carries (the rest is summarised). */
const STAT_MAX_LINES = 10_000;

async function noop(s: ServerSession): Promise<void> {
  await s.reply("200", "NOOP ok.");
}

async function syst(s: ServerSession): Promise<void> {
  await s.reply("215", "UNIX Type: L8");
}

async function feat(s: ServerSession): Promise<void> {
  const lines = featureLines(s.commands, s);
  await s.reply("211", ["Features:", ...lines.map((f) => ` ${f}`), "End"]);
}

async function opts(s: ServerSession, arg: string): Promise<void> {
  const text = arg.trim();
  const space = text.search(/\s/);
  const name = (space < 0 ? text : text.slice(0, space)).toUpperCase();
  const value = space < 0 ? "" : text.slice(space + 1).trim();
  if (name === "UTF8" || name === "UTF-8") {
    if (s.host.config.encoding !== "utf-8") return s.reply("504", "UTF8 is not supported: this server uses Latin-1.");
    const v = value.toUpperCase();
    if (v === "ON" || v === "") return s.reply("200", "UTF8 mode on.");
    if (v === "OFF") return s.reply("200", "UTF8 stays on: this server always uses UTF-8.");
    return s.reply("501", "OPTS UTF8 takes ON or OFF.");
  }
  if (name === "MLST") {
    if (s.host.config.disabled.has("MLST")) return s.reply("501", "MLST is disabled on this server.");
    const facts = parseMlstOptions(value);
    if (!facts) return s.reply("501", "OPTS MLST takes a list of facts like type;size;modify;");
    s.mlstFacts = facts;
    return s.reply("200", `MLST OPTS ${facts.map((f) => `${f};`).join("")}`);
  }
  await s.reply("501", `Option "${name.slice(0, 20)}" not understood.`);
}

async function help(s: ServerSession, arg: string): Promise<void> {
  const name = arg.trim().toUpperCase();
  const table = s.commands;
  const enabled = table.verbs.filter((c) => !s.host.config.disabled.has(c));
  if (name) {
    const spec = table.get(name);
    if (!spec || s.host.config.disabled.has(name)) return s.reply("502", `Unknown command "${name.slice(0, 20)}".`);
    return s.reply("214", `Syntax: ${spec.syntax}`);
  }
  const rows: string[] = [];
  for (let i = 0; i < enabled.length; i += 8) {
    rows.push(" " + enabled.slice(i, i + 8).map((c) => c.padEnd(5)).join(" ").trimEnd());
  }
  await s.reply("214", ["The following commands are recognized:", ...rows, "Help OK."]);
}

async function stat(s: LoggedInSession, arg: string): Promise<void> {
  if (arg.trim() === "") return serverStatus(s);
  const pathArg = stripListOptions(arg);
  const path = s.resolve(pathArg);
  if (!s.user.access(path).readable) return replyDenied(s, path);
  const st = await s.statOrUndefined(path);
  if (!st) return replyNotFound(s, path);
  const lines: string[] = [`Status of ${JSON.stringify(path)}:`];
  if (st.type !== "dir") {
    lines.push(formatListLine(basename(path) || "/", st));
  } else {
    let count = 0;
    try {
      for await (const entry of s.fs.list(s.storagePath(path))) {
        if (!isListableName(entry.name)) continue;
        if (++count > STAT_MAX_LINES) {
          lines.push(`(listing truncated at ${STAT_MAX_LINES} entries: use LIST or MLSD)`);
          break;
        }
        lines.push(formatListLine(entry.name, entry.stat));
      }
    } catch (e) {
      return s.replyError(e, path);
    }
  }
  lines.push("End of status.");
  await s.reply("213", lines);
}

async function serverStatus(s: ServerSession): Promise<void> {
  const lines = [
    "anyftp server status:",
    ` Connected from ${s.remote.hostname}`,
    s.user ? ` Logged in as ${s.user.login}` : " Not logged in",
    ` TYPE: ${s.type === "A" ? "ASCII" : "BINARY"}; STRUcture: File; MODE: Stream`,
  ];
  const t = s.transfer;
  if (t) {
    lines.push(` ${t.command} ${t.path}: ${t.bytes} bytes transferred`);
  } else if (s.channel) {
    lines.push(` Data connection prepared (${s.channel.mode})`);
  } else {
    lines.push(" No data connection");
  }
  lines.push("End of status.");
  await s.reply("211", lines);
}

async function site(s: LoggedInSession, arg: string): Promise<void> {
  const text = arg.trim();
  const space = text.search(/\s/);
  const sub = (space < 0 ? text : text.slice(0, space)).toUpperCase();
  const rest = space < 0 ? "" : text.slice(space + 1).trim();
  if (sub === "HELP" || sub === "") {
    return s.reply("214", ["SITE commands:", " CHMOD <octal mode> <path>", " HELP", "End."]);
  }
  if (sub === "CHMOD") {
    const m = /^([0-7]{3,4})\s+(.+)$/.exec(rest);
    if (!m) return s.reply("501", "Usage: SITE CHMOD <octal mode> <path>");
    const chmod = s.fs.chmod;
    if (!chmod) return s.reply("502", "SITE CHMOD is not supported by this storage.");
    const path = s.resolve(m[2]!);
    if (!s.user.access(path).writable) return replyDenied(s, path);
    if (path === "/") return s.reply("550", "The root directory's mode cannot be changed.");
    try {
      // Permission bits only (as vsftpd's chmod_perms): no setuid, setgid or sticky bit.
      await chmod.call(s.fs, s.storagePath(path), parseInt(m[1]!, 8) & 0o777);
    } catch (e) {
      return s.replyError(e, path);
    }
    return s.reply("200", "SITE CHMOD command successful.");
  }
  await s.reply("504", `SITE ${sub.slice(0, 20)} not understood: try SITE HELP.`);
}

/** Languages LANG accepts (RFC 2640 section 4.3): messages are English only. */
const LANGUAGES = ["EN"];

async function lang(s: ServerSession, arg: string): Promise<void> {
  const tag = arg.trim().toUpperCase();
  if (tag !== "" && !/^[A-Z]{1,8}(-[A-Z0-9]{1,8})*$/.test(tag)) {
    return s.reply("501", "LANG takes a language tag, e.g. LANG EN.");
  }
  // A tag matches a language when it is the language or a dialect of it (EN-US → EN).
  const language = tag === "" ? LANGUAGES[0] : LANGUAGES.find((l) => tag === l || tag.startsWith(`${l}-`));
  if (!language) return s.reply("504", `Language ${tag.slice(0, 20)} not supported: messages are in EN.`);
  await s.reply("200", `Language set to ${language}.`);
}

/** ALLO n [R m]: no space to reserve, but the size is passed to the storage with the next binary STOR. */
async function allo(s: ServerSession, arg: string): Promise<void> {
  const size = /^(\d{1,16})(\s+R\s+\d{1,16})?$/i.exec(arg.trim())?.[1];
  s.allo = size === undefined ? undefined : Number(size);
  await s.reply("202", "ALLO not needed: storage is allocated as data arrives.");
}

async function type(s: ServerSession, arg: string): Promise<void> {
  const t = arg.trim().toUpperCase().split(/\s+/).join(" ");
  if (t === "A" || t === "A N") {
    s.type = "A";
    return s.reply("200", "Type set to A.");
  }
  if (t === "I" || t === "L 8") {
    s.type = "I";
    return s.reply("200", "Type set to I.");
  }
  if (/^(A [TC]|E( [NTC])?|L \d+)$/.test(t)) return s.reply("504", "Type not supported: use A or I.");
  await s.reply("501", "TYPE takes A or I.");
}

async function mode(s: ServerSession, arg: string): Promise<void> {
  const m = arg.trim().toUpperCase();
  if (m === "S") return s.reply("200", "Mode set to S.");
  if (m === "B" || m === "C" || m === "Z") return s.reply("504", "Only stream mode (S) is supported.");
  await s.reply("501", "MODE takes S.");
}

async function stru(s: ServerSession, arg: string): Promise<void> {
  const m = arg.trim().toUpperCase();
  if (m === "F") return s.reply("200", "Structure set to F.");
  if (m === "R" || m === "P") return s.reply("504", "Only file structure (F) is supported.");
  await s.reply("501", "STRU takes F.");
}

/** Informational and settings commands. */
export const INFO_COMMANDS: CommandSpec[] = [
  openCommand("NOOP", { syntax: "NOOP", duringTransfer: true }, noop),
  openCommand("SYST", { syntax: "SYST" }, syst),
  openCommand("FEAT", { syntax: "FEAT" }, feat),
  openCommand("OPTS", {
    syntax: "OPTS UTF8 ON | OPTS MLST <facts>",
    feat: (s) => s.host.config.encoding === "utf-8" ? "UTF8" : undefined,
  }, opts),
  openCommand("HELP", { syntax: "HELP [<command>]" }, help),
  openCommand("LANG", { syntax: "LANG [<language tag>]", feat: `LANG ${LANGUAGES.map((l) => `${l}*`).join(";")}` }, lang),
  loginCommand("STAT", { syntax: "STAT [<path>]", duringTransfer: true }, stat),
  loginCommand("SITE", { syntax: "SITE HELP | SITE CHMOD <mode> <path>" }, site),
  loginCommand("ALLO", { syntax: "ALLO <size>", keepsRestAndAllo: true }, allo),
  loginCommand("TYPE", { syntax: "TYPE A|I", keepsRestAndAllo: true }, type),
  loginCommand("MODE", { syntax: "MODE S", keepsRestAndAllo: true }, mode),
  loginCommand("STRU", { syntax: "STRU F", keepsRestAndAllo: true }, stru),
];
