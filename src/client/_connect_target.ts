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
 * brackets, percent-encoded credentials) into a target; a string without a scheme
 * (`"127.0.0.1:2121"`, `"bob@ftp.example.com"`) is read as `ftp://`; objects pass through.
 *
 * @param target The URL or object.
 * @returns The target; throws {@linkcode FtpError} for what is not an FTP address.
 */
export function toConnectTarget(target: string | URL | ConnectTarget): ConnectTarget {
  if (typeof target !== "string" && !(target instanceof URL)) return target;
  const url = typeof target === "string" ? parseUrl(target) : target;
  if (url.protocol !== "ftp:" && url.protocol !== "ftps:") {
    throw new FtpError(`Unsupported URL scheme "${url.protocol}": use ftp:// or ftps://.`);
  }
  return {
    host: url.hostname.replace(/^\[(.*)\]$/, "$1"),
    ...(url.port ? { port: Number(url.port) } : {}),
    ...(url.username ? { user: decodeURIComponent(url.username) } : {}),
    ...(url.password ? { password: decodeURIComponent(url.password) } : {}),
    ...(url.protocol === "ftps:" ? { tlsMode: "implicit" as const } : {}),
  };
}

function parseUrl(text: string): URL {
  const withScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(text) ? text : `ftp://${text}`;
  let url: URL | undefined;
  try {
    url = new URL(withScheme);
  } catch {
    // Reported below.
  }
  if (!url || url.hostname === "") {
    throw new FtpError(
      `"${text.replace(/\/\/([^@/]*):[^@/]*@/, "//$1:****@")}" is not an FTP address: use ftp://user:password@host:port, host:port or an object.`,
    );
  }
  return url;
}
