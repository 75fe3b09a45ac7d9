/**
 * The FTP client: {@linkcode Client}, its connection pool {@linkcode ClientPool}, and the
 * listing parsers it uses.
 *
 * @example
 * ```ts
 * import { Client } from "anyftp";
 * await using client = await Client.connect("ftp://127.0.0.1:2121");
 * console.log(await client.list("/"));
 * ```
 *
 * @module
 */
export { Client } from "./client.ts";
export { ListResult } from "./list_result.ts";
export { ClientPool } from "./pool.ts";
export { StalledStreamError } from "./stalled_stream_error.ts";
export type { ClientPoolOptions } from "./pool.ts";
export type {
  ClientEncoding,
  ClientOptions,
  ClientSpeedLimits,
  ClientStorage,
  ClientTls,
  ConnectTarget,
  CopyOptions,
  ListOptions,
  RemoteEntry,
  TransferOptions,
  TransferProgress,
} from "./options.ts";
export type { ListLineParser, ParsedEntry, RemoteEntryType } from "../protocol/list_entry.ts";
export type { Reply } from "../protocol/reply.ts";
