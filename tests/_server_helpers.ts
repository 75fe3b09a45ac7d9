/**
 * Moved to `tests/_support/` (server.ts, control.ts, guard.ts, bytes.ts, storage.ts); this
 * re-export keeps older importers (branches in flight) compiling until they switch. New code
 * imports `tests/_support/mod.ts`.
 *
 * @module
 */
export * from "./_support/bytes.ts";
export * from "./_support/control.ts";
export * from "./_support/guard.ts";
export * from "./_support/server.ts";
export * from "./_support/storage.ts";
