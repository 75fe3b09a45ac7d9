/**
 * Data-connection addresses in the four forms FTP uses: PASV replies and PORT arguments
 * (RFC 959, `h1,h2,h3,h4,p1,p2`), EPSV replies (RFC 2428, `(|||port|)`) and EPRT arguments
 * (RFC 2428, `|1|ip|port|` or `|2|ip6|port|`). Decoders return `undefined` for malformed
 * input instead of throwing: callers answer 501 (server) or raise a typed error (client).
 *
 * @module
 */

/** A host and port, as carried by these commands. */
export interface HostPort {
  /** Numeric IP address (no brackets). */
  readonly hostname: string;
  /** TCP port, 0–65535. */
  readonly port: number;
}

const IPV4 = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;

/**
 * Whether a string is a dotted-quad IPv4 address.
 *
 * @param s The candidate.
 * @returns True for `"127.0.0.1"`, false for `"localhost"` or `"1.2.3"`.
 *
 * @example
 * ```ts
 * import { isIPv4 } from "./address.ts";
 * isIPv4("10.0.0.1"); // true
 * ```
 */
export function isIPv4(s: string): boolean {
  return IPV4.test(s);
}

/**
 * Whether a string looks like an IPv6 address (hex groups and colons, optional embedded IPv4).
 *
 * @param s The candidate.
 * @returns True for `"::1"` or `"fe80::1"`.
 *
 * @example
 * ```ts
 * import { isIPv6 } from "./address.ts";
 * isIPv6("::1"); // true
 * ```
 */
export function isIPv6(s: string): boolean {
  if (s.length > 45) return false;
  const halves = s.split("::");
  if (halves.length > 2) return false;
  const groupsOf = (part: string): string[] | undefined => {
    if (part === "") return [];
    const groups = part.split(":");
    return groups.every((g) => g !== "") ? groups : undefined;
  };
  const head = groupsOf(halves[0]!);
  const tail = halves.length === 2 ? groupsOf(halves[1]!) : [];
  if (!head || !tail) return false;
  const all = [...head, ...tail];
  const last = all[all.length - 1] ?? "";
  const v4 = last.includes(".");
  if (v4 && !isIPv4(last)) return false;
  const hex = v4 ? all.slice(0, -1) : all;
  if (!hex.every((g) => /^[0-9a-fA-F]{1,4}$/.test(g))) return false;
  const count = hex.length + (v4 ? 2 : 0);
  return halves.length === 2 ? count < 8 : count === 8;
}

/**
 * An IPv4-mapped IPv6 address (`::ffff:1.2.3.4`) as plain IPv4; other addresses unchanged.
 *
 * @param hostname A numeric address.
 * @returns The IPv4 form where there is one.
 *
 * @example
 * ```ts
 * import { unmapIPv4 } from "./address.ts";
 * unmapIPv4("::ffff:127.0.0.1"); // "127.0.0.1"
 * ```
 */
export function unmapIPv4(hostname: string): string {
  const m = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(hostname);
  return m ? m[1]! : hostname;
}

function validPort(n: number): boolean {
  return Number.isInteger(n) && n >= 0 && n <= 65535;
}

/**
 * Encode an IPv4 host and port as `h1,h2,h3,h4,p1,p2` (PORT argument, PASV reply body).
 *
 * @param address IPv4 host (an IPv4-mapped IPv6 address is accepted) and port.
 * @returns The six comma-separated numbers.
 *
 * @example
 * ```ts
 * import { encodeHostPort } from "./address.ts";
 * encodeHostPort({ hostname: "127.0.0.1", port: 50000 }); // "127,0,0,1,195,80"
 * ```
 */
export function encodeHostPort(address: HostPort): string {
  const host = unmapIPv4(address.hostname);
  if (!isIPv4(host)) throw new RangeError(`PASV/PORT carry IPv4 only, not "${address.hostname}"`);
  if (!validPort(address.port)) throw new RangeError(`bad port ${address.port}`);
  return `${host.replaceAll(".", ",")},${address.port >> 8},${address.port & 255}`;
}

/**
 * Decode `h1,h2,h3,h4,p1,p2` (a PORT argument, or anywhere inside a PASV reply text).
 *
 * @param text The argument, or a whole `227` reply line.
 * @returns Host and port, or `undefined` when malformed or out of range.
 *
 * @example
 * ```ts
 * import { decodeHostPort } from "./address.ts";
 * decodeHostPort("Entering Passive Mode (127,0,0,1,195,80)."); // { hostname: "127.0.0.1", port: 50000 }
 * ```
 */
export function decodeHostPort(text: string): HostPort | undefined {
  const m = /(\d{1,3}),(\d{1,3}),(\d{1,3}),(\d{1,3}),(\d{1,3}),(\d{1,3})/.exec(text);
  if (!m) return undefined;
  const n = m.slice(1).map(Number);
  if (n.some((x) => x > 255)) return undefined;
  return { hostname: n.slice(0, 4).join("."), port: n[4]! * 256 + n[5]! };
}

/**
 * Encode a 229 (EPSV) reply body: `Entering Extended Passive Mode (|||port|)`.
 *
 * @param port The passive port.
 * @returns The reply text.
 *
 * @example
 * ```ts
 * import { encodeEpsvReply } from "./address.ts";
 * encodeEpsvReply(50000); // "Entering Extended Passive Mode (|||50000|)"
 * ```
 */
export function encodeEpsvReply(port: number): string {
  return `Entering Extended Passive Mode (|||${port}|)`;
}

/**
 * Decode the port from a 229 reply text. RFC 2428 lets the delimiter be any printable
 * character 33–126; all four must be the same.
 *
 * @param text The reply text.
 * @returns The port, or `undefined` when malformed.
 *
 * @example
 * ```ts
 * import { decodeEpsvReply } from "./address.ts";
 * decodeEpsvReply("Entering Extended Passive Mode (|||50000|)"); // 50000
 * ```
 */
export function decodeEpsvReply(text: string): number | undefined {
  const m = /\(([!-~])\1\1(\d{1,5})\1\)/.exec(text);
  if (!m) return undefined;
  const port = Number(m[2]);
  return validPort(port) && port > 0 ? port : undefined;
}

/**
 * Encode an EPRT argument: `|1|ipv4|port|` or `|2|ipv6|port|`.
 *
 * @param address Host and port.
 * @returns The argument.
 *
 * @example
 * ```ts
 * import { encodeEprt } from "./address.ts";
 * encodeEprt({ hostname: "::1", port: 50000 }); // "|2|::1|50000|"
 * ```
 */
export function encodeEprt(address: HostPort): string {
  const host = unmapIPv4(address.hostname);
  const proto = isIPv4(host) ? 1 : 2;
  return `|${proto}|${host}|${address.port}|`;
}

/**
 * Decode an EPRT argument.
 *
 * @param arg The argument, e.g. `|1|127.0.0.1|50000|`.
 * @returns Host, port and family, or `undefined` when malformed, the protocol number is
 *   unknown, or the address does not match it.
 *
 * @example
 * ```ts
 * import { decodeEprt } from "./address.ts";
 * decodeEprt("|2|::1|50000|"); // { hostname: "::1", port: 50000, family: "IPv6" }
 * ```
 */
export function decodeEprt(
  arg: string,
): (HostPort & { readonly family: "IPv4" | "IPv6" }) | undefined {
  const d = arg.charAt(0);
  if (!d || d.charCodeAt(0) < 33 || d.charCodeAt(0) > 126) return undefined;
  const parts = arg.split(d);
  // "|1|h|p|" splits into ["", "1", "h", "p", ""].
  if (parts.length !== 5 || parts[0] !== "" || parts[4] !== "") return undefined;
  const [, proto, host, portText] = parts as [string, string, string, string, string];
  if (!/^\d{1,5}$/.test(portText)) return undefined;
  const port = Number(portText);
  if (!validPort(port) || port === 0) return undefined;
  if (proto === "1" && isIPv4(host)) return { hostname: host, port, family: "IPv4" };
  if (proto === "2" && isIPv6(host)) return { hostname: host, port, family: "IPv6" };
  return undefined;
}
