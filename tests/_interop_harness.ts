/**
 * Moved to `tests/_support/` (tools.ts, bytes.ts, ipv6.ts); this re-export keeps older
 * importers (branches in flight) compiling until they switch. New code imports
 * `tests/_support/mod.ts`.
 *
 * @module
 */
export * from "./_support/bytes.ts";
export * from "./_support/ipv6.ts";
export * from "./_support/tools.ts";
