/**
 * One client session: the control connection's command loop, the session state (login,
 * working directory, TYPE, REST, RNFR, data channel), and the data transfer machinery.
 * Command handlers live in the `_commands_*.ts` files and work on this object.
 *
 * @module
 */

import { PathIOError } from "../errors.ts";
import type { FileStat, PathIO } from "../fs/path_io.ts";
import type { Addr, Conn, Net, ServerTlsOptions } from "../net/types.ts";
import { fromCrlfStream, toCrlfStream } from "../protocol/ascii_stream.ts";
import { censorCommand, parseCommandLine } from "../protocol/command.ts";
import { DEFAULT_MLSX_FACTS, type MlsxFact } from "../protocol/mlsx_format.ts";
import { resolveVirtualPath } from "../protocol/virtual_path.ts";
import { LineReader } from "../streams/line_reader.ts";
import { ControlInput } from "./_control_input.ts";
import type { DataChannel } from "./_data_channel.ts";
import type { PortPool } from "./_port_pool.ts";
import { type Encode, ReplyWriter } from "./_reply_writer.ts";
import type { ServerEvent, SessionCloseEvent } from "./events.ts";
import type { User } from "./user.ts";
import type { UserManager } from "./user_manager.ts";
import { COMMANDS } from "./_commands.ts";
import { errorReply } from "./_error_reply.ts";
import { deadline } from "./_deadline.ts";

/** Distributive Omit, so each event keeps its own fields. */
export type EventInit<E> = E extends unknown ? Omit<E, "time"> : never;

/** Session-relevant server settings, resolved (every default applied). */
export interface SessionConfig {
  readonly idleTimeout: number;
  readonly dataTimeout: number;
  readonly tlsHandshakeTimeout: number;
  readonly loginFailureDelay: number;
  readonly maxLoginFailures: number;
  readonly maxLineLength: number;
  readonly maxBadLines: number;
  readonly encoding: "utf-8" | "latin1";
  readonly encode: Encode;
  readonly welcome: readonly string[];
  readonly passiveAddress?: string | ((client: Addr, local: Addr) => string | Promise<string>);
  readonly disabled: ReadonlySet<string>;
  readonly tls?: ServerTlsOptions;
}

/** What a session needs from its server. */
export interface SessionHost {
  readonly net: Net;
  readonly config: SessionConfig;
  readonly userManager: UserManager;
  readonly portPool: PortPool;
  readonly shuttingDown: boolean;
  storageFor(user: User): Promise<PathIO>;
  emit(event: EventInit<ServerEvent>): void;
  /** Take one of the user's connection slots; false when the user is at the limit. */
  claimUser(user: User): boolean;
  releaseUser(user: User): void;
  /** Throttle stages for a transfer of this session, outermost first. */
  throttles(
    session: Session,
    direction: "download" | "upload",
    signal: AbortSignal,
  ): TransformStream<Uint8Array, Uint8Array>[];
}

/** Why a running transfer was aborted. */
export type AbortReason = "abor" | "stalled" | "shutdown" | "closed";

/** A running data transfer. */
export interface Transfer {
  readonly command: string;
  readonly direction: "download" | "upload";
  readonly path: string;
  bytes: number;
  readonly started: number;
  lastProgress: number;
  reason: AbortReason | undefined;
  /** `"setup"` until the data connection is up (and secured, after PROT P); then `"data"`. */
  phase: "setup" | "data";
  readonly controller: AbortController;
  /** The data connection once established (closed on abort to unblock pending writes). */
  conn: Conn | undefined;
  done: Promise<void>;
}

/** What a transfer command hands to {@linkcode Session.startTransfer}. */
export interface TransferSpec {
  readonly command: string;
  readonly path: string;
  /** The 150 reply text. */
  readonly preliminary: string;
  /** The 226 reply text. @default "Transfer complete." */
  readonly success?: string;
  /** Convert line endings (TYPE A file transfers). */
  readonly ascii: boolean;
  /** Download: where the bytes come from. */
  readonly source?: ReadableStream<Uint8Array>;
  /** Upload: where the bytes go. */
  readonly sink?: WritableStream<Uint8Array>;
}

/** Commands served at once while a transfer runs (RFC 959 lets ABOR and STAT interrupt). */
const DURING_TRANSFER = new Set(["ABOR", "STAT", "NOOP"]);
/**
 * Commands that set up the data connection and so keep a pending REST offset (clients put
 * them before or after REST); any other command clears it.
 */
const KEEPS_REST = new Set(["REST", "PASV", "EPSV", "PORT", "EPRT", "TYPE", "MODE", "STRU"]);

const now = () => performance.now();

/** A client session over one control connection. */
export class Session {
  readonly id: number;
  readonly host: SessionHost;
  readonly remote: Addr;
  readonly local: Addr;
  conn: Conn;
  replies: ReplyWriter;
  #input: ControlInput;
  #lines: LineReader;

  /** Logged-in user. */
  user: User | undefined;
  /** USER given, PASS awaited: the login and the user found (undefined when refused). */
  pending: { readonly login: string; readonly user: User | undefined } | undefined;
  storage: PathIO | undefined;
  cwd = "/";
  type: "A" | "I" = "A";
  rest = 0;
  renameFrom: string | undefined;
  epsvAll = false;
  mlstFacts: MlsxFact[] = [...DEFAULT_MLSX_FACTS];
  channel: DataChannel | undefined;
  transfer: Transfer | undefined;
  loginFailures = 0;
  badLines = 0;
  pbsz = false;
  protectData = false;
  lastActivity = now();
  /** Aborted when the session ends: stops delays and waits. */
  readonly lifetime = new AbortController();
  closeReason: SessionCloseEvent["reason"] | undefined;
  #closed = false;
  #tornDown = false;
  #idleTimer: ReturnType<typeof setTimeout> | undefined;
  #lingering = new Set<Conn>();

  /**
   * @param id Session number.
   * @param conn The accepted control connection.
   * @param host The server.
   */
  constructor(id: number, conn: Conn, host: SessionHost) {
    this.id = id;
    this.host = host;
    this.conn = conn;
    this.remote = conn.remoteAddr;
    this.local = conn.localAddr;
    this.#input = new ControlInput(conn.readable);
    this.#lines = new LineReader(this.#input.readable, {
      maxLineLength: host.config.maxLineLength,
      encoding: host.config.encoding,
    });
    this.replies = this.#newWriter(conn.writable);
  }

  #newWriter(writable: WritableStream<Uint8Array>): ReplyWriter {
    return new ReplyWriter(writable, this.host.config.encode, (code, lines) => {
      this.emit({ type: "reply", code, lines });
    });
  }

  /** Whether the session has ended or is ending. */
  get closed(): boolean {
    return this.#closed;
  }

  /**
   * Report an event with this session's fields filled in.
   *
   * @param event The event without the session fields.
   */
  emit(event: Record<string, unknown> & { type: string }): void {
    this.host.emit({
      sessionId: this.id,
      remote: this.remote,
      ...(this.user ? { user: this.user.login } : {}),
      ...event,
    } as EventInit<ServerEvent>);
  }

  /**
   * Send a reply.
   *
   * @param code Reply code.
   * @param text Line or lines.
   * @returns When written.
   */
  reply(code: string, text: string | readonly string[]): Promise<void> {
    return this.replies.send(code, text);
  }

  /** Serve the session until it ends. Never rejects. */
  async run(): Promise<void> {
    this.emit({ type: "session-open", local: this.local });
    try {
      await this.reply("220", this.host.config.welcome);
      this.#armIdle(this.host.config.idleTimeout);
      while (!this.#closed) {
        let res;
        try {
          res = await this.#lines.readLine();
        } catch {
          this.closeReason ??= "disconnect";
          break;
        }
        if (this.#closed) break;
        if (res.kind === "end") {
          this.closeReason ??= "disconnect";
          break;
        }
        this.lastActivity = now();
        if (res.kind === "too-long") {
          if (++this.badLines >= this.host.config.maxBadLines) {
            await this.reply("421", "Too many overlong command lines: closing control connection.");
            await this.closeGracefully("abuse");
            break;
          }
          await this.reply(
            "500",
            `Command line too long (limit ${this.host.config.maxLineLength} bytes): ignored.`,
          );
          continue;
        }
        if (res.line.trim() === "") continue;
        await this.#execute(res.line);
      }
    } catch (e) {
      this.host.emit({ type: "error", sessionId: this.id, error: e });
      this.closeReason ??= "error";
    } finally {
      await this.#teardown();
    }
  }

  async #execute(line: string): Promise<void> {
    // Telnet leftovers (e.g. a lone IAC byte decoded as U+FFFD) before the verb are dropped.
    const { name, arg } = parseCommandLine(line.replace(/^[\uFFFD\s]+/, ""));
    const shown = censorCommand(`${name} ${arg}`);
    this.emit({ type: "command", name, arg: shown.slice(name.length + 1) });
    // QUIT while the data connection is still being set up (e.g. a TLS handshake that never
    // comes) ends that wait instead of waiting for it.
    if (name === "QUIT" && this.transfer?.phase === "setup") this.abortTransfer("closed");
    if (this.transfer && !DURING_TRANSFER.has(name)) await this.transfer.done;
    if (this.#closed) return;
    if (this.host.shuttingDown && name !== "QUIT") {
      await this.reply("421", "Server shutting down: closing control connection.");
      await this.closeGracefully("shutdown");
      return;
    }
    const spec = COMMANDS.get(name);
    try {
      if (!spec || this.host.config.disabled.has(name)) {
        await this.reply("502", `Command "${name.slice(0, 20)}" not implemented.`);
      } else if (spec.auth && !this.user) {
        await this.reply("530", "Please log in with USER and PASS first.");
      } else {
        await spec.run(this, arg);
      }
    } catch (e) {
      await this.replyError(e);
    } finally {
      if (!KEEPS_REST.has(name)) this.rest = 0;
      if (name !== "RNFR") this.renameFrom = undefined;
    }
  }

  /**
   * Resolve a client path argument against the working directory, inside the user's root.
   *
   * @param arg The argument.
   * @returns The virtual path.
   * @throws {InvalidPathError} When it holds NUL.
   */
  resolve(arg: string): string {
    return resolveVirtualPath(this.cwd, arg);
  }

  /**
   * The storage path of a virtual path (the user's base path prepended).
   *
   * @param virtualPath A normalised virtual path.
   * @returns The path to give the storage.
   */
  storagePath(virtualPath: string): string {
    const base = this.user?.basePath ?? "/";
    if (base === "/") return virtualPath;
    return virtualPath === "/" ? base : base + virtualPath;
  }

  /** The logged-in user's storage. */
  get fs(): PathIO {
    if (!this.storage) throw new Error("no storage before login");
    return this.storage;
  }

  /**
   * Stat a virtual path, or `undefined` when it does not exist.
   *
   * @param path Virtual path.
   * @returns Its metadata or undefined.
   */
  async statOrUndefined(path: string): Promise<FileStat | undefined> {
    try {
      return await this.fs.stat(this.storagePath(path));
    } catch (e) {
      if (e instanceof PathIOError && (e.kind === "not-found" || e.kind === "not-a-directory")) {
        return undefined;
      }
      throw e;
    }
  }

  /**
   * Answer an error thrown by a handler: bad paths 501, storage errors by kind, else 451.
   *
   * @param e The error.
   * @param path The virtual path concerned, for the message.
   * @returns When the reply is written.
   */
  replyError(e: unknown, path?: string): Promise<void> {
    const [code, text] = errorReply(e, path);
    if (code === "451" && !(e instanceof PathIOError)) {
      this.host.emit({ type: "error", sessionId: this.id, error: e });
    }
    return this.reply(code, text);
  }

  // ---- data transfers ------------------------------------------------------------------

  /**
   * Start a transfer over the prepared data channel. Replies 150 now; 226 (or 425/426/451/552)
   * when it ends. Returns at once: the command loop keeps reading (ABOR, STAT, NOOP).
   *
   * @param spec What to transfer.
   * @returns When the transfer has started.
   */
  async startTransfer(spec: TransferSpec): Promise<void> {
    const channel = this.channel;
    if (!channel) {
      await spec.source?.cancel().catch(() => {});
      await spec.sink?.abort().catch(() => {});
      await this.reply("425", "Use PASV, EPSV, PORT or EPRT first.");
      return;
    }
    this.channel = undefined;
    const t: Transfer = {
      command: spec.command,
      direction: spec.source ? "download" : "upload",
      path: spec.path,
      bytes: 0,
      started: now(),
      lastProgress: now(),
      reason: undefined,
      phase: "setup",
      controller: new AbortController(),
      conn: undefined,
      done: Promise.resolve(),
    };
    this.transfer = t;
    t.done = this.#runTransfer(t, channel, spec);
    await this.reply("150", spec.preliminary);
  }

  /**
   * Abort the running transfer (it replies 426 itself).
   *
   * @param reason Why.
   */
  abortTransfer(reason: AbortReason): void {
    const t = this.transfer;
    if (!t || t.controller.signal.aborted) return;
    t.reason = reason;
    t.controller.abort(new Error(`transfer aborted (${reason})`));
    // A write blocked on a client that does not read would hold the abort forever
    // (WritableStream.abort waits for the write in flight): tear the socket down.
    t.conn?.close();
  }

  async #runTransfer(t: Transfer, channel: DataChannel, spec: TransferSpec): Promise<void> {
    // Let startTransfer's 150 go out first: this body runs after its reply is queued.
    await Promise.resolve();
    let conn: Conn | undefined;
    let code = "226";
    let error: unknown;
    const cleanupStreams = async () => {
      await spec.source?.cancel().catch(() => {});
      await spec.sink?.abort().catch(() => {});
    };
    try {
      try {
        conn = await channel.connect(t.controller.signal, this.host.config.dataTimeout);
        t.conn = conn; // an abort from here on tears it down
        if (this.protectData && this.host.config.tls) {
          const tls = this.host.config.tls;
          const limit = Math.min(this.host.config.dataTimeout, this.host.config.tlsHandshakeTimeout);
          const bound = deadline(t.controller.signal, limit, "the data connection's TLS handshake");
          try {
            conn = await conn.startTls({ ...tls, role: "server" }, { signal: bound.signal });
          } finally {
            bound.clear();
          }
        }
      } catch (e) {
        error = e;
        code = t.controller.signal.aborted ? "426" : "425";
        await cleanupStreams();
        if (!this.#closed) {
          await this.reply(code, code === "426" ? abortText(t.reason) : setupFailureText(conn, e));
        }
        return;
      }
      t.phase = "data";
      t.lastProgress = now();
      t.conn = conn;
      if (t.controller.signal.aborted) conn.close();
      try {
        await this.#pipe(t, conn, spec);
        if (!this.#closed) await this.reply("226", spec.success ?? "Transfer complete.");
      } catch (e) {
        error = e;
        let text: string;
        if (t.controller.signal.aborted) {
          code = "426";
          text = abortText(t.reason);
        } else if (e instanceof PathIOError) {
          [code, text] = errorReply(e, spec.path);
        } else {
          code = "426";
          text = "Data connection closed: transfer aborted.";
        }
        if (!this.#closed) await this.reply(code, text);
      }
    } finally {
      if (conn && code === "226" && t.direction === "download") this.#linger(conn);
      else conn?.close();
      channel.close();
      if (this.transfer === t) this.transfer = undefined;
      this.emit({
        type: "transfer",
        command: t.command,
        direction: t.direction,
        path: t.path,
        bytes: t.bytes,
        durationMs: Math.round(now() - t.started),
        ok: code === "226",
        code,
        ...(error === undefined ? {} : { error }),
      });
    }
  }

  async #pipe(t: Transfer, conn: Conn, spec: TransferSpec): Promise<void> {
    const signal = t.controller.signal;
    const throttles = this.host.throttles(this, t.direction, signal);
    let s: ReadableStream<Uint8Array>;
    let dest: WritableStream<Uint8Array>;
    if (spec.source) {
      s = spec.source;
      if (spec.ascii) s = s.pipeThrough(toCrlfStream());
      for (const th of throttles) s = s.pipeThrough(th);
      dest = conn.writable;
    } else {
      // Uploads count bytes as they arrive from the client, before throttles and conversion.
      s = conn.readable;
      if (throttles.length > 0 || spec.ascii) {
        s = s.pipeThrough(meter(t));
        for (const th of throttles) s = s.pipeThrough(th);
        if (spec.ascii) s = s.pipeThrough(fromCrlfStream());
      }
      dest = spec.sink!;
    }
    const counted = spec.source !== undefined || !(throttles.length > 0 || spec.ascii);
    await pump(s, dest, signal, counted ? t : undefined);
  }

  /**
   * Close a data connection whose writing side we already closed (FIN, or TLS close_notify)
   * once the client has closed its side, bounded by the data timeout. Tearing it down at once
   * can cut a TLS peer still finishing its handshake or reading the last records.
   */
  #linger(conn: Conn): void {
    this.#lingering.add(conn);
    const timer = setTimeout(() => conn.close(), this.host.config.dataTimeout);
    void conn.closed.then(() => {
      clearTimeout(timer);
      conn.close();
      this.#lingering.delete(conn);
    });
  }

  // ---- TLS hook (AUTH TLS) ---------------------------------------------------------------

  /**
   * Upgrade the control connection to TLS after `234` was sent.
   *
   * @param tls Server certificate and key.
   * @returns When the handshake is done.
   */
  async upgradeControl(tls: ServerTlsOptions): Promise<void> {
    const leftover = this.#lines.release();
    this.#input.detach();
    this.replies.release();
    if (leftover.length > 0) throw new Error("client sent data before the TLS handshake");
    // Bounded, and cut short when the session ends (idle timeout, Server.close()).
    const bound = deadline(this.lifetime.signal, this.host.config.tlsHandshakeTimeout, "AUTH TLS handshake");
    try {
      this.conn = await this.conn.startTls({ ...tls, role: "server" }, { signal: bound.signal });
    } finally {
      bound.clear();
    }
    this.#input = new ControlInput(this.conn.readable);
    this.#lines = new LineReader(this.#input.readable, {
      maxLineLength: this.host.config.maxLineLength,
      encoding: this.host.config.encoding,
    });
    this.replies = this.#newWriter(this.conn.writable);
  }

  // ---- lifetime --------------------------------------------------------------------------

  #armIdle(delay: number): void {
    clearTimeout(this.#idleTimer);
    if (this.#closed) return;
    this.#idleTimer = setTimeout(() => this.#onIdle(), Math.max(1, delay));
  }

  #onIdle(): void {
    if (this.#closed) return;
    const limit = this.host.config.idleTimeout;
    const t = this.transfer;
    if (t) {
      const quiet = now() - t.lastProgress;
      if (quiet >= limit) {
        this.abortTransfer("stalled");
        this.#armIdle(limit);
      } else this.#armIdle(limit - quiet);
      return;
    }
    const quiet = now() - this.lastActivity;
    if (quiet < limit) {
      this.#armIdle(limit - quiet);
      return;
    }
    this.closeReason = "idle-timeout";
    void this.reply("421", `Idle timeout (${Math.round(limit / 1000)} s): closing control connection.`)
      .then(() => this.closeGracefully("idle-timeout"));
  }

  /**
   * End the session now (the command loop notices and tears down).
   *
   * @param reason Why, for the session-close event.
   */
  close(reason: SessionCloseEvent["reason"]): void {
    if (this.#closed) return;
    this.#closed = true;
    this.closeReason ??= reason;
    clearTimeout(this.#idleTimer);
    this.lifetime.abort(new Error(`session closed (${reason})`));
    this.abortTransfer("closed");
    this.conn.close();
  }

  /**
   * Close after the last reply was flushed (QUIT, 421).
   *
   * @param reason Why.
   * @returns When closed.
   */
  async closeGracefully(reason: SessionCloseEvent["reason"]): Promise<void> {
    this.closeReason ??= reason;
    await this.replies.close(2000);
    this.close(reason);
  }

  /**
   * Log the user out (QUIT, REIN, end of session).
   *
   * @returns When the user manager was told.
   */
  async logout(): Promise<void> {
    const user = this.user;
    if (!user) return;
    this.user = undefined;
    this.storage = undefined;
    this.host.releaseUser(user);
    try {
      await this.host.userManager.notifyLogout?.(user, { sessionId: this.id, remote: this.remote });
    } catch (e) {
      this.host.emit({ type: "error", sessionId: this.id, error: e });
    }
  }

  async #teardown(): Promise<void> {
    if (this.#tornDown) return;
    this.#tornDown = true;
    const reason = this.closeReason ?? "disconnect";
    const user = this.user?.login;
    this.close(reason);
    if (this.transfer) await this.transfer.done.catch(() => {});
    this.channel?.close();
    this.channel = undefined;
    for (const conn of this.#lingering) conn.close();
    await this.#lines.cancel().catch(() => {});
    await this.logout();
    this.host.emit({
      type: "session-close",
      sessionId: this.id,
      remote: this.remote,
      ...(user ? { user } : {}),
      reason,
    });
  }
}

/** A pass-through that counts bytes into the transfer (uploads with conversion or throttles). */
function meter(t: Transfer): TransformStream<Uint8Array, Uint8Array> {
  return new TransformStream<Uint8Array, Uint8Array>({
    transform(chunk, controller) {
      t.bytes += chunk.byteLength;
      t.lastProgress = now();
      controller.enqueue(chunk);
    },
  });
}

/**
 * Copy `source` into `dest` like `pipeTo` (backpressure: the next chunk is read while the
 * previous one is being written), counting bytes into `t` when given, with fewer objects and
 * promise hops than `pipeTo` (this runs once per transfer, and for small files that setup is
 * most of the work). On success `dest` is closed. On a failure or an abort of `signal` the
 * source is cancelled and the destination aborted (so storage handles are released) before
 * the error is thrown.
 */
async function pump(
  source: ReadableStream<Uint8Array>,
  dest: WritableStream<Uint8Array>,
  signal: AbortSignal,
  t: Transfer | undefined,
): Promise<void> {
  const reader = source.getReader();
  const writer = dest.getWriter();
  let failure: { error: unknown } | undefined;
  let settled: Promise<unknown> = Promise.resolve();
  const fail = (error: unknown) => {
    if (failure) return;
    failure = { error };
    settled = Promise.all([reader.cancel(error).catch(() => {}), writer.abort(error).catch(() => {})]);
  };
  const onAbort = () => fail(signal.reason);
  signal.addEventListener("abort", onAbort);
  if (signal.aborted) onAbort();
  try {
    while (!failure) {
      await writer.ready;
      const { value, done } = await reader.read();
      if (failure) break;
      if (done) {
        await writer.close();
        break;
      }
      if (t) {
        t.bytes += value.byteLength;
        t.lastProgress = now();
      }
      // Not awaited, so the next read overlaps this write; a failure shows in `ready`/`close`.
      writer.write(value).catch(fail);
    }
  } catch (e) {
    fail(e);
  } finally {
    signal.removeEventListener("abort", onAbort);
  }
  if (failure) {
    await settled;
    throw failure.error;
  }
}

/** The 425 text when the data connection did not come, or failed its TLS handshake. */
function setupFailureText(conn: Conn | undefined, error: unknown): string {
  if (!conn) return "Cannot open data connection (no connection from your address in time).";
  const timedOut = (error as { name?: string } | null)?.name === "TimeoutError";
  return timedOut
    ? "TLS handshake on the data connection did not complete in time: transfer not started."
    : "TLS handshake on the data connection failed: transfer not started.";
}

function abortText(reason: AbortReason | undefined): string {
  switch (reason) {
    case "stalled":
      return "Data connection stalled (no data within the idle timeout): transfer aborted.";
    case "shutdown":
      return "Server shutting down: transfer aborted.";
    case "abor":
      return "Transfer aborted.";
    default:
      return "Connection closed; transfer aborted.";
  }
}
