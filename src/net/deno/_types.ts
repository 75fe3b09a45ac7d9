/**
 * The few `Deno.*` networking APIs the Deno adapter uses, declared locally so the module
 * type-checks under tsc (which has no Deno types) as well as under `deno check`.
 *
 * @module
 */
import { UnsupportedError } from "../../errors.ts";

/** `Deno.NetAddr`. */
export interface DenoNetAddr {
  readonly transport: string;
  readonly hostname: string;
  readonly port: number;
}

/** `Deno.TcpConn` / `Deno.TlsConn`, reduced to the calls the adapter makes. */
export interface DenoConnLike {
  readonly localAddr: DenoNetAddr;
  readonly remoteAddr: DenoNetAddr;
  read(buffer: Uint8Array): Promise<number | null>;
  write(buffer: Uint8Array): Promise<number>;
  closeWrite(): Promise<void>;
  close(): void;
  setNoDelay?(noDelay?: boolean): void;
  handshake?(): Promise<unknown>;
}

/** `Deno.Listener`. */
export interface DenoListenerLike {
  readonly addr: DenoNetAddr;
  accept(): Promise<DenoConnLike>;
  close(): void;
}

/** The `Deno` namespace, as far as networking goes. */
export interface DenoNamespace {
  connect(options: {
    hostname: string;
    port: number;
    transport?: "tcp";
    signal?: AbortSignal | undefined;
  }): Promise<DenoConnLike>;
  listen(options: {
    hostname: string;
    port: number;
    transport?: "tcp";
    tcpBacklog?: number;
  }): DenoListenerLike;
  listenTls(options: {
    hostname: string;
    port: number;
    transport?: "tcp";
    tcpBacklog?: number;
    cert: string;
    key: string;
  }): DenoListenerLike;
  startTls(
    conn: DenoConnLike,
    options: { hostname?: string; caCerts?: string[] | undefined },
  ): Promise<DenoConnLike>;
}

/** The running Deno's namespace; {@linkcode UnsupportedError} elsewhere. */
export function denoNamespace(): DenoNamespace {
  const ns = (globalThis as { Deno?: DenoNamespace }).Deno;
  if (!ns) throw new UnsupportedError("this runtime", "the Deno adapter", "use nodeNet or bunNet");
  return ns;
}

/**
 * The system error code of a Deno error: Deno 2 sets `code` (ECONNREFUSED…); older names
 * are mapped as a fallback.
 */
export function denoErrorCode(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code === "string") return code;
  const byName: Record<string, string> = {
    ConnectionRefused: "ECONNREFUSED",
    ConnectionReset: "ECONNRESET",
    ConnectionAborted: "ECONNABORTED",
    TimedOut: "ETIMEDOUT",
    AddrInUse: "EADDRINUSE",
    AddrNotAvailable: "EADDRNOTAVAIL",
    PermissionDenied: "EACCES",
    NotFound: "ENOTFOUND",
    NetworkUnreachable: "ENETUNREACH",
    BrokenPipe: "EPIPE",
  };
  const named = byName[(error as { name?: string } | null)?.name ?? ""];
  if (named) return named;
  // A failed name lookup is a plain Error with no code (Deno 2.9): recognise its message.
  const message = (error as { message?: unknown } | null)?.message;
  return typeof message === "string" && /failed to lookup address/i.test(message) ? "ENOTFOUND" : undefined;
}
