/**
 * The FTP server: {@linkcode Server}, users and permissions, custom authentication
 * ({@linkcode UserManager}), and the events it reports.
 *
 * @example
 * ```ts
 * import { MemoryPathIO, Server } from "anyftp";
 * await using server = new Server({ users: [{ anonymous: true }], storage: new MemoryPathIO() });
 * const { port } = await server.listen({ hostname: "127.0.0.1", port: 0 });
 * console.log(`ftp://127.0.0.1:${port}/`);
 * ```
 *
 * @module
 */

export { Server, type ServerCloseOptions, type ServerListenOptions, type ServerOptions } from "./server.ts";
export { type LoginContext, User, type UserOptions } from "./user.ts";
export { MemoryUserManager, type UserLookup, type UserManager } from "./user_manager.ts";
export { type Access, normalizePermissions, type Permission, resolveAccess } from "./permissions.ts";
export type { SpeedLimits } from "./speed_limits.ts";
export type * from "./events.ts";
