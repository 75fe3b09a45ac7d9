/**
 * One client's conversation with a server: the control connection (greeting, login, AUTH
 * TLS), the queue that lets one command run at a time, and what the client has learned about
 * the server on the way (commands it lacks). The internal modules (listing, file operations,
 * transfers) work on a `ClientSession`; {@linkcode Client} is the public face over it.
 *
 * @module
 */

import type { ClientTlsOptions, Conn, Listener, Net } from "../net/types.ts";
import type { Reply } from "../protocol/reply.ts";
import { censorCommand } from "../protocol/command.ts";
import { ConnectError, ConnectionClosedError, FtpError, FtpTimeoutError } from "../errors.ts";
import { ControlChannel } from "./_control.ts";
import { CommandQueue } from "./_command_queue.ts";
import { type ResolvedOptions, resolveOptions } from "./_options.ts";
import { matchesAny, unexpectedReply } from "./_replies.ts";
import { speedLimiter } from "./_speed.ts";
import { isLimited } from "./_timeout.ts";
import type { Transfer } from "./_transfer.ts";
import type { ClientOptions } from "./options.ts";

/** The state shared by a client's operations. */
export class ClientSession {
  /** The options with defaults; `tlsMode` turns `"explicit"` after {@linkcode ClientSession.authTls}. */
  options: ResolvedOptions;
  /** Commands and features the server lacks (`"MLSD"`, `"EPSV"`, `"TLS session reuse"`…). */
  readonly unsupported: Set<string> = new Set();

  /**
   * The adapter's name when protected data connections cannot resume the control session
   * here (Deno): a server that demands reuse then refuses transfers with 522.
   */
  get reuseMissingOn(): string | undefined {
    return this.protP && this.unsupported.has("TLS session reuse") ? this.#net?.name : undefined;
  }
  /** Paces downloads, when limited. */
  readonly readLimit: ((bytes: number) => Promise<void>) | undefined;
  /** Paces uploads, when limited. */
  readonly writeLimit: ((bytes: number) => Promise<void>) | undefined;
  /** The transfer in flight, if any: `abort()` ends it, the queue watches its stream. */
  transfer: Transfer | undefined;
  /** Whether data connections use TLS (PROT P was accepted). */
  protP = false;
  /** The representation type set on the server (`"I"` after login). */
  #type: "A" | "I" | undefined;
  #control: ControlChannel | undefined;
  #net: Net | undefined;
  #host = "";
  #queue: CommandQueue;

  /** @param options The client's options. */
  constructor(options: ClientOptions) {
    this.options = resolveOptions(options);
    this.#net = options.net;
    this.readLimit = speedLimiter(this.options.speedLimits.download);
    this.writeLimit = speedLimiter(this.options.speedLimits.upload);
    this.#queue = new CommandQueue({
      stallTimeout: this.options.dataTimeout,
      holder: () => (this.transfer?.handedOut ? this.transfer : undefined),
    });
  }

  /** Whether the control connection is open. */
  get connected(): boolean {
    return this.#control !== undefined && !this.#control.closed;
  }

  /** Replies read on the current control connection (421 not counted). */
  get replies(): number {
    return this.#control?.replies ?? 0;
  }

  /** The control channel; throws {@linkcode ConnectionClosedError} when there is none. */
  get control(): ControlChannel {
    if (!this.#control) throw new ConnectionClosedError("a command (call connect() first)");
    return this.#control;
  }

  /**
   * Open the control connection and read the greeting (waiting through 120); with explicit
   * TLS, AUTH TLS follows.
   *
   * @param host Host name or address.
   * @param port Control port; 21, or 990 with implicit TLS, when missing.
   * @returns The greeting lines.
   */
  async open(host: string, port: number | undefined): Promise<readonly string[]> {
    const release = await this.#queue.acquire();
    try {
      this.#control?.close();
      this.#net ??= this.options.net ?? await (await import("../net/auto.ts")).defaultNet();
      this.#host = host;
      const implicit = this.options.tlsMode === "implicit";
      const conn = await this.dial(host, port ?? (implicit ? 990 : 21), implicit);
      conn.setNoDelay(true);
      this.options.trace?.(`Connected to ${host} port ${port ?? (implicit ? 990 : 21)}`);
      const control = new ControlChannel(conn, {
        encoding: this.options.encoding,
        maxLineLength: this.options.maxLineLength,
        maxReplyLines: this.options.maxReplyLines,
        trace: this.options.trace,
      });
      this.#control = control;
      this.unsupported.clear();
      this.protP = false;
      this.#type = undefined;
      let reply = await control.readReply(this.options.socketTimeout, "the greeting");
      for (let i = 0; i < 10 && reply.code === "120"; i++) {
        reply = await control.readReply(this.options.socketTimeout, "the greeting");
      }
      if (reply.code !== "220") {
        control.close();
        throw unexpectedReply(reply, ["220"], "");
      }
      if (this.options.tlsMode === "explicit") await this.authTls();
      return reply.lines;
    } finally {
      release();
    }
  }

  /**
   * Log in: USER, then PASS on 331, then ACCT on 332. Binary mode (TYPE I) follows, and with
   * TLS, PBSZ 0 and PROT P. Call with the queue held.
   *
   * @param user User name.
   * @param password Password.
   * @param account Account, for servers that ask.
   * @returns Nothing.
   */
  async login(user: string, password: string, account: string): Promise<void> {
    let r = await this.execute(`USER ${user}`, ["230", "331", "332"]);
    if (r.code === "331") r = await this.execute(`PASS ${password}`, ["230", "202", "332"]);
    if (r.code === "332") await this.execute(`ACCT ${account}`, ["230", "202"]);
    this.#type = undefined;
    await this.setType("I");
    if (this.options.tlsMode !== undefined) {
      await this.execute("PBSZ 0", ["200"]);
      await this.execute("PROT P", ["200"]);
      this.protP = true;
    }
  }

  /**
   * Set the representation type (TYPE A for text, TYPE I for binary) unless it is set
   * already. Call with the queue held.
   *
   * @param type The type.
   * @returns Nothing.
   */
  async setType(type: "A" | "I"): Promise<void> {
    if (this.#type === type) return;
    await this.execute(`TYPE ${type}`, ["200"]);
    this.#type = type;
  }

  /**
   * AUTH TLS and the handshake on the control connection. Call with the queue held.
   *
   * @returns Nothing.
   */
  async authTls(): Promise<void> {
    await this.execute("AUTH TLS", ["234"]);
    await this.control.startTls(this.tlsOptions());
    if (this.options.tlsMode === undefined) this.options = { ...this.options, tlsMode: "explicit" };
  }

  /**
   * TLS options for a connection to the server.
   *
   * @returns The client's TLS options, naming the host it connected to.
   */
  tlsOptions(): ClientTlsOptions {
    return { role: "client", serverName: this.#host, ...this.options.tls };
  }

  /**
   * Connect to the server (control or data), within `connectTimeout`.
   *
   * @param hostname The address.
   * @param port The port.
   * @param tls Whether TLS starts at once (implicit FTPS).
   * @returns The connection.
   */
  async dial(hostname: string, port: number, tls = false): Promise<Conn> {
    if (!Number.isInteger(port) || port < 1 || port > 65535) {
      throw new FtpError(`Port ${port} of ${hostname} is not a TCP port (1-65535).`);
    }
    if (hostname === "") throw new FtpError("No host to connect to: give a host name or address.");
    const ms = this.options.connectTimeout;
    const ac = new AbortController();
    const timer = isLimited(ms)
      ? setTimeout(() => ac.abort(new FtpTimeoutError(`Connecting to ${hostname}:${port}`, ms)), ms)
      : undefined;
    try {
      return await this.#net!.connect({
        hostname,
        port,
        signal: ac.signal,
        ...(tls ? { tls: this.tlsOptions() } : {}),
      });
    } catch (e) {
      if (ac.signal.aborted) throw ac.signal.reason;
      if (e instanceof FtpError) throw e;
      // An adapter that let a runtime error through: the client throws only FtpErrors.
      const code = (e as { code?: unknown })?.code;
      throw new ConnectError(hostname, port, {
        code: typeof code === "string" ? code : "EUNKNOWN",
        cause: e,
      });
    } finally {
      clearTimeout(timer);
    }
  }

  /**
   * Listen for the server's data connection (active mode).
   *
   * @param hostname The local address.
   * @returns The listener, on a free port.
   */
  async listen(hostname: string): Promise<Listener> {
    try {
      return await this.#net!.listen({ hostname, port: 0, backlog: 4 });
    } catch (e) {
      if (e instanceof FtpError) throw e;
      const code = (e as { code?: unknown })?.code;
      throw new ConnectError(hostname, 0, {
        code: typeof code === "string" ? code : "EUNKNOWN",
        cause: e,
      });
    }
  }

  /**
   * Wait for this client's turn to talk to the server.
   *
   * @returns The release function (call it once); rejects with
   * {@linkcode ConnectionClosedError} when the client is not connected, and with
   * `StalledStreamError` when a transfer stream holding the queue stalls meanwhile.
   */
  async acquire(): Promise<() => void> {
    const release = await this.#queue.acquire();
    if (!this.connected) {
      release();
      throw new ConnectionClosedError("a command (the client is not connected: call connect())");
    }
    return release;
  }

  /**
   * Run `fn` on its turn, holding the queue until it settles.
   *
   * @param fn The conversation.
   * @returns Its result.
   */
  async exclusive<T>(fn: () => Promise<T>): Promise<T> {
    const release = await this.acquire();
    try {
      return await fn();
    } finally {
      release();
    }
  }

  /**
   * Send a command and read its reply (with the queue held).
   *
   * @param line The command line.
   * @param expected Codes (or patterns such as `"2xx"`) that mean success.
   * @param wait Codes to read past (up to 100 of them), e.g. `"1xx"`.
   * @returns The reply; rejects with a `StatusCodeError` on any other code.
   */
  async execute(
    line: string,
    expected: readonly string[],
    wait: readonly string[] = [],
  ): Promise<Reply> {
    const control = this.#control;
    if (!control || control.closed) {
      throw new ConnectionClosedError(`sending "${censorCommand(line)}"`);
    }
    if (/^\s*TYPE\b/i.test(line)) this.#type = undefined; // Set again by setType().
    await control.send(line);
    const shown = censorCommand(line);
    for (let i = 0;; i++) {
      const reply = await control.readReply(this.options.socketTimeout, `"${shown}"`);
      if (matchesAny(reply.code, wait) && i < 100) continue;
      if (matchesAny(reply.code, expected)) return reply;
      throw unexpectedReply(reply, expected, shown);
    }
  }

  /**
   * Abort the transfer in flight (if any), then QUIT and close. Errors are ignored.
   *
   * @returns Nothing.
   */
  async quit(): Promise<void> {
    const control = this.#control;
    if (!control || control.closed) return;
    if (this.transfer) await this.transfer.abort().catch(() => {});
    const release = await this.#queue.acquire();
    try {
      await control.send("QUIT");
      await control.readReply(Math.min(this.options.socketTimeout, 5000), "QUIT");
    } catch {
      // Closing anyway.
    } finally {
      control.close();
      release();
    }
  }

  /** Close the control connection now. Idempotent. */
  close(): void {
    this.#control?.close();
  }
}
