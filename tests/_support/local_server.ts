/**
 * Starts OUR server (src/server) for the interop tests: LocalPathIO on a fresh temp dir, one
 * user, port 0 on loopback, the running runtime's network adapter (the default), so the
 * same test drives the Deno adapter under deno, Bun's under bun and Node's under node.
 *
 * @module
 */

import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { LocalPathIO } from "../../src/fs/local_path_io.ts";
import type { Server, ServerOptions } from "../../src/server/mod.ts";
import { startServer } from "./server.ts";
import { removeDir, tempDir } from "./tools.ts";
import { type Closable, disposable } from "./disposable.ts";

/** The login every interop test uses. */
export const USER = "alice";
/** Its password. */
export const PASSWORD = "s3cret!";
/** Content of a file placed next to (outside) the served root; it must never leak. */
export const OUTSIDE_SECRET = "TOP-SECRET-OUTSIDE-THE-FTP-ROOT\n";

/** A running server and its storage. */
export interface InteropServer extends Closable {
  /** The server under test. */
  readonly server: Server;
  /** Address to dial (`127.0.0.1` or `::1`). */
  readonly host: string;
  /** The port it listens on. */
  readonly port: number;
  /** Directory served as `/` (LocalPathIO root). */
  readonly root: string;
  /** The temp dir holding `root/`, `outside.txt` and scratch space for clients. */
  readonly dir: string;
  /** `ftp://host:port` with IPv6 brackets when needed. */
  readonly url: string;
  /** Stop the server and remove the temp dir. */
  close(): Promise<void>;
}

/** Options for {@linkcode startInteropServer}. */
export interface StartOptions {
  /** Address to bind and dial. @default "127.0.0.1" */
  readonly host?: string;
  /** Per-connection download limit in bytes/s (to make a RETR slow for ABOR). @default unlimited */
  readonly downloadBytesPerSecond?: number;
  /** Label for the temp dir. @default "server" */
  readonly label?: string;
  /** Also accept anonymous logins (read-only, same storage). @default false */
  readonly anonymous?: boolean;
  /** More server options (e.g. `disabledCommands`). @default none */
  readonly serverOptions?: Omit<ServerOptions, "users" | "storage">;
}

/**
 * Starts our server on a fresh temp dir.
 *
 * @param options host, throttle, label
 * @returns the running server; call `close()` in teardown
 * @example
 * ```ts
 * const s = await startInteropServer({ label: "curl" });
 * await s.close();
 * ```
 */
export async function startInteropServer(options: StartOptions = {}): Promise<InteropServer> {
  const host = options.host ?? "127.0.0.1";
  const dir = await tempDir(options.label ?? "server");
  const root = join(dir, "root");
  await mkdir(root);
  await writeFile(join(dir, "outside.txt"), OUTSIDE_SECRET);
  const speedLimits = options.downloadBytesPerSecond
    ? { downloadPerConnection: options.downloadBytesPerSecond }
    : undefined;
  let started;
  try {
    started = await startServer({
      users: [
        { login: USER, password: PASSWORD, ...(speedLimits ? { speedLimits } : {}) },
        ...(options.anonymous ? [{ anonymous: true }] : []),
      ],
      storage: () => new LocalPathIO({ root }),
      ...options.serverOptions,
    }, host);
  } catch (e) {
    await removeDir(dir);
    throw e;
  }
  const { server } = started;
  const port = server.address.port;
  const url = `ftp://${host.includes(":") ? `[${host}]` : host}:${port}`;
  return disposable<InteropServer>({
    server,
    host,
    port,
    root,
    dir,
    url,
    async close() {
      try {
        await server.close();
      } finally {
        await removeDir(dir);
      }
    },
  });
}
