/**
 * The FTP server: {@linkcode Server}, users and permissions, custom authentication
 * ({@linkcode UserManager}), and the events it reports.
 *
 * Behaviour worth knowing (RFC 959, 2389, 2428, 3659):
 * - Replies: unknown or disabled command 502, not logged in 530, bad sequence 503 (PASS
 *   without USER, RNTO without RNFR, PASV/PORT after EPSV ALL), bad argument 501 (also NUL in
 *   a path), path or permission failure 550, storage error 451, storage full 552, no passive
 *   port free 421, no data connection 425, data connection lost or ABOR 426, file being
 *   uploaded 450, new name with control characters or invalid UTF-8 553.
 * - Paths are resolved lexically inside the user's root (`..` stops at `/`; backslashes and
 *   `%2e` are ordinary name characters); the user's `basePath` is prepended for the storage.
 *   The storage confines symlinks to its own root (LocalPathIO does), so give each user their
 *   own storage (the `storage` option as a function of the user) when symlinks inside one
 *   user's tree must not reach another's.
 * - Active mode (PORT/EPRT) only to the client's own address and ports >= 1024 (504
 *   otherwise); passive connections only from the client's address (others are closed and
 *   reported as `data-connection-rejected`; the server keeps waiting until the data timeout).
 * - PASV on an IPv6 control connection: answered with the `passiveAddress` option when that
 *   yields an IPv4 address, otherwise 425 "use EPSV". EPSV with an argument other than `ALL`
 *   or the connection's protocol number (1 or 2) is 522.
 * - TYPE A converts line endings (LF to CRLF on RETR, CRLF to LF on STOR); TYPE I is byte
 *   exact. The default is A, as RFC 959 says; clients send TYPE I for binary transfers.
 * - REST applies to the next RETR/STOR/APPE; PASV/EPSV/PORT/EPRT/TYPE/MODE/STRU in between
 *   keep it, any other command clears it. STOR or APPE after REST overwrite in place.
 * - Uploads (`uploadPolicy`, default `"rename"`): written to a hidden temporary name and
 *   renamed over the target only when complete (resume and APPE write in place); a file being
 *   written is locked (450 to a second writer, and to readers of an in-place write).
 * - While a transfer runs, ABOR, STAT and NOOP are answered at once; other commands wait for
 *   the transfer's final reply. ABOR gives 426 then 226 (just 226 with nothing to abort).
 *   Telnet IP/Synch bytes and the `ABOR\r` that urgent-data clients (Python's ftplib) leave
 *   behind are understood.
 * - LIST/NLST accept and ignore `-a`/`-l` style options and `*`/`?` patterns in the last name;
 *   names holding CR or LF are left out of listings.
 * - Limits: command lines longer than `maxLineLength` are answered 500 and never run
 *   (`maxBadLines` of them close the session; one without a newline closes it at once);
 *   failed logins are delayed, more so for each recent failure from the same IP,
 *   `maxLoginFailures` close the session and `maxLoginFailuresPerIp` refuse the address for
 *   a while; idle sessions get 421; connection limits answer 421; passive ports are capped
 *   per IP and returned when unused. SECURITY.md lists every limit with its default.
 * - Events (`onEvent`): listening, server-close, connection-refused, session-open,
 *   session-close, login, login-failed, command (PASS/ACCT censored), reply, transfer (bytes,
 *   duration, direction, final code), data-connection-rejected, error.
 * - AUTH TLS / PBSZ / PROT are wired to the socket adapter's `startTls` when the `tls` option
 *   is given (explicit FTPS); without it AUTH is 502. `listen({ tlsMode: "implicit" })` adds a
 *   listener that is TLS from the first byte (implicit FTPS; data connections protected
 *   unless the client sends `PROT C`). `requireTls` refuses plain-text logins (530) and
 *   unprotected transfers (521), per server and per user; PROT P data connections must
 *   resume the control connection's TLS session (425 otherwise; `requireTls.sessionReuse`,
 *   on by default where the adapter can tell). Every TLS handshake is bounded by
 *   `tlsHandshakeTimeout` and cut short by ABOR, QUIT, a disconnect and `close()`.
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
export type { ServerTlsPolicy, TlsRequirements } from "./tls_policy.ts";
export type { UploadPolicy } from "./_uploads.ts";
export type * from "./events.ts";
