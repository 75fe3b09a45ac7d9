/**
 * Address helpers shared by the adapters.
 *
 * @module
 */
import type { Addr } from "../types.ts";

/**
 * Build an {@linkcode Addr}, unwrapping IPv4-mapped IPv6 (`::ffff:1.2.3.4`, as seen on dual-stack
 * listeners) so FTP's PORT/PASV logic sees a plain IPv4 address. Strips `[]` and zone-less
 * brackets; the family follows from the address itself.
 */
export function toAddr(hostname: string | undefined, port: number | undefined): Addr {
  let host = (hostname ?? "").replace(/^\[|\]$/g, "");
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(host);
  if (mapped) host = mapped[1]!;
  return { hostname: host, port: port ?? 0, family: host.includes(":") ? "IPv6" : "IPv4" };
}
