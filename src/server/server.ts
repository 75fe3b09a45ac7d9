/**
 * The FTP server: accepts control connections, enforces connection limits, runs one
 * session per client, and shuts down gracefully.
 *
 * @module
 */

import { MemoryPathIO } from "../fs/memory_path_io.ts";
import type { PathIO } from "../fs/path_io.ts";
import { defaultNet } from "../net/auto.ts";
import type { Addr, Conn, Listener, Net } from "../net/types.ts";
import { unmapIPv4 } from "../protocol/address.ts";
import { textEncoder } from "../protocol/encoding.ts";
import { formatReply } from "../protocol/reply.ts";
import { Throttle, throttleStream } from "../streams/throttle.ts";
import { LingeringConns } from "./_lingering.ts";
import { LoginFailures } from "./_login_failures.ts";
import { PortPool } from "./_port_pool.ts";
import { COMMANDS } from "./_commands.ts";
import { ServerSession } from "./_session.ts";
import type { EventInit, SessionConfig, SessionHost } from "./_session_host.ts";
import { sleep } from "./_sleep.ts";
import { UploadLocks, type UploadPolicy } from "./_uploads.ts";
import type { ServerEvent } from "./events.ts";
import type { SpeedLimits } from "./speed_limits.ts";
import type { ServerTlsPolicy } from "./tls_policy.ts";
import type { User, UserOptions } from "./user.ts";
import { MemoryUserManager, type UserManager } from "./user_manager.ts";

/** Listening sockets per control listener where the runtime can share a port (see `ListenOptions.acceptors`). */
const CONTROL_ACCEPTORS = 4;

/**
 * Options for {@linkcode Server}. Durations are in milliseconds.
 *
 * @example
 * ```ts
 * import { MemoryPathIO, Server, type ServerOptions } from "anyftp";
 * const options: ServerOptions = {
 *   users: [{ login: "alice", password: "pw" }, { anonymous: true }],
 *   storage: new MemoryPathIO(),
 *   maxConnections: 100,
 *   maxConnectionsPerIp: 10,
 *   passivePorts: { min: 50000, max: 50100 },
 *   onEvent: (e) => console.log(e.type),
 * };
 * ```
 */
export interface ServerOptions {
  /**
   * The accounts, served by a {@linkcode MemoryUserManager}. Ignored when `userManager` is
   * given. @default [{ anonymous: true }] (anonymous, read-only)
   */
  readonly users?: readonly (User | UserOptions)[] | undefined;
  /** Custom authentication. @default a MemoryUserManager over `users` */
  readonly userManager?: UserManager | undefined;
  /**
   * The storage every user's paths map into (below their `basePath`), or a function that
   * gives each logged-in user their own (e.g. a LocalPathIO rooted at their directory, which
   * also confines symlinks to it). @default a new MemoryPathIO shared by all sessions
   */
  readonly storage?: PathIO | ((user: User) => PathIO | Promise<PathIO>) | undefined;
  /** The socket adapter. @default the running runtime's (defaultNet()) */
  readonly net?: Net | undefined;
  /** Most simultaneous sessions; extra clients get 421 and are disconnected. @default 512 */
  readonly maxConnections?: number | undefined;
  /** Most simultaneous sessions from one IP address. @default unlimited */
  readonly maxConnectionsPerIp?: number | undefined;
  /** A session with no command (and no transfer progress) for this long gets 421 and is closed. @default 300000 */
  readonly idleTimeout?: number | undefined;
  /** How long a transfer waits for its data connection before 425 (the client's option of the same name). @default 30000 */
  readonly dataTimeout?: number | undefined;
  /** @deprecated The 0.1 name: use `dataTimeout`. */
  readonly dataConnectionTimeout?: number | undefined;
  /**
   * Longest TLS handshake, on the control connection after AUTH TLS (then the session is
   * closed) and on each data connection after PROT P (then the transfer gets 425), where the
   * data connection timeout also bounds it. @default 10000
   */
  readonly tlsHandshakeTimeout?: number | undefined;
  /** Delay before answering a failed login, against password guessing. @default 1000 */
  readonly loginFailureDelay?: number | undefined;
  /** Failed logins after which the session is closed with 421. @default 3 */
  readonly maxLoginFailures?: number | undefined;
  /**
   * Failed logins from one IP address (over all its sessions) within `loginFailureWindow`
   * after which that address's logins are answered 421 until the oldest failure is older
   * than the window. Each recent failure from an address also doubles the delay before its
   * next failed login is answered (up to 16 × `loginFailureDelay`). @default 10
   */
  readonly maxLoginFailuresPerIp?: number | undefined;
  /** How long a failed login counts against its IP address. @default 60000 */
  readonly loginFailureWindow?: number | undefined;
  /** Longest accepted command line in bytes; longer lines are answered 500 and not run. @default 4096 */
  readonly maxLineLength?: number | undefined;
  /** Overlong lines after which the session is closed with 421. @default 3 */
  readonly maxBadLines?: number | undefined;
  /**
   * The address announced in PASV replies (behind NAT or in containers): a fixed IPv4
   * address, or a function of the client's and the server's address.
   * @default the control connection's local address
   */
  readonly passiveAddress?: string | ((client: Addr, local: Addr) => string | Promise<string>) | undefined;
  /**
   * Inclusive range of passive data ports; when all are busy PASV/EPSV get 421.
   * @default any free port: the OS picks fresh ones until a few dozen were used, then
   * those are bound again in rotation (binding to port 0 slows down badly when thousands
   * of earlier data connections sit in TIME_WAIT)
   */
  readonly passivePorts?: { readonly min: number; readonly max: number } | undefined;
  /**
   * Most passive ports one client IP address holds at once (further PASV/EPSV get 421).
   * A passive port no transfer uses within `dataTimeout` is closed and returned.
   * @default half the `passivePorts` range (at least 1); unlimited without a range (each
   * session holds at most one passive port, so `maxConnectionsPerIp` bounds them)
   */
  readonly maxPassivePortsPerIp?: number | undefined;
  /**
   * Where uploads are written. `"rename"`: to a temporary name in the same directory
   * (`.<name>.anyftp-upload-<random>`, hidden from listings), renamed over the target only
   * when the upload completed, removed when it failed: an interrupted upload never replaces
   * or truncates the old file, and readers see the old version meanwhile. `"in-place"`: to
   * the target itself. Resumed uploads (REST + STOR) and APPE always write in place. Either
   * way a file being written is locked: another upload to it gets 450, and so does a download
   * of a file being written in place. @default "rename"
   */
  readonly uploadPolicy?: UploadPolicy | undefined;
  /** Encoding of the control connection (commands, paths, replies, listings). @default "utf-8" */
  readonly encoding?: "utf-8" | "latin1" | undefined;
  /** The 220 greeting, one line or several. @default "anyftp server ready." */
  readonly welcome?: string | readonly string[] | undefined;
  /** Server-wide and per-connection bandwidth caps. @default unlimited */
  readonly speedLimits?: SpeedLimits | undefined;
  /** Commands to switch off (answered 502 and left out of FEAT), e.g. `["MLSD", "MLST"]`. @default [] */
  readonly disabledCommands?: readonly string[] | undefined;
  /**
   * Certificate and key for FTPS: AUTH TLS on every listener (explicit FTPS) and the
   * listeners opened with `tlsMode: "implicit"`. @default undefined (no TLS)
   */
  readonly tls?: { readonly cert: string; readonly key: string } | undefined;
  /**
   * FTPS requirements for every user (users may override `login` and `data`); `login` and
   * `data` need `tls`. @default TLS session reuse on PROT P data connections, nothing else
   */
  readonly requireTls?: ServerTlsPolicy | undefined;
  /** How long {@linkcode Server.close} lets running transfers finish. @default 10000 */
  readonly shutdownTimeout?: number | undefined;
  /**
   * Called for every {@linkcode ServerEvent} (sessions, logins, commands, replies,
   * transfers, errors). Exceptions it throws are ignored. @default undefined
   */
  readonly onEvent?: ((event: ServerEvent) => void) | undefined;
}

/** Options for {@linkcode Server.listen}. */
export interface ServerListenOptions {
  /** Numeric address to bind (`"0.0.0.0"`, `"::"` for all). @default "127.0.0.1" */
  readonly hostname?: string | undefined;
  /** TCP port; 0 picks a free one (see {@linkcode Server.address}). @default 0 */
  readonly port?: number | undefined;
  /** Listen backlog. @default 511 */
  readonly backlog?: number | undefined;
  /**
   * `"implicit"`: TLS from the first byte (implicit FTPS, port 990 by convention), with the
   * server's `tls` certificate. `"explicit"`: plain until AUTH TLS (offered when the server
   * has `tls`). The client's option of the same name. A server can listen on several ports,
   * e.g. one explicit and one implicit. @default "explicit"
   */
  readonly tlsMode?: "explicit" | "implicit" | undefined;
  /** @deprecated The 0.1 name: use `tlsMode: "implicit"`. */
  readonly implicitTls?: boolean | undefined;
}

/** Options for {@linkcode Server.close}. */
export interface ServerCloseOptions {
  /** How long running transfers may go on before they are aborted. @default the shutdownTimeout option */
  readonly timeout?: number | undefined;
}

interface SessionThrottles {
  readonly login: string | undefined;
  readonly download: Throttle;
  readonly upload: Throttle;
  readonly userDownload: Throttle;
  readonly userUpload: Throttle;
}

function positive(name: string, value: number | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (!(typeof value === "number" && value > 0)) {
    throw new RangeError(`Server option ${name} must be a positive number, got ${value}.`);
  }
  return value;
}

/**
 * An FTP server. Configure it, `listen`, and `close` (or `await using`) when done.
 *
 * @example
 * ```ts
 * import { MemoryPathIO, Server } from "anyftp";
 * await using server = new Server({
 *   users: [{ login: "alice", password: "secret", permissions: [{ path: "/" }] }],
 *   storage: new MemoryPathIO(),
 * });
 * const address = await server.listen({ hostname: "127.0.0.1", port: 0 });
 * console.log(`ftp://alice:secret@127.0.0.1:${address.port}/`);
 * ```
 */
export class Server {
  #options: ServerOptions;
  #config: SessionConfig;
  #net: Net | undefined;
  #listeners: Listener[] = [];
  #acceptLoops: Promise<void>[] = [];
  #sessions = new Map<ServerSession, Promise<void>>();
  #perIp = new Map<string, number>();
  #perUser = new Map<string, number>();
  #nextId = 1;
  #shuttingDown = false;
  #closing: Promise<void> | undefined;
  #userManager: UserManager;
  #storage: PathIO | ((user: User) => PathIO | Promise<PathIO>);
  #portPool: PortPool;
  #lingering: LingeringConns;
  #loginFailures: LoginFailures;
  #uploads = new UploadLocks();
  #maxConnections: number;
  #maxPerIp: number;
  #download: Throttle;
  #upload: Throttle;
  #userThrottles = new Map<string, { download: Throttle; upload: Throttle }>();
  #sessionThrottles = new WeakMap<object, SessionThrottles>();
  #host: SessionHost;

  /**
   * Configure a server (nothing is bound until {@linkcode Server.listen}).
   *
   * @param options Users, storage, limits, timeouts, events; see {@linkcode ServerOptions}.
   * @throws {RangeError} When a numeric option is out of range.
   */
  constructor(options: ServerOptions = {}) {
    this.#options = options;
    const encoding = options.encoding ?? "utf-8";
    if (encoding !== "utf-8" && encoding !== "latin1") {
      throw new RangeError(`Server option encoding must be "utf-8" or "latin1", got ${encoding}.`);
    }
    const welcome = options.welcome ?? "anyftp server ready.";
    if ((options.requireTls?.login || options.requireTls?.data) && !options.tls) {
      throw new TypeError("Server option requireTls needs the tls option (certificate and key).");
    }
    this.#config = {
      idleTimeout: positive("idleTimeout", options.idleTimeout, 300_000),
      // The deprecated 0.1 names are mapped here (and in listen) and nowhere else.
      dataTimeout: positive("dataTimeout", options.dataTimeout ?? options.dataConnectionTimeout, 30_000),
      tlsHandshakeTimeout: positive("tlsHandshakeTimeout", options.tlsHandshakeTimeout, 10_000),
      loginFailureDelay: options.loginFailureDelay ?? 1000,
      maxLoginFailures: positive("maxLoginFailures", options.maxLoginFailures, 3),
      maxLineLength: positive("maxLineLength", options.maxLineLength, 4096),
      maxBadLines: positive("maxBadLines", options.maxBadLines, 3),
      encoding,
      encode: textEncoder(encoding),
      welcome: typeof welcome === "string" ? welcome.split(/\r?\n/) : welcome,
      passiveAddress: options.passiveAddress,
      disabled: new Set((options.disabledCommands ?? []).map((c) => c.toUpperCase())),
      tls: options.tls ? { role: "server", cert: options.tls.cert, key: options.tls.key } : undefined,
      requireTls: options.requireTls ?? {},
      uploadPolicy: options.uploadPolicy ?? "rename",
    };
    if (this.#config.uploadPolicy !== "rename" && this.#config.uploadPolicy !== "in-place") {
      throw new RangeError(`Server option uploadPolicy must be "rename" or "in-place", got ${options.uploadPolicy}.`);
    }
    this.#lingering = new LingeringConns(this.#config.dataTimeout);
    this.#loginFailures = new LoginFailures(
      this.#config.loginFailureDelay,
      positive("maxLoginFailuresPerIp", options.maxLoginFailuresPerIp, 10),
      positive("loginFailureWindow", options.loginFailureWindow, 60_000),
    );
    this.#userManager = options.userManager ??
      new MemoryUserManager(options.users ?? [{ anonymous: true }]);
    this.#storage = options.storage ?? new MemoryPathIO();
    const range = options.passivePorts;
    const perIpPorts = range ? Math.max(1, Math.ceil((range.max - range.min + 1) / 2)) : Infinity;
    this.#portPool = new PortPool(range, positive("maxPassivePortsPerIp", options.maxPassivePortsPerIp, perIpPorts));
    this.#maxConnections = positive("maxConnections", options.maxConnections, 512);
    this.#maxPerIp = positive("maxConnectionsPerIp", options.maxConnectionsPerIp, Infinity);
    const limits = options.speedLimits ?? {};
    this.#download = new Throttle({ bytesPerSecond: limits.download ?? 0 });
    this.#upload = new Throttle({ bytesPerSecond: limits.upload ?? 0 });
    this.#host = this.#makeHost();
  }

  /** The bound address of the first listener (after {@linkcode Server.listen}). */
  get address(): Addr {
    const first = this.#listeners[0];
    if (!first) throw new Error("The server is not listening: call listen() first.");
    return first.addr;
  }

  /** Every bound address, in the order `listen` was called. */
  get addresses(): readonly Addr[] {
    return this.#listeners.map((l) => l.addr);
  }

  /** Number of open sessions. */
  get connections(): number {
    return this.#sessions.size;
  }

  /**
   * Bind and start accepting clients.
   *
   * @param options Address and port.
   * @returns The bound address (with the real port when 0 was asked for).
   * @throws {ConnectError} When the address cannot be bound (e.g. in use).
   *
   * @example
   * ```ts
   * import { Server } from "anyftp";
   * const server = new Server();
   * const { port } = await server.listen({ hostname: "127.0.0.1", port: 0 });
   * await server.close();
   * ```
   */
  async listen(options: ServerListenOptions = {}): Promise<Addr> {
    if (this.#shuttingDown) throw new Error("The server is closed.");
    const tls = this.#config.tls;
    const tlsMode = options.tlsMode ?? (options.implicitTls ? "implicit" : "explicit");
    if (tlsMode !== "explicit" && tlsMode !== "implicit") {
      throw new RangeError(`Server listen option tlsMode must be "explicit" or "implicit", got ${tlsMode}.`);
    }
    if (tlsMode === "implicit" && !tls) {
      throw new TypeError('listen({ tlsMode: "implicit" }) needs the server\'s tls option (certificate and key).');
    }
    this.#net ??= this.#options.net ?? await defaultNet();
    const listener = await this.#net.listen({
      hostname: options.hostname ?? "127.0.0.1",
      port: options.port ?? 0,
      backlog: options.backlog ?? 511,
      // Accepting stays prompt while many sessions keep the event loop busy (see `acceptors`).
      acceptors: CONTROL_ACCEPTORS,
      ...(tlsMode === "implicit" ? { tls } : {}),
    });
    if (this.#shuttingDown) {
      listener.close(); // close() ran while this listener was binding
      throw new Error("The server is closed.");
    }
    this.#listeners.push(listener);
    this.#acceptLoops.push(this.#acceptLoop(listener));
    this.#emit({ type: "listening", address: listener.addr });
    return listener.addr;
  }

  async #acceptLoop(listener: Listener): Promise<void> {
    try {
      for await (const conn of listener) this.#accept(conn);
    } catch (e) {
      if (!this.#shuttingDown) this.#emit({ type: "error", error: e });
    }
  }

  #accept(conn: Conn): void {
    try {
      conn.setNoDelay(true);
    } catch {
      // not every adapter can; harmless
    }
    const ip = unmapIPv4(conn.remoteAddr.hostname);
    if (this.#shuttingDown) return this.#refuse(conn, "shutting-down", "Server shutting down.");
    if (this.#sessions.size >= this.#maxConnections) {
      return this.#refuse(conn, "max-connections", "Too many connections: try again later.");
    }
    const fromIp = this.#perIp.get(ip) ?? 0;
    if (fromIp >= this.#maxPerIp) {
      return this.#refuse(conn, "max-connections-per-ip", "Too many connections from your address: try again later.");
    }
    this.#perIp.set(ip, fromIp + 1);
    const session = new ServerSession(this.#nextId++, conn, this.#host, COMMANDS);
    const done = session.run().finally(() => {
      this.#sessions.delete(session);
      const n = (this.#perIp.get(ip) ?? 1) - 1;
      if (n <= 0) this.#perIp.delete(ip);
      else this.#perIp.set(ip, n);
    });
    this.#sessions.set(session, done);
  }

  #refuse(conn: Conn, reason: "max-connections" | "max-connections-per-ip" | "shutting-down", text: string) {
    this.#emit({ type: "connection-refused", remote: conn.remoteAddr, reason });
    const writer = conn.writable.getWriter();
    const bytes = this.#config.encode(formatReply("421", text));
    void Promise.race([writer.write(bytes).then(() => writer.close()), sleep(2000)])
      .catch(() => {})
      .finally(() => conn.close());
  }

  /**
   * Stop accepting, let running transfers finish (up to the timeout, then abort them with
   * 426), tell every client 421 and close all sessions. Idempotent.
   *
   * @param options How long transfers may go on.
   * @returns When every session is closed and the port is free.
   *
   * @example
   * ```ts
   * import { Server } from "anyftp";
   * const server = new Server();
   * await server.listen({ port: 0 });
   * await server.close({ timeout: 5000 });
   * ```
   */
  close(options: ServerCloseOptions = {}): Promise<void> {
    this.#closing ??= this.#close(options.timeout ?? this.#options.shutdownTimeout ?? 10_000);
    return this.#closing;
  }

  async #close(timeout: number): Promise<void> {
    this.#shuttingDown = true;
    for (const listener of this.#listeners) listener.close();
    await Promise.all(this.#acceptLoops);
    const deadline = performance.now() + timeout;
    await Promise.all([...this.#sessions.keys()].map((s) => this.#shutdownSession(s, deadline)));
    await Promise.all([...this.#sessions.values()]);
    this.#emit({ type: "server-close" });
  }

  async #shutdownSession(s: ServerSession, deadline: number): Promise<void> {
    const stop = new AbortController();
    const done = this.#sessions.get(s);
    void done?.finally(() => stop.abort());
    while (s.transfer && !s.closed) {
      const t = s.transfer;
      const left = deadline - performance.now();
      if (left <= 0) {
        s.abortTransfer("shutdown");
        await t.done;
        break;
      }
      await Promise.race([t.done, sleep(left, stop.signal)]);
    }
    if (!s.closed) {
      await s.reply("421", "Server shutting down: closing control connection.");
      await s.closeGracefully("shutdown");
    }
    await done;
  }

  /** Same as {@linkcode Server.close} with default options, for `await using`. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }

  #emit(event: EventInit<ServerEvent>): void {
    const hook = this.#options.onEvent;
    if (!hook) return;
    try {
      hook({ ...event, time: Date.now() } as ServerEvent);
    } catch {
      // a failing log hook must not break the server
    }
  }

  #makeHost(): SessionHost {
    // deno-lint-ignore no-this-alias
    const server = this;
    return {
      get net() {
        return server.#net!;
      },
      config: this.#config,
      userManager: this.#userManager,
      portPool: this.#portPool,
      lingering: this.#lingering,
      loginFailures: this.#loginFailures,
      uploads: this.#uploads,
      get shuttingDown() {
        return server.#shuttingDown;
      },
      storageFor: async (user) => {
        const s = this.#storage;
        return typeof s === "function" ? await s(user) : s;
      },
      emit: (event) => this.#emit(event),
      claimUser: (user) => {
        const n = this.#perUser.get(user.login) ?? 0;
        if (n >= user.maxConnections) return false;
        this.#perUser.set(user.login, n + 1);
        return true;
      },
      releaseUser: (user) => {
        const n = (this.#perUser.get(user.login) ?? 1) - 1;
        if (n <= 0) this.#perUser.delete(user.login);
        else this.#perUser.set(user.login, n);
      },
      throttles: (session, direction, signal) => {
        const list = this.#throttlesFor(session, direction);
        if (list.every((t) => t.bytesPerSecond === 0)) return [];
        return [throttleStream(list, { signal })];
      },
    };
  }

  /** The throttles a transfer passes, most specific first (connection, user, server). */
  #throttlesFor(session: { readonly user: User | undefined }, direction: "download" | "upload"): Throttle[] {
    const serverLimits = this.#options.speedLimits ?? {};
    const user = session.user;
    const userLimits = user?.speedLimits ?? {};
    let mine = this.#sessionThrottles.get(session);
    if (!mine || mine.login !== user?.login) {
      mine = {
        login: user?.login,
        download: new Throttle({ bytesPerSecond: serverLimits.downloadPerConnection ?? 0 }),
        upload: new Throttle({ bytesPerSecond: serverLimits.uploadPerConnection ?? 0 }),
        userDownload: new Throttle({ bytesPerSecond: userLimits.downloadPerConnection ?? 0 }),
        userUpload: new Throttle({ bytesPerSecond: userLimits.uploadPerConnection ?? 0 }),
      };
      this.#sessionThrottles.set(session, mine);
    }
    const list = direction === "download"
      ? [mine.download, mine.userDownload]
      : [mine.upload, mine.userUpload];
    if (user) {
      let shared = this.#userThrottles.get(user.login);
      if (!shared) {
        shared = {
          download: new Throttle({ bytesPerSecond: userLimits.download ?? 0 }),
          upload: new Throttle({ bytesPerSecond: userLimits.upload ?? 0 }),
        };
        this.#userThrottles.set(user.login, shared);
      }
      list.push(direction === "download" ? shared.download : shared.upload);
    }
    list.push(direction === "download" ? this.#download : this.#upload);
    return list;
  }
}
