/**
 * Moved to `tests/_support/local_server.ts`; this re-export keeps older importers (bench/, branches in
 * flight) compiling until they switch. New code imports `tests/_support/` directly.
 *
 * @module
 */
export * from "./_support/local_server.ts";
