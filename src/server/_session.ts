/**
 * One client session over a control connection: its state (login, working directory, TYPE,
 * REST, RNFR, data channel), the command loop (rules from the command table), idle handling
 * and its lifetime, and the AUTH TLS upgrade. Transfers run in `_transfer.ts`; command
 * handlers live in the `_commands_*.ts` files and work on this object.
 *
 * @module
 */

import { PathIOError } from "../errors.ts";
import type { FileStat, PathIO } from "../fs/path_io.ts";
import type { Addr, Conn, ServerTlsOptions } from "../net/types.ts";
import { textDecoder } from "../protocol/encoding.ts";
import { censorCommand, parseCommandLine } from "../protocol/command.ts";
import { DEFAULT_MLSX_FACTS, type MlsxFact } from "../protocol/mlsx_format.ts";
import { resolveVirtualPath } from "../protocol/virtual_path.ts";
import { LineReader } from "../streams/line_reader.ts";
import { ControlInput, UnterminatedLineError } from "./_control_input.ts";
import type { CommandTable } from "./_command_table.ts";
import type { DataChannel } from "./_data_channel.ts";
import { deadline } from "./_deadline.ts";
import { errorReply } from "./_error_reply.ts";
import { ReplyWriter } from "./_reply_writer.ts";
import type { EventInit, SessionEventInit, SessionHost } from "./_session_host.ts";
import { type AbortReason, type Transfer, TransferRunner, type TransferSpec } from "./_transfer.ts";
import type { ServerEvent, SessionCloseEvent } from "./events.ts";
import { type ResolvedTlsRequirements, resolveTlsRequirements } from "./tls_policy.ts";
import type { User } from "./user.ts";

/** A session whose user is logged in: what handlers of login-only commands get. */
export type LoggedInSession = ServerSession & { readonly user: User; readonly storage: PathIO };

const now = () => performance.now();

/** A client session over one control connection. */
export class ServerSession {
  readonly id: number;
  readonly host: SessionHost;
  /** The command table this session dispatches through (FEAT and HELP read it too). */
  readonly commands: CommandTable<ServerSession, LoggedInSession>;
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
  /** The size of the next upload, announced by ALLO (dropped, like REST, by other commands). */
  allo: number | undefined;
  renameFrom: string | undefined;
  epsvAll = false;
  /** The facts MLSD and MLST show (OPTS MLST replaces the list; shared until then). */
  mlstFacts: readonly MlsxFact[] = DEFAULT_MLSX_FACTS;
  channel: DataChannel | undefined;
  readonly transfers: TransferRunner = new TransferRunner(this);
  loginFailures = 0;
  badLines = 0;
  pbsz = false;
  protectData = false;
  lastActivity = now();
  #lifetime: AbortController | undefined;
  closeReason: SessionCloseEvent["reason"] | undefined;
  #closed = false;
  #upgraded = false;
  #tornDown = false;
  #idleTimer: ReturnType<typeof setTimeout> | undefined;

  /**
   * @param id Session number.
   * @param conn The accepted control connection.
   * @param host The server.
   * @param commands The command table.
   */
  constructor(
    id: number,
    conn: Conn,
    host: SessionHost,
    commands: CommandTable<ServerSession, LoggedInSession>,
  ) {
    this.id = id;
    this.host = host;
    this.commands = commands;
    this.conn = conn;
    this.remote = conn.remoteAddr;
    this.local = conn.localAddr;
    this.#input = new ControlInput(conn.readable, host.config.maxLineLength);
    this.#lines = this.#newLineReader();
    this.replies = this.#newWriter(conn.writable);
    this.resetTlsState();
  }

  /** Whether the control connection was TLS from its first byte (an implicit-TLS listener). */
  get implicitTls(): boolean {
    return this.conn.secure && !this.#upgraded;
  }

  /**
   * PBSZ and PROT back to where a session starts (REIN, RFC 4217 section 13): clear data
   * connections, except on an implicit-TLS connection, whose data connections are protected
   * until the client asks for PROT C.
   */
  resetTlsState(): void {
    this.pbsz = this.implicitTls;
    this.protectData = this.implicitTls;
  }

  /** What TLS this session's user (or, before login, the server) requires. */
  tlsRequirements(user: User | undefined = this.user): ResolvedTlsRequirements {
    return resolveTlsRequirements(this.host.config.requireTls, user);
  }

  #newLineReader(): LineReader {
    return new LineReader(this.#input, {
      maxLineLength: this.host.config.maxLineLength,
      decode: textDecoder(this.host.config.encoding),
    });
  }

  #newWriter(writable: WritableStream<Uint8Array>): ReplyWriter {
    return new ReplyWriter(writable, this.host.config.encode, (code, lines) => {
      this.emit({ type: "reply", code, lines });
    });
  }

  /**
   * Aborted when the session ends: stops delays and waits. Made when first asked for (most
   * sessions never wait on it, and an AbortSignal is an event target of its own).
   */
  get lifetime(): AbortController {
    if (!this.#lifetime) {
      this.#lifetime = new AbortController();
      if (this.#closed) this.#lifetime.abort(new Error(`session closed (${this.closeReason})`));
    }
    return this.#lifetime;
  }

  /** Whether the session has ended or is ending. */
  get closed(): boolean {
    return this.#closed;
  }

  /** The running transfer, if any. */
  get transfer(): Transfer | undefined {
    return this.transfers.current;
  }

  /**
   * Report an event with this session's fields filled in.
   *
   * @param event The event without the session fields.
   */
  emit(event: SessionEventInit): void {
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
      // Armed first: on an implicit-TLS connection the greeting waits for the handshake.
      this.#armIdle(this.host.config.idleTimeout);
      await this.#greet();
      while (!this.#closed) {
        let res;
        try {
          res = await this.#lines.readLine();
        } catch (e) {
          if (e instanceof UnterminatedLineError && !this.#closed) {
            const limit = this.host.config.maxLineLength;
            await this.reply(
              "421",
              `Command line over ${limit} bytes without a newline: closing control connection.`,
            );
            await this.closeGracefully("abuse");
          }
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

  /**
   * Send the 220 greeting. On an implicit-TLS connection it is the first TLS record, so it
   * waits for the handshake: bounded by the handshake timeout, after which the session ends.
   */
  async #greet(): Promise<void> {
    if (!this.conn.secure) return await this.reply("220", this.host.config.welcome);
    const timer = setTimeout(() => this.close("error"), this.host.config.tlsHandshakeTimeout);
    try {
      await this.reply("220", this.host.config.welcome);
    } finally {
      clearTimeout(timer);
    }
  }

  async #execute(line: string): Promise<void> {
    // Telnet leftovers (e.g. a lone IAC byte decoded as U+FFFD) before the verb are dropped.
    const { name, arg } = parseCommandLine(line.replace(/^[\uFFFD\s]+/, ""));
    const shown = censorCommand(`${name} ${arg}`);
    this.emit({ type: "command", name, arg: shown.slice(name.length + 1) });
    const spec = this.host.config.disabled.has(name) ? undefined : this.commands.get(name);
    // QUIT while the data connection is still being set up (e.g. a TLS handshake that never
    // comes) ends that wait instead of waiting for it.
    if (name === "QUIT" && this.transfer?.phase === "setup") this.abortTransfer("closed");
    if (this.transfer && !spec?.duringTransfer) await this.transfer.done;
    if (this.#closed) return;
    if (this.host.shuttingDown && name !== "QUIT") {
      await this.reply("421", "Server shutting down: closing control connection.");
      await this.closeGracefully("shutdown");
      return;
    }
    try {
      if (!spec) {
        await this.reply("502", `Command "${name.slice(0, 20)}" not implemented.`);
      } else if (!spec.login) {
        await spec.run(this, arg);
      } else if (!isLoggedIn(this)) {
        await this.reply("530", "Please log in with USER and PASS first.");
      } else if (spec.dataChannel && !this.channel) {
        await this.reply("425", "Use PASV, EPSV, PORT or EPRT first.");
      } else if (spec.dataChannel && !this.protectData && this.tlsRequirements().data) {
        // RFC 4217 section 9: the data connection cannot be opened with this PROT setting.
        await this.reply("521", "Data connections must be protected: send PBSZ 0 and PROT P first.");
      } else {
        await spec.run(this, arg);
      }
    } catch (e) {
      await this.replyError(e);
    } finally {
      if (!spec?.keepsRestAndAllo) {
        this.rest = 0;
        this.allo = undefined;
      }
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

  // ---- data transfers (run by this.transfers) -----------------------------------------

  /**
   * Start a transfer over the prepared data channel (the command table guarantees one for
   * transfer commands). Replies 150 now; the transfer replies when it ends.
   *
   * @param spec What to transfer.
   * @returns When the 150 reply was sent.
   */
  async startTransfer(spec: TransferSpec): Promise<void> {
    const channel = this.channel;
    if (!channel) throw new Error(`${spec.command} without a data channel`);
    this.channel = undefined;
    await this.transfers.start(channel, spec);
  }

  /**
   * Abort the running transfer (it replies 426 itself).
   *
   * @param reason Why.
   */
  abortTransfer(reason: AbortReason): void {
    this.transfers.abort(reason);
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
      this.#upgraded = true;
    } finally {
      bound.clear();
    }
    this.#input = new ControlInput(this.conn.readable, this.host.config.maxLineLength);
    this.#lines = this.#newLineReader();
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
    this.#lifetime?.abort(new Error(`session closed (${reason})`));
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
    this.transfers.closeLingering();
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

/** Whether the session has a logged-in user (and so its storage). */
function isLoggedIn(s: ServerSession): s is LoggedInSession {
  return s.user !== undefined && s.storage !== undefined;
}
