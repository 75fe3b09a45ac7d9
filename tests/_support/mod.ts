/**
 * The test-support layer, one module to import from: byte helpers, hang guards, the raw
 * control client, the server starter and client/server pair, storage helpers, the IPv6
 * check, peer tools, the CLI runner and the third-party peer launchers (`peers/`, importable
 * without node:test, e.g. from bench/).
 *
 * @module
 */
export * from "./bytes.ts";
export * from "./cli.ts";
export * from "./control.ts";
export * from "./guard.ts";
export * from "./ipv6.ts";
export * from "./local_server.ts";
export * from "./ports.ts";
export * from "./server.ts";
export * from "./storage.ts";
export * from "./tls_fixture.ts";
export * from "./tools.ts";
export * from "./peers/ftp_servers.ts";
export * from "./peers/haproxy.ts";
export * from "./peers/socks.ts";
export * from "./peers/swift.ts";
export * from "./adapters.ts";
