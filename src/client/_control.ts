/**
 * The client's control channel: writes command lines, reads complete (multi-line) replies
 * with an idle timeout and hard size bounds.
 *
 * @module
 */

import { textDecoder } from "../protocol/encoding.ts";
import type { ClientTlsOptions, Conn } from "../net/types.ts";
import { LineReader } from "../streams/line_reader.ts";
import { type Reply, ReplyAssembler } from "../protocol/reply.ts";
import { censorCommand } from "../protocol/command.ts";
import { ConnectionClosedError, FtpError, InvalidCommandError } from "../errors.ts";
import { type ClientEncoding, encodeText } from "./_encoding.ts";
import { IdleDeadline } from "./_timeout.ts";

/** Limits and encoding of a {@linkcode ControlChannel}. */
export interface ControlOptions {
  readonly encoding: ClientEncoding;
  readonly maxLineLength: number;
  readonly maxReplyLines: number;
  /** Gets every command sent (`"> …"`, censored) and reply line read (`"< …"`). */
  readonly trace?: ((line: string) => void) | undefined;
}

/**
 * Throw {@linkcode InvalidCommandError} when a command line contains CR, LF or NUL: such a
 * line would smuggle a second command onto the control channel.
 *
 * @param line The command line, without CRLF.
 */
export function assertSafeCommand(line: string): void {
  if (/[\r\n\0]/.test(line)) {
    throw new InvalidCommandError(censorCommand(line), "it contains CR, LF or NUL");
  }
}

/** One control connection. */
export class ControlChannel {
  #conn: Conn;
  #lines: LineReader;
  #writer: WritableStreamDefaultWriter<Uint8Array>;
  #assembler: ReplyAssembler;
  #options: ControlOptions;
  #closed = false;
  #replies = 0;
  #detach: () => void = () => {};
  /** One timer for all replies (a timer per reply line costs more than the line). */
  #deadline = new IdleDeadline(() => this.close());

  /**
   * @param conn The connected socket.
   * @param options Encoding and limits.
   */
  constructor(conn: Conn, options: ControlOptions) {
    this.#options = options;
    this.#assembler = new ReplyAssembler({ maxLines: options.maxReplyLines });
    [this.#conn, this.#lines, this.#writer] = this.#attach(conn);
  }

  /** Read lines from and write commands to `conn` (a new socket, or the same after TLS). */
  #attach(conn: Conn): [Conn, LineReader, WritableStreamDefaultWriter<Uint8Array>] {
    // A TLS upgrade hands the plain socket over, and some adapters (Deno) settle its `closed`
    // then: only the socket in use may close the channel.
    let inUse = true;
    this.#detach = () => (inUse = false);
    const gone = () => {
      if (!inUse) return;
      this.#closed = true;
      this.#deadline.dispose();
    };
    conn.closed.then(gone, gone);
    const lines = new LineReader(conn.readable, {
      maxLineLength: this.#options.maxLineLength,
      decode: textDecoder(this.#options.encoding === "utf-8" ? "utf-8" : "latin1"),
    });
    return [conn, lines, conn.writable.getWriter()];
  }

  /** The socket (its addresses pick data-connection peers). */
  get conn(): Conn {
    return this.#conn;
  }

  /** How many replies were read, not counting 421 (the server closing the connection). */
  get replies(): number {
    return this.#replies;
  }

  /** Whether the channel was closed (locally, by the peer, or after a protocol error). */
  get closed(): boolean {
    return this.#closed;
  }

  /**
   * Send one command line.
   *
   * @param line The command without CRLF; refused when it has CR, LF or NUL.
   */
  async send(line: string): Promise<void> {
    assertSafeCommand(line);
    if (this.#closed) throw new ConnectionClosedError(`sending "${censorCommand(line)}"`);
    this.#options.trace?.(`> ${censorCommand(line)}`);
    try {
      await this.#writer.write(encodeText(`${line}\r\n`, this.#options.encoding));
    } catch (cause) {
      this.close();
      throw new ConnectionClosedError(`sending "${censorCommand(line)}"`, { cause });
    }
  }

  /**
   * Read one complete reply. A 421 also closes the channel: the server is going away.
   *
   * @param timeoutMs Idle limit per line; on expiry the channel is closed (its state is lost).
   * @param operation What is waited for, for error messages.
   * @returns The reply.
   */
  async readReply(timeoutMs: number, operation: string): Promise<Reply> {
    while (true) {
      const result = await this.#readLine(timeoutMs, operation);
      if (result.kind === "end") {
        this.close();
        throw new ConnectionClosedError(`waiting for the reply to ${operation}`);
      }
      if (result.kind === "too-long") {
        this.close();
        throw new FtpError(
          `The server sent a reply line of ${result.length} bytes (limit ${this.#options.maxLineLength}) to ${operation}: the connection was closed. Raise maxLineLength if the server is trusted.`,
        );
      }
      this.#options.trace?.(`< ${result.line}`);
      const pushed = this.#assembler.push(result.line);
      if (pushed.kind === "reply") {
        // 421: the server is closing the connection (idle timeout, shutdown): so do we.
        if (pushed.reply.code === "421") this.close();
        else this.#replies++;
        return pushed.reply;
      }
      if (pushed.kind === "invalid") {
        this.close();
        throw new FtpError(
          `The server's reply to ${operation} is not FTP (${pushed.reason}): the connection was closed. Check the host and port.`,
        );
      }
    }
  }

  #readLine(timeoutMs: number, operation: string) {
    return this.#deadline.wait(
      this.#lines.readLine(),
      timeoutMs,
      `Waiting for the reply to ${operation}`,
    );
  }

  /**
   * Switch the channel to TLS (after `AUTH TLS` got 234).
   *
   * @param tls Client TLS options.
   */
  async startTls(tls: ClientTlsOptions): Promise<void> {
    const rest = this.#lines.release();
    if (rest.length > 0) {
      this.close();
      throw new FtpError(
        "The server sent data after its AUTH TLS reply: the connection was closed.",
      );
    }
    this.#writer.releaseLock();
    this.#detach();
    try {
      [this.#conn, this.#lines, this.#writer] = this.#attach(await this.#conn.startTls(tls));
    } catch (e) {
      this.close();
      throw e;
    }
  }

  /** Close the socket now. Idempotent. */
  close(): void {
    this.#closed = true;
    this.#deadline.dispose();
    this.#conn.close();
  }
}
