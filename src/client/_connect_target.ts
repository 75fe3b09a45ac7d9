/**
 * What {@linkcode Client.connect} accepts: an `ftp://` / `ftps://` URL or a
 * {@linkcode ConnectTarget} object.
 *
 * @module
 */

import { FtpError } from "../errors.ts";
import type { ConnectTarget } from "./options.ts";

/**
 * Read a URL (`ftp://user:password@host:port`, `ftps://` for implicit TLS, IPv6 hosts in
 * brackets, percent-encoded credentials) into a target; objects pass through.
 *
 * @param target The URL or object.
 * @returns The target.
 */
export function toConnectTarget(target: string | URL | ConnectTarget): ConnectTarget {
  if (typeof target !== "string" && !(target instanceof URL)) return target;
  const url = typeof target === "string" ? new URL(target) : target;
  if (url.protocol !== "ftp:" && url.protocol !== "ftps:") {
    throw new FtpError(`Unsupported URL scheme "${url.protocol}": use ftp:// or ftps://.`);
  }
  return {
    host: url.hostname.replace(/^\[(.*)\]$/, "$1"),
    ...(url.port ? { port: Number(url.port) } : {}),
    ...(url.username ? { user: decodeURIComponent(url.username) } : {}),
    ...(url.password ? { password: decodeURIComponent(url.password) } : {}),
    ...(url.protocol === "ftps:" ? { tls: "implicit" as const } : {}),
  };
}
