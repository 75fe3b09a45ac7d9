/**
 * Options and result types of the FTP {@linkcode Client}.
 *
 * @module
 */

import type { ClientTlsOptions, Net } from "../net/types.ts";
import type { PathIO } from "../fs/path_io.ts";
import type { ListLineParser, ParsedEntry } from "../protocol/list_entry.ts";
import type { ClientEncoding } from "./_encoding.ts";
import type { Throttle } from "../streams/throttle.ts";

export type { ClientEncoding } from "./_encoding.ts";

/**
 * Bandwidth caps of a {@linkcode Client}, in bytes per second: a number for this client alone,
 * or a `Throttle` shared with other clients. "Download" is data the client receives, "upload"
 * data it sends (the same words as the server's `SpeedLimits`).
 *
 * @example
 * ```ts
 * import { type ClientSpeedLimits, Throttle } from "anyftp";
 * const shared = new Throttle({ bytesPerSecond: 10_000_000 });
 * const limits: ClientSpeedLimits = { download: shared, upload: 1_000_000 };
 * ```
 */
export interface ClientSpeedLimits {
  /** Cap on data received (RETR, listings). @default Infinity */
  readonly download?: number | Throttle | undefined;
  /** Cap on data sent (STOR, APPE). @default Infinity */
  readonly upload?: number | Throttle | undefined;
}

/**
 * TLS details of a {@linkcode Client} (server name, CA certificates, a client certificate).
 *
 * @example
 * ```ts
 * import type { ClientTls } from "anyftp";
 * const tls: ClientTls = { caCerts: ["-----BEGIN CERTIFICATE-----\n…"], serverName: "ftp.example.com" };
 * ```
 */
export type ClientTls = Omit<ClientTlsOptions, "role" | "reuseSessionOf">;

/**
 * Where a {@linkcode Client} reads and writes local files: a factory that gets the local
 * directory to root the storage at.
 *
 * @example
 * ```ts
 * import { type ClientStorage, MemoryPathIO } from "anyftp";
 * const memory = new MemoryPathIO();
 * const storage: ClientStorage = () => memory;
 * ```
 */
export type ClientStorage = (root: string) => PathIO | Promise<PathIO>;

/**
 * Options of a {@linkcode Client}.
 *
 * @example
 * ```ts
 * import type { ClientOptions } from "anyftp";
 * const options: ClientOptions = { connectTimeout: 5000, passiveCommands: ["PASV"], mode: "active" };
 * ```
 */
export interface ClientOptions {
  /** Socket adapter. @default the running runtime's (`defaultNet()`) */
  readonly net?: Net | undefined;
  /** Limit for opening a connection (control and data), in ms. @default 30000 */
  readonly connectTimeout?: number | undefined;
  /**
   * Limit for waiting on any one reply line from the server, in ms. After an upload, while
   * the server keeps the data connection open (it is still receiving what sits in socket
   * buffers), the wait for its verdict may take this long per MiB sent (up to 32 MiB counted).
   * @default 30000
   */
  readonly socketTimeout?: number | undefined;
  /**
   * Limit for a data connection to stay silent (and for an active-mode server to dial in), in
   * ms. It also bounds how long a call may wait behind a transfer stream that nobody consumes
   * (see {@linkcode StalledStreamError}). 0 or `Infinity`: no limit. @default 30000
   */
  readonly dataTimeout?: number | undefined;
  /** Encoding of commands, replies and listings. @default "utf-8" */
  readonly encoding?: ClientEncoding | undefined;
  /** `"passive"` (the client dials the server) or `"active"` (PORT/EPRT: the server dials the client). @default "passive" */
  readonly mode?: "passive" | "active" | undefined;
  /** Passive commands, tried in this order; one answered 500/502 is not tried again. @default ["EPSV", "PASV"] */
  readonly passiveCommands?: readonly ("EPSV" | "PASV")[] | undefined;
  /** Active commands, tried in this order (PORT only carries IPv4). @default ["EPRT", "PORT"] */
  readonly activeCommands?: readonly ("EPRT" | "PORT")[] | undefined;
  /** Address to listen on in active mode. @default the control connection's local address */
  readonly activeHost?: string | undefined;
  /**
   * Connect to whatever host a PASV reply names. By default the client connects to the
   * control connection's peer instead, so a hostile server cannot aim it elsewhere (FTP
   * bounce), and servers behind NAT that announce private addresses still work. @default false
   */
  readonly allowForeignPassiveHost?: boolean | undefined;
  /**
   * Accept an active-mode data connection from a host other than the control peer. @default false
   */
  readonly allowForeignActivePeer?: boolean | undefined;
  /** Download and upload caps, as the server's `speedLimits` option. @default {} (unlimited) */
  readonly speedLimits?: ClientSpeedLimits | undefined;
  /** @deprecated The 0.1 name: use `speedLimits.download`. */
  readonly readSpeedLimit?: number | Throttle | undefined;
  /** @deprecated The 0.1 name: use `speedLimits.upload`. */
  readonly writeSpeedLimit?: number | Throttle | undefined;
  /** Extra LIST-line parser for exotic servers. @default undefined */
  readonly listParser?: ListLineParser | undefined;
  /** Try {@linkcode ClientOptions.listParser} before (`"first"`) or after the built-in Unix and DOS parsers. @default "first" */
  readonly listParserOrder?: "first" | "last" | undefined;
  /** Longest reply line accepted, in bytes. @default 8192 */
  readonly maxLineLength?: number | undefined;
  /** Most lines one reply may have. @default 10000 */
  readonly maxReplyLines?: number | undefined;
  /** Most bytes one directory listing may have. @default 67108864 (64 MiB) */
  readonly maxListingBytes?: number | undefined;
  /**
   * FTPS: `"implicit"` starts TLS on connect (port 990 servers); `"explicit"` sends AUTH TLS
   * after the greeting, then PBSZ 0 and PROT P after login (the server's listen option of the
   * same name). @default undefined (plain FTP; {@linkcode Client.upgradeToTls} can still switch)
   */
  readonly tlsMode?: "implicit" | "explicit" | undefined;
  /**
   * TLS details (server name, CA certificates), the client side of the server's `tls`
   * option. They are used once TLS starts (`tlsMode`, {@linkcode Client.upgradeToTls});
   * alone they do not start it. The strings `"implicit"` and `"explicit"` are the deprecated
   * 0.1 form of `tlsMode`. @default undefined (the runtime's trust store, the host's name)
   */
  readonly tls?: ClientTls | "implicit" | "explicit" | undefined;
  /** @deprecated The 0.1 name: use `tls` (the details); `tlsMode` starts TLS. */
  readonly tlsOptions?: ClientTls | undefined;
  /**
   * Resume the control connection's TLS session on data connections (servers such as vsftpd
   * with `require_ssl_reuse` demand it). Adapters that cannot (Deno's) make it fall back to
   * a full handshake. @default true
   */
  readonly tlsSessionReuse?: boolean | undefined;
  /**
   * Storage for local paths of {@linkcode Client.upload} and {@linkcode Client.download}, as
   * the server's `storage` option: a factory that gets the local directory to root the
   * storage at. @default LocalPathIO of the real file system
   */
  readonly storage?: ClientStorage | undefined;
  /** @deprecated The 0.1 name: use `storage`. */
  readonly localFs?: ClientStorage | undefined;
  /**
   * Ask LIST for hidden files (`LIST -a`) when the server has no MLSD. A server that refuses
   * the option (5xx) gets a plain `LIST` from then on. @default true
   */
  readonly listHidden?: boolean | undefined;
  /**
   * Called with every command sent (`"> USER alice"`; the arguments of PASS and ACCT are
   * censored), every reply line received (`"< 230 Logged in"`) and every connection opened
   * (`"Data connection to 127.0.0.1 port 50001"`), to debug a conversation with a server.
   * @default undefined (no trace)
   */
  readonly trace?: ((line: string) => void) | undefined;
}

/**
 * Credentials and address for {@linkcode Client.connect}.
 *
 * @example
 * ```ts
 * import type { ConnectTarget } from "anyftp";
 * const target: ConnectTarget = { host: "127.0.0.1", port: 2121, user: "alice", password: "secret" };
 * ```
 */
export interface ConnectTarget extends ClientOptions {
  /** Host name or address. */
  readonly host: string;
  /** Control port. @default 21 (990 with implicit TLS) */
  readonly port?: number | undefined;
  /** User name. @default "anonymous" */
  readonly user?: string | undefined;
  /** Password. @default "anon@" */
  readonly password?: string | undefined;
  /** Account, sent when the server answers 332. @default "" */
  readonly account?: string | undefined;
}

/**
 * Progress of one transfer, reported after each chunk.
 *
 * @example
 * ```ts
 * import type { TransferProgress } from "anyftp";
 * const show = (p: TransferProgress) => console.log(`${p.bytes}/${p.total ?? "?"} at ${p.rate} B/s`);
 * ```
 */
export interface TransferProgress {
  /** Bytes moved so far in this transfer (not counting a resume offset). */
  readonly bytes: number;
  /** Expected total bytes of this transfer, when known. */
  readonly total?: number;
  /** Average rate since the transfer started, in bytes per second. */
  readonly rate: number;
}

/**
 * Options of one transfer.
 *
 * @example
 * ```ts
 * import type { TransferOptions } from "anyftp";
 * const resume: TransferOptions = { offset: 1024, signal: AbortSignal.timeout(60_000), onProgress: (p) => console.log(p.bytes) };
 * ```
 */
export interface TransferOptions {
  /** Byte offset to start at (REST): resume a download, or write into an upload target in place. @default 0 */
  readonly offset?: number | undefined;
  /** Aborts the transfer (ABOR is sent; the stream errors with the signal's reason). @default undefined (no signal) */
  readonly signal?: AbortSignal | undefined;
  /** Called after each chunk. @default undefined (no progress reports) */
  readonly onProgress?: ((progress: TransferProgress) => void) | undefined;
  /**
   * Expected size, for progress (downloads ask the server with SIZE when this is missing and
   * onProgress is given). @default undefined (unknown; uploads of bytes use their length)
   */
  readonly total?: number | undefined;
  /**
   * Transfer as text (TYPE A): the network form ends lines with CRLF; downloads turn CRLF
   * into LF and uploads LF into CRLF. Sizes and offsets then count network bytes, so leave
   * `offset` at 0. @default false (binary, TYPE I)
   */
  readonly ascii?: boolean | undefined;
  /**
   * Downloads: most bytes the transfer may bring; one byte more aborts it (ABOR) and it fails
   * with an `FtpError`, so a hostile server cannot fill the memory. @default Infinity
   * (`downloadData`: 268435456, 256 MiB)
   */
  readonly maxSize?: number | undefined;
  /**
   * Downloads: stop with an `FtpError` (after ABOR) once the server sends more bytes than it
   * announced (SIZE, or MLST when it lacks SIZE). Without an announced size nothing is
   * enforced. @default false
   */
  readonly stopAtSize?: boolean | undefined;
}

/**
 * Options of the file and tree conveniences {@linkcode Client.upload} and {@linkcode Client.download}.
 *
 * @example
 * ```ts
 * import type { CopyOptions } from "anyftp";
 * const mirror: CopyOptions = { writeInto: true, resume: true, onProgress: (p) => console.log(p.path, p.bytes) };
 * ```
 */
export interface CopyOptions {
  /**
   * `false`: the destination is a directory and the source goes inside it under its own name
   * (`download("dir", "local")` makes `local/dir`). `true`: the destination is the target
   * itself (`download("dir", "local")` puts dir's contents into `local`, and
   * `download("/report.pdf", "out.pdf")` writes `out.pdf`, as `cp` and `curl -o` do).
   * @default false
   */
  readonly writeInto?: boolean | undefined;
  /** Continue an interrupted download: keep the local bytes and fetch the rest (REST). @default false */
  readonly resume?: boolean | undefined;
  /** Transfer the files as text (TYPE A, see {@linkcode TransferOptions.ascii}); not with `resume`. @default false */
  readonly ascii?: boolean | undefined;
  /**
   * Downloads: stop a file with an `FtpError` (after ABOR) once the server sends more bytes
   * than the listing or MLST announced for it. @default false
   */
  readonly stopAtSize?: boolean | undefined;
  /** Aborts the copy. @default undefined (no signal) */
  readonly signal?: AbortSignal | undefined;
  /** Progress of each file. @default undefined (no progress reports) */
  readonly onProgress?: ((progress: TransferProgress & { readonly path: string }) => void) | undefined;
}

/**
 * A listed remote entry with its path.
 *
 * @example
 * ```ts
 * import type { RemoteEntry } from "anyftp";
 * const isBig = (e: RemoteEntry) => e.type === "file" && (e.size ?? 0) > 1e9;
 * ```
 */
export interface RemoteEntry extends ParsedEntry {
  /** Path of the entry: the listed directory joined with its name. */
  readonly path: string;
}

/**
 * Options of {@linkcode Client.list}.
 *
 * @example
 * ```ts
 * import type { ListOptions } from "anyftp";
 * const everything: ListOptions = { recursive: true, command: "LIST" };
 * ```
 */
export interface ListOptions {
  /** Descend into subdirectories (symbolic links are not followed). @default false */
  readonly recursive?: boolean | undefined;
  /** Force the listing command; by default MLSD, falling back to LIST when the server lacks it. @default undefined */
  readonly command?: "MLSD" | "LIST" | undefined;
  /** Aborts the listing (ABOR for a listing in progress). @default undefined (no signal) */
  readonly signal?: AbortSignal | undefined;
}
