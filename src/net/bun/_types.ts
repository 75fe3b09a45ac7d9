/**
 * The few `Bun.*` socket APIs the Bun adapter uses, declared locally so the module type-checks
 * under `deno check` (which has no Bun types) as well as under tsc.
 *
 * @module
 */
import { UnsupportedError } from "../../errors.ts";

/** Bun's TLS options, as far as the adapter sets them. */
export interface BunTlsOptions {
  ca?: string[] | undefined;
  cert?: string;
  key?: string | undefined;
  serverName?: string;
  rejectUnauthorized?: boolean;
  /** OpenSSL `SSL_OP_*` bits (BoringSSL in Bun). */
  secureOptions?: number;
}

/** A `Bun.Socket`, reduced to the calls the adapter makes. `data` holds the adapter's state. */
export interface BunSocketLike<Data = unknown> {
  data: Data;
  readonly localAddress: string;
  readonly localPort: number;
  readonly remoteAddress: string;
  readonly remotePort: number;
  write(data: Uint8Array, byteOffset?: number, byteLength?: number): number;
  /** Graceful close of both directions (Bun detaches the socket right away). */
  end(): void;
  /** Half-close: FIN, still readable. */
  shutdown(halfClose?: boolean): void;
  terminate(): void;
  pause(): void;
  resume(): void;
  setNoDelay(noDelay?: boolean): boolean;
  getSession(): unknown;
  isSessionReused(): boolean;
  setSession(session: unknown): void;
  upgradeTLS(options: {
    data: Data;
    tls: BunTlsOptions;
    socket: BunHandlers<Data>;
    isServer?: boolean;
  }): [raw: BunSocketLike<Data>, tls: BunSocketLike<Data>];
}

/** Socket event handlers (`Bun.SocketHandler`). */
export interface BunHandlers<Data> {
  binaryType: "uint8array";
  open(socket: BunSocketLike<Data>): void;
  data(socket: BunSocketLike<Data>, chunk: Uint8Array): void;
  drain(socket: BunSocketLike<Data>): void;
  end(socket: BunSocketLike<Data>): void;
  close(socket: BunSocketLike<Data>, error?: Error): void;
  error(socket: BunSocketLike<Data>, error: Error): void;
  handshake(socket: BunSocketLike<Data>, success: boolean, error: Error | null): void;
  connectError?(socket: BunSocketLike<Data>, error: Error): void;
}

/** `Bun.TCPSocketListener`. */
export interface BunListenerLike {
  readonly port: number;
  readonly hostname: string;
  stop(closeActiveConnections?: boolean): void;
}

/** The `Bun` namespace, as far as sockets go. */
export interface BunNamespace {
  connect<Data>(options: {
    hostname: string;
    port: number;
    data: Data;
    socket: BunHandlers<Data>;
    tls?: BunTlsOptions | undefined;
    allowHalfOpen?: boolean;
  }): Promise<BunSocketLike<Data>>;
  listen<Data>(options: {
    hostname: string;
    port: number;
    data?: Data;
    socket: BunHandlers<Data>;
    tls?: BunTlsOptions | undefined;
    allowHalfOpen?: boolean;
  }): BunListenerLike;
}

/** The running Bun's namespace; {@linkcode UnsupportedError} elsewhere. */
export function bunNamespace(): BunNamespace {
  const ns = (globalThis as { Bun?: BunNamespace }).Bun;
  if (!ns) throw new UnsupportedError("this runtime", "the Bun adapter", "use nodeNet or denoNet");
  return ns;
}
