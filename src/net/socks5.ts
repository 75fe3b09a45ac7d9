/**
 * A {@linkcode Net} that dials through a SOCKS5 proxy (RFC 1928), with optional user/password
 * authentication (RFC 1929). It wraps another `Net` (the running runtime's by default), so it
 * works on every runtime; give it to the client as its `net` option and the control connection
 * and the passive data connections go through the proxy. Host names are sent to the proxy
 * unresolved (like `socks5h://`). Listening (active mode) through a proxy is not offered.
 *
 * @example
 * ```ts
 * import { Client } from "anyftp";
 * import { socks5Net } from "anyftp/net/socks5";
 * const net = socks5Net({ hostname: "127.0.0.1", port: 1080, username: "me", password: "pw" });
 * await using client = await Client.connect("ftp://ftp.example.com", { net });
 * console.log(await client.list("/"));
 * ```
 *
 * @module
 */

import { FtpError, UnsupportedError } from "../errors.ts";
import { defaultNet } from "./auto.ts";
import type {
  Addr,
  ConnectOptions,
  Conn,
  Listener,
  ListenOptions,
  Net,
  StartTlsOptions,
  TlsOptions,
} from "./types.ts";

/**
 * Where the SOCKS5 proxy is and how to log in to it.
 *
 * @example
 * ```ts
 * import type { Socks5Options } from "anyftp/net/socks5";
 * const options: Socks5Options = { hostname: "proxy.internal", port: 1080 };
 * ```
 */
export interface Socks5Options {
  /** The proxy's host name or address. */
  readonly hostname: string;
  /** The proxy's port. @default 1080 */
  readonly port?: number;
  /** User name for RFC 1929 authentication (with `password`). @default undefined (no authentication) */
  readonly username?: string;
  /** Password for RFC 1929 authentication. @default "" */
  readonly password?: string;
  /** How to reach the proxy. @default the running runtime's adapter (`defaultNet()`) */
  readonly net?: Net;
}

/**
 * The proxy refused or failed: wrong credentials, no acceptable authentication method, a
 * target it could not reach, or an answer that is not SOCKS5.
 *
 * @example
 * ```ts
 * import { ProxyError } from "anyftp/net/socks5";
 * const e = new ProxyError("auth", "The SOCKS5 proxy refused the user name or password.");
 * console.log(e.reason); // "auth"
 * ```
 */
export class ProxyError extends FtpError {
  /**
   * What went wrong: `"auth"` (credentials refused), `"method"` (no acceptable
   * authentication method), `"connect"` (the proxy could not reach the target; see `reply`),
   * `"protocol"` (not a SOCKS5 answer).
   */
  readonly reason: "auth" | "method" | "connect" | "protocol";
  /** The proxy's reply code for `"connect"` (RFC 1928 REP: 1 general failure … 8). */
  readonly reply: number | undefined;

  /**
   * Create a ProxyError.
   *
   * @param reason What went wrong.
   * @param message The message.
   * @param reply The proxy's REP code, for `"connect"`.
   */
  constructor(reason: ProxyError["reason"], message: string, reply?: number) {
    super(message);
    this.reason = reason;
    this.reply = reply;
  }
}

const REPLIES: Record<number, string> = {
  1: "general SOCKS server failure",
  2: "connection not allowed by ruleset",
  3: "network unreachable",
  4: "host unreachable",
  5: "connection refused",
  6: "TTL expired",
  7: "command not supported",
  8: "address type not supported",
};

/**
 * A `Net` whose `connect` goes through a SOCKS5 proxy.
 *
 * @param options The proxy, its credentials, and the `Net` to reach it with.
 * @returns The adapter; its `listen` throws {@linkcode UnsupportedError} (use passive mode).
 *
 * @example
 * ```ts
 * import { socks5Net } from "anyftp/net/socks5";
 * const net = socks5Net({ hostname: "127.0.0.1", port: 1080 });
 * const conn = await net.connect({ hostname: "ftp.example.com", port: 21 });
 * conn.close();
 * ```
 */
export function socks5Net(options: Socks5Options): Net {
  const proxyPort = options.port ?? 1080;
  const user = options.username;
  const password = options.password ?? "";
  if (user !== undefined && (utf8(user).length > 255 || utf8(password).length > 255)) {
    throw new FtpError("SOCKS5 user names and passwords are at most 255 bytes.");
  }
  return {
    name: `socks5 via ${options.net?.name ?? "the default adapter"}`,
    async connect(co: ConnectOptions): Promise<Conn> {
      const inner = options.net ?? await defaultNet();
      const conn = await inner.connect({
        hostname: options.hostname,
        port: proxyPort,
        ...(co.signal ? { signal: co.signal } : {}),
        ...(co.localAddress ? { localAddress: co.localAddress } : {}),
      });
      let proxied: Conn;
      try {
        const rest = await handshake(conn, co, user, password);
        proxied = new ProxiedConn(conn, targetAddr(co), rest);
      } catch (e) {
        conn.close();
        throw co.signal?.aborted ? co.signal.reason : e;
      }
      return co.tls ? await proxied.startTls(co.tls) : proxied;
    },
    listen(_: ListenOptions): Promise<Listener> {
      return Promise.reject(
        new UnsupportedError("socks5", "listening through the proxy (active mode)", "use passive mode"),
      );
    },
  };
}

function utf8(text: string): Uint8Array {
  return new TextEncoder().encode(text);
}

/** The target as the connection reports it (the proxy is invisible to the user). */
function targetAddr(co: ConnectOptions): Addr {
  const hostname = co.hostname.replace(/^\[(.*)\]$/, "$1");
  return { hostname, port: co.port, family: hostname.includes(":") ? "IPv6" : "IPv4" };
}

/** The address field of a CONNECT request: IPv4, IPv6 or a name for the proxy to resolve. */
function encodeTarget(hostname: string): Uint8Array {
  const host = hostname.replace(/^\[(.*)\]$/, "$1");
  const v4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(host);
  if (v4 && v4.slice(1).every((n) => Number(n) <= 255)) {
    return new Uint8Array([1, ...v4.slice(1).map(Number)]);
  }
  if (host.includes(":")) {
    const v6 = ipv6Bytes(host);
    if (v6) return new Uint8Array([4, ...v6]);
  }
  const name = utf8(host);
  if (name.length === 0 || name.length > 255) {
    throw new FtpError(`"${hostname}" cannot be sent to a SOCKS5 proxy (1 to 255 bytes).`);
  }
  return new Uint8Array([3, name.length, ...name]);
}

/** The 16 bytes of an IPv6 address (with `::` and an optional dotted IPv4 tail). */
function ipv6Bytes(host: string): number[] | undefined {
  let text = host.replace(/%.*$/, "");
  const tail = /(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(text);
  if (tail) {
    const [a, b, c, d] = tail.slice(1).map(Number) as [number, number, number, number];
    text = text.slice(0, tail.index) + ((a << 8) | b).toString(16) + ":" +
      ((c << 8) | d).toString(16);
  }
  const halves = text.split("::");
  if (halves.length > 2) return undefined;
  const part = (s: string) => (s === "" ? [] : s.split(":"));
  const head = part(halves[0]!);
  const rest = halves.length === 2 ? part(halves[1]!) : [];
  const fill = 8 - head.length - rest.length;
  if (fill < 0 || (halves.length === 1 && fill !== 0)) return undefined;
  const groups = [...head, ...Array(halves.length === 2 ? fill : 0).fill("0"), ...rest];
  const out: number[] = [];
  for (const g of groups) {
    if (!/^[0-9a-f]{1,4}$/i.test(g)) return undefined;
    const n = parseInt(g, 16);
    out.push(n >> 8, n & 255);
  }
  return out;
}

/** Reads exact byte counts from a connection during the handshake. */
class HandshakeReader {
  #reader: ReadableStreamDefaultReader<Uint8Array>;
  #buffer = new Uint8Array(0);

  constructor(conn: Conn) {
    this.#reader = conn.readable.getReader();
  }

  async read(n: number): Promise<Uint8Array> {
    while (this.#buffer.length < n) {
      const { value, done } = await this.#reader.read();
      if (done) {
        throw new ProxyError("protocol", "The SOCKS5 proxy closed the connection during the handshake.");
      }
      const joined = new Uint8Array(this.#buffer.length + value.length);
      joined.set(this.#buffer);
      joined.set(value, this.#buffer.length);
      this.#buffer = joined;
    }
    const out = this.#buffer.subarray(0, n);
    this.#buffer = this.#buffer.subarray(n);
    return out;
  }

  /** Give the stream back; returns the bytes read past the handshake. */
  release(): Uint8Array {
    this.#reader.releaseLock();
    return this.#buffer;
  }
}

/**
 * Greeting, authentication and CONNECT on a fresh connection to the proxy.
 *
 * @returns Bytes the target sent that arrived with the proxy's reply.
 */
async function handshake(
  conn: Conn,
  co: ConnectOptions,
  user: string | undefined,
  password: string,
): Promise<Uint8Array> {
  const writer = conn.writable.getWriter();
  const reader = new HandshakeReader(conn);
  const onAbort = () => conn.close();
  co.signal?.addEventListener("abort", onAbort, { once: true });
  try {
    await writer.write(new Uint8Array(user !== undefined ? [5, 2, 0, 2] : [5, 1, 0]));
    const [version, method] = await reader.read(2);
    if (version !== 5) throw new ProxyError("protocol", "The proxy does not speak SOCKS5.");
    if (method === 2 && user !== undefined) {
      const u = utf8(user);
      const p = utf8(password);
      await writer.write(new Uint8Array([1, u.length, ...u, p.length, ...p]));
      const [, status] = await reader.read(2);
      if (status !== 0) {
        throw new ProxyError(
          "auth",
          `The SOCKS5 proxy refused the user name or password of "${user}": check the credentials.`,
        );
      }
    } else if (method !== 0) {
      throw new ProxyError(
        "method",
        method === 0xff && user === undefined
          ? "The SOCKS5 proxy requires authentication: give a username and password."
          : `The SOCKS5 proxy chose an authentication method this client lacks (${method}).`,
      );
    }
    const port = co.port;
    await writer.write(new Uint8Array([5, 1, 0, ...encodeTarget(co.hostname), port >> 8, port & 255]));
    const [v, rep, , atyp] = await reader.read(4);
    if (v !== 5) throw new ProxyError("protocol", "The proxy's CONNECT reply is not SOCKS5.");
    if (rep !== 0) {
      throw new ProxyError(
        "connect",
        `The SOCKS5 proxy could not connect to ${co.hostname}:${port}: ${REPLIES[rep!] ?? `reply ${rep}`}.`,
        rep,
      );
    }
    const addrLength = atyp === 1 ? 4 : atyp === 4 ? 16 : atyp === 3 ? (await reader.read(1))[0]! : -1;
    if (addrLength < 0) throw new ProxyError("protocol", `The proxy's reply has address type ${atyp}.`);
    await reader.read(addrLength + 2);
    return reader.release();
  } finally {
    co.signal?.removeEventListener("abort", onAbort);
    writer.releaseLock();
  }
}

/** Proxies that wrap a connection, for unwrapping `reuseSessionOf`. */
const inners = new WeakMap<Conn, Conn>();

/**
 * The connection to the target through the proxy: the proxy connection's streams, reporting
 * the target as its peer. Bytes of the target that came with the proxy's reply are read first.
 */
class ProxiedConn implements Conn {
  readonly readable: ReadableStream<Uint8Array>;
  readonly writable: WritableStream<Uint8Array>;
  readonly remoteAddr: Addr;
  #inner: Conn;
  #innerReader: ReadableStreamDefaultReader<Uint8Array> | undefined;
  #early: Uint8Array | undefined;

  constructor(inner: Conn, target: Addr, early: Uint8Array) {
    this.#inner = inner;
    this.remoteAddr = target;
    this.writable = inner.writable;
    inners.set(this, inner);
    if (early.length === 0) {
      this.readable = inner.readable;
      return;
    }
    this.#early = early;
    const reader = inner.readable.getReader();
    this.#innerReader = reader;
    this.readable = new ReadableStream<Uint8Array>({
      pull: async (controller) => {
        if (this.#early) {
          controller.enqueue(this.#early);
          this.#early = undefined;
          return;
        }
        const { value, done } = await reader.read();
        if (done) controller.close();
        else controller.enqueue(value);
      },
      cancel: (reason) => reader.cancel(reason),
    }, { highWaterMark: 0 });
  }

  get localAddr(): Addr {
    return this.#inner.localAddr;
  }

  get closed(): Promise<void> {
    return this.#inner.closed;
  }

  get secure(): boolean {
    return this.#inner.secure;
  }

  setNoDelay(noDelay: boolean): void {
    this.#inner.setNoDelay(noDelay);
  }

  close(): void {
    this.#inner.close();
  }

  tlsSessionReused(): boolean | undefined {
    return this.#inner.tlsSessionReused?.();
  }

  async startTls(options: TlsOptions, init: StartTlsOptions = {}): Promise<Conn> {
    if (this.#early) {
      this.close();
      throw new FtpError("The server sent data before the TLS handshake: the connection was closed.");
    }
    this.#innerReader?.releaseLock();
    const reuse = options.role === "client" ? options.reuseSessionOf : undefined;
    const tlsOptions = reuse ? { ...options, reuseSessionOf: inners.get(reuse) ?? reuse } : options;
    const secured = await this.#inner.startTls(tlsOptions, init);
    return new ProxiedConn(secured, this.remoteAddr, new Uint8Array(0));
  }
}
