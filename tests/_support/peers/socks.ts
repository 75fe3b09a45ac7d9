/**
 * Real SOCKS5 servers for the client's proxy tests, started in the foreground on 127.0.0.1
 * and killed on close: microsocks and Dante (`danted`). Importable without node:test.
 *
 * @module
 */

import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import process from "node:process";
import { type Closable, disposable } from "../disposable.ts";
import { freePort } from "../ports.ts";
import { stop, waitForPort } from "./_process.ts";

/** A running SOCKS5 proxy. */
export interface RealProxy extends Closable {
  readonly host: string;
  readonly port: number;
  close(): Promise<void>;
}

/** Whether microsocks (Debian's `microsocks`) is installed; under CI a missing one is an error. */
export function haveMicrosocks(): boolean {
  const ok = existsSync("/usr/bin/microsocks");
  if (!ok && process.env.CI) throw new Error("microsocks is not installed (CI requires it)");
  return ok;
}

/**
 * Start microsocks, a real SOCKS5 server, on 127.0.0.1.
 *
 * @param options Credentials it demands (user/password authentication), and the local
 * address of its outgoing connections (so a server can tell proxied clients apart).
 * @returns The proxy.
 */
export async function startMicrosocks(
  options: { user?: string; password?: string; bind?: string } = {},
): Promise<RealProxy> {
  const port = await freePort();
  const args = ["-i", "127.0.0.1", "-p", String(port)];
  if (options.user !== undefined) args.push("-u", options.user, "-P", options.password ?? "");
  if (options.bind) args.push("-b", options.bind);
  const child = spawn("/usr/bin/microsocks", args, { stdio: ["ignore", "ignore", "ignore"] });
  await waitForPort(port, child, "microsocks");
  return disposable<RealProxy>({ host: "127.0.0.1", port, close: () => stop(child) });
}

/** Whether Dante (Debian's `dante-server`) is installed; under CI a missing one is an error. */
export function haveDante(): boolean {
  const ok = existsSync("/usr/sbin/danted");
  if (!ok && process.env.CI) throw new Error("danted is not installed (CI requires it)");
  return ok;
}

/**
 * Start Dante's SOCKS5 server on 127.0.0.1 without authentication (its user/password method
 * checks system accounts), in the foreground with one worker.
 *
 * @returns The proxy.
 */
export async function startDante(): Promise<RealProxy> {
  const dir = mkdtempSync(join(tmpdir(), "anyftp-dante-"));
  const port = await freePort();
  const conf = [
    "logoutput: stderr",
    `internal: 127.0.0.1 port = ${port}`,
    "external: 127.0.0.1",
    "clientmethod: none",
    "socksmethod: none",
    ...(process.getuid?.() === 0 ? ["user.privileged: root", "user.unprivileged: nobody"] : []),
    "client pass { from: 127.0.0.0/8 to: 0.0.0.0/0 }",
    "socks pass { from: 127.0.0.0/8 to: 0.0.0.0/0 }",
  ];
  const confPath = join(dir, "danted.conf");
  writeFileSync(confPath, conf.join("\n") + "\n");
  const child = spawn("/usr/sbin/danted", ["-f", confPath, "-N", "1", "-p", join(dir, "danted.pid")], {
    stdio: ["ignore", "ignore", "ignore"],
  });
  await waitForPort(port, child, "danted");
  return disposable<RealProxy>({
    host: "127.0.0.1",
    port,
    async close() {
      await stop(child);
      rmSync(dir, { recursive: true, force: true });
    },
  });
}
