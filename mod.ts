/**
 * anyftp: an async FTP and FTPS client and server on Web Streams, for Deno, Bun and Node.
 *
 * @example
 * ```ts
 * import { FtpError } from "anyftp";
 * console.log(new FtpError("demo") instanceof Error); // true
 * ```
 *
 * @module
 */
export * from "./src/errors.ts";
export type * from "./src/net/types.ts";
export type * from "./src/fs/path_io.ts";
