/**
 * Moved to `tests/_support/peers/ftp_servers.ts`; this re-export keeps older importers (bench/, branches in
 * flight) compiling until they switch. New code imports `tests/_support/` directly.
 *
 * @module
 */
export * from "./_support/peers/ftp_servers.ts";
export * from "./_support/peers/socks.ts";
