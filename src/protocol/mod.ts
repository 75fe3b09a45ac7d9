/**
 * `anyftp/protocol`: the pure FTP helpers the client and server are built on, for code that
 * handles FTP text itself — LIST and MLSx line parsers, reply parsing, and the virtual-path
 * rules (normalising, resolving, confinement) the server applies to every client path.
 *
 * @example
 * ```ts
 * import { parseListLine, resolveVirtualPath } from "anyftp/protocol";
 * parseListLine("-rw-r--r--   1 ftp  ftp  1024 Jan 01 12:00 notes.txt"); // { name: "notes.txt", type: "file", size: 1024, … }
 * resolveVirtualPath("/pub", "../../etc/passwd"); // "/etc/passwd": stays inside the user's root
 * ```
 *
 * @module
 */

export type { ListLineParser, ParsedEntry, RemoteEntryType } from "./list_entry.ts";
export { parseDosListLine, parseListLine, parseUnixListLine } from "./list_parse.ts";
export type { ListParseOptions } from "./list_parse.ts";
export { isMlsxSelfOrParent, parseMlsxLine, parseMlsxTime } from "./mlsx_parse.ts";
export { formatReply, ReplyAssembler } from "./reply.ts";
export type { Reply, ReplyAssemblerOptions, ReplyPushResult } from "./reply.ts";
export {
  basename,
  dirname,
  isVirtualPathInside,
  joinVirtualPath,
  normalizeVirtualPath,
  resolveVirtualPath,
} from "./virtual_path.ts";
export { type FtpEncoding, textDecoder, textEncoder } from "./encoding.ts";
