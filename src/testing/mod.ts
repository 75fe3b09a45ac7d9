/**
 * `anyftp/testing`: help for test suites that need an FTP server, and the conformance suites
 * anyftp's own socket adapters and storages pass, for your own `Net` (socket adapter) or
 * `PathIO` (storage).
 *
 * - {@linkcode startTestServer}: one call gives a running server with in-memory files, the
 *   users you name and a ready client URL; `await using` closes it.
 * - {@linkcode netConformance} and {@linkcode pathIOConformance}: register the adapter and
 *   storage suites with `node:test`. They run under `deno test -A`, `bun test` and
 *   `node --test` alike (this module imports `node:test` and `node:assert/strict`, which all
 *   three provide; the test server itself needs neither).
 *
 * @example
 * ```ts
 * import { Client } from "anyftp";
 * import { startTestServer } from "anyftp/testing";
 *
 * await using server = await startTestServer({ files: { "/hello.txt": "hi" } });
 * await using client = await Client.connect(server.url);
 * console.log((await client.list("/")).map((e) => e.name)); // ["hello.txt"]
 * ```
 *
 * @module
 */
export { startTestServer, type TestServer, type TestServerOptions } from "./test_server.ts";
export { netConformance, type NetConformanceOptions } from "./net_conformance.ts";
export { pathIOConformance, type PathIOConformanceOptions } from "./path_io_conformance.ts";
