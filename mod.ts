/**
 * anyftp: an async FTP and FTPS client and server on Web Streams, for Deno, Bun and Node.
 *
 * The server and the client take a socket adapter (`net`) and a storage (`PathIO`); both
 * default to the running runtime's, so the same code runs everywhere.
 *
 * @example
 * ```ts
 * import { Client, MemoryPathIO, Server } from "anyftp";
 * await using server = new Server({ users: [{ anonymous: true, permissions: [{ path: "/", writable: true }] }], storage: new MemoryPathIO() });
 * const { port } = await server.listen({ hostname: "127.0.0.1", port: 0 });
 * await using client = await Client.connect(`ftp://127.0.0.1:${port}`);
 * await client.uploadData("hello", "/hello.txt");
 * console.log(await client.list("/"));
 * ```
 *
 * @module
 */
export * from "./src/errors.ts";
export type * from "./src/net/types.ts";
export type * from "./src/fs/path_io.ts";
export type { LocalPathIOOptions } from "./src/fs/local_path_io.ts";
export type { MemoryPathIOOptions } from "./src/fs/memory_path_io.ts";
export { MemoryPathIO } from "./src/fs/memory_path_io.ts";
export { LocalPathIO } from "./src/fs/local_path_io.ts";
export * from "./src/server/mod.ts";
export * from "./src/client/mod.ts";
export {
  Throttle,
  type ThrottleClock,
  type ThrottleOptions,
  throttleStream,
  type ThrottleStreamOptions,
} from "./src/streams/throttle.ts";
