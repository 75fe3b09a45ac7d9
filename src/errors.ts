/**
 * Every error anyftp throws is an {@linkcode FtpError}. Messages say what happened and what
 * to do next; the fields carry the details for code that wants to branch on them.
 *
 * @module
 */

/**
 * Base class of every anyftp error (aioftp's `AIOFTPException`).
 *
 * @example
 * ```ts
 * import { FtpError } from "anyftp";
 * try {
 *   // await client.download(...)
 * } catch (e) {
 *   if (e instanceof FtpError) console.error(e.message);
 * }
 * ```
 */
export class FtpError extends Error {
  /**
   * Create a FtpError.
   *
   * @param message What happened and what to do next.
   * @param options Standard error options (`cause`).
   */
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = new.target.name;
  }
}

/**
 * The server answered with a reply code the command did not expect.
 *
 * @example
 * ```ts
 * import { StatusCodeError } from "anyftp";
 * const e = new StatusCodeError({ expected: ["250"], received: "550", command: "DELE a.txt", info: ["No such file"] });
 * console.log(e.received, e.message);
 * ```
 */
export class StatusCodeError extends FtpError {
  /** Codes that would have meant success. */
  readonly expected: readonly string[];
  /** The code the server sent. */
  readonly received: string;
  /** The command that was sent (the password of PASS is censored), or `""` for the greeting. */
  readonly command: string;
  /** The server's reply text, one entry per line. */
  readonly info: readonly string[];

  /**
   * Create a StatusCodeError.
   *
   * @param details Expected and received codes, the command, and the reply lines.
   */
  constructor(details: {
    expected: readonly string[];
    received: string;
    command: string;
    info: readonly string[];
  }) {
    const what = details.command ? `"${details.command}"` : "the connection greeting";
    const hint = details.received.startsWith("4")
      ? "This is a transient failure: retry later."
      : details.received === "530"
      ? "Log in first, or check the user name and password."
      : details.received === "550"
      ? "Check that the path exists and that the user may access it."
      : "Check the command and its arguments against what the server supports.";
    super(
      `${what} got ${details.received} ${details.info.join(" ").trim()} (expected ${
        details.expected.join(" or ")
      }). ${hint}`,
    );
    this.expected = details.expected;
    this.received = details.received;
    this.command = details.command;
    this.info = details.info;
  }
}

/**
 * A path that must be absolute was not (user home paths, for example).
 *
 * @example
 * ```ts
 * import { PathIsNotAbsoluteError } from "anyftp";
 * const e = new PathIsNotAbsoluteError("home/alice");
 * console.log(e.path);
 * ```
 */
export class PathIsNotAbsoluteError extends FtpError {
  /** The offending path. */
  readonly path: string;
  /**
   * Create a PathIsNotAbsoluteError.
   *
   * @param path The offending path.
   */
  constructor(path: string) {
    super(`Path "${path}" is not absolute: start it with "/".`);
    this.path = path;
  }
}

/**
 * A storage (PathIO) operation failed; the original error is the `cause`.
 *
 * @example
 * ```ts
 * import { PathIOError } from "anyftp";
 * const e = new PathIOError("stat", "/missing", { cause: new Error("ENOENT"), kind: "not-found" });
 * console.log(e.kind, e.cause);
 * ```
 */
export class PathIOError extends FtpError {
  /** The storage operation, e.g. `"stat"`, `"open"`. */
  readonly operation: string;
  /** The virtual path it was applied to. */
  readonly path: string;
  /** What went wrong, as far as the storage can tell. */
  readonly kind: PathIOErrorKind;

  /**
   * Create a PathIOError.
   *
   * @param operation The storage operation.
   * @param path The virtual path.
   * @param options The original error as `cause`, and the kind of failure.
   */
  constructor(
    operation: string,
    path: string,
    options: { cause?: unknown; kind?: PathIOErrorKind } = {},
  ) {
    const kind = options.kind ?? "io";
    const hint = {
      "not-found": "it does not exist",
      "exists": "it already exists",
      "not-a-directory": "a part of it is not a directory",
      "is-a-directory": "it is a directory",
      "not-empty": "the directory is not empty",
      "permission": "permission denied",
      "outside-root": "it resolves outside the storage root",
      "no-space": "the storage is full or over its quota",
      "io": "the storage reported an error",
    }[kind];
    super(`Storage ${operation} of "${path}" failed: ${hint}.`, { cause: options.cause });
    this.operation = operation;
    this.path = path;
    this.kind = kind;
  }
}

/** Classification of a {@linkcode PathIOError}. */
export type PathIOErrorKind =
  | "not-found"
  | "exists"
  | "not-a-directory"
  | "is-a-directory"
  | "not-empty"
  | "permission"
  | "outside-root"
  | "no-space"
  | "io";

/**
 * No data port could be bound (the passive port range is exhausted or all ports are busy).
 *
 * @example
 * ```ts
 * import { NoAvailablePortError } from "anyftp";
 * throw new NoAvailablePortError("60000-60009");
 * ```
 */
export class NoAvailablePortError extends FtpError {
  /**
   * Create a NoAvailablePortError.
   *
   * @param range The port range that was tried, for the message.
   */
  constructor(range = "any") {
    super(
      `No data port available in ${range}: widen the passive port range or wait for transfers to finish.`,
    );
  }
}

/**
 * A command or argument was refused before anything was sent (CR, LF or NUL in it, or too long).
 *
 * @example
 * ```ts
 * import { InvalidCommandError } from "anyftp";
 * const e = new InvalidCommandError("RETR a\r\nDELE b", "it contains CR or LF");
 * console.log(e.message);
 * ```
 */
export class InvalidCommandError extends FtpError {
  /** The refused command, with control characters escaped. */
  readonly command: string;
  /**
   * Create an InvalidCommandError.
   *
   * @param command The refused command.
   * @param reason Why it was refused.
   */
  constructor(command: string, reason: string) {
    const shown = JSON.stringify(command);
    super(`Refused to send ${shown}: ${reason}. Remove control characters from paths and arguments.`);
    this.command = shown;
  }
}

/**
 * The connection was closed (by the peer or locally) while it was being used.
 *
 * @example
 * ```ts
 * import { ConnectionClosedError } from "anyftp";
 * throw new ConnectionClosedError("write");
 * ```
 */
export class ConnectionClosedError extends FtpError {
  /**
   * Create a ConnectionClosedError.
   *
   * @param operation What was being done when the closure was seen.
   * @param options Standard error options (`cause`).
   */
  constructor(operation: string, options?: ErrorOptions) {
    super(`Connection closed during ${operation}: reconnect and retry.`, options);
  }
}

/**
 * Connecting or listening failed (refused, unreachable, address in use).
 *
 * @example
 * ```ts
 * import { ConnectError } from "anyftp";
 * const e = new ConnectError("127.0.0.1", 1, { code: "ECONNREFUSED" });
 * console.log(e.code);
 * ```
 */
export class ConnectError extends FtpError {
  /** The system error code when known, e.g. `"ECONNREFUSED"`, `"EADDRINUSE"`. */
  readonly code: string;
  /**
   * Create a ConnectError.
   *
   * @param hostname The address dialled or bound.
   * @param port The port.
   * @param options The system code and original error.
   */
  constructor(hostname: string, port: number, options: { code?: string; cause?: unknown } = {}) {
    const code = options.code ?? "EUNKNOWN";
    const hint = code === "EADDRINUSE"
      ? "choose another port or stop the process using it"
      : code === "ECONNREFUSED"
      ? "check that the server is running and the port is right"
      : "check the address and the network";
    super(`Cannot reach ${hostname}:${port} (${code}): ${hint}.`, { cause: options.cause });
    this.code = code;
  }
}

/**
 * An operation took longer than its configured timeout.
 *
 * @example
 * ```ts
 * import { FtpTimeoutError } from "anyftp";
 * throw new FtpTimeoutError("connect", 30_000);
 * ```
 */
export class FtpTimeoutError extends FtpError {
  /** The timeout that elapsed, in milliseconds. */
  readonly timeoutMs: number;
  /**
   * Create a FtpTimeoutError.
   *
   * @param operation What timed out.
   * @param timeoutMs The limit, in milliseconds.
   */
  constructor(operation: string, timeoutMs: number) {
    super(`${operation} timed out after ${timeoutMs} ms: raise the timeout option or check the peer.`);
    this.timeoutMs = timeoutMs;
  }
}

/**
 * The running runtime cannot do what was asked; the message names it and the workaround.
 *
 * @example
 * ```ts
 * import { UnsupportedError } from "anyftp";
 * throw new UnsupportedError("deno", "TLS session reuse on data connections", "use the Node adapter");
 * ```
 */
export class UnsupportedError extends FtpError {
  /** The runtime (`"deno"`, `"bun"`, `"node"`, `"memory"`). */
  readonly runtime: string;
  /** The missing capability. */
  readonly feature: string;
  /**
   * Create an UnsupportedError.
   *
   * @param runtime The runtime.
   * @param feature The missing capability.
   * @param workaround What to do instead.
   */
  constructor(runtime: string, feature: string, workaround: string) {
    super(`${runtime} cannot do ${feature}: ${workaround}.`);
    this.runtime = runtime;
    this.feature = feature;
  }
}

/**
 * A path contains a character no path may hold (NUL). It is a {@linkcode PathIOError} of kind
 * `"io"` so storage callers handle it like any other, and its own class so a server can tell it
 * apart and answer 501.
 *
 * @example
 * ```ts
 * import { InvalidPathError } from "anyftp";
 * import { normalizeVirtualPath } from "anyftp/protocol";
 * try {
 *   normalizeVirtualPath("/a\0b");
 * } catch (e) {
 *   console.log(e instanceof InvalidPathError); // true
 * }
 * ```
 */
export class InvalidPathError extends PathIOError {
  /**
   * Create an InvalidPathError.
   *
   * @param path The offending path.
   * @param reason Why it is invalid.
   */
  constructor(path: string, reason = "it contains a NUL character") {
    super("resolve", path, { kind: "io" });
    this.message = `Path ${JSON.stringify(path)} is invalid: ${reason}. ` +
      "Remove control characters from the path.";
  }
}

/**
 * A command waited in a client's queue behind a transfer stream (from
 * `Client.downloadStream`, `Client.uploadStream` or
 * `Client.appendStream`) that made no progress for `dataTimeout`: the stream holds
 * the control connection until it is consumed or cancelled, so the command could never run.
 * Nothing was sent for the failed command; the stream itself is left as it was and may still
 * be read, written, closed or cancelled.
 *
 * @example
 * ```ts
 * import { Client, StalledStreamError } from "anyftp";
 * await using client = await Client.connect("ftp://127.0.0.1:2121", { dataTimeout: 5000 });
 * const stream = await client.downloadStream("/big.iso");
 * try {
 *   await client.size("/other.txt"); // the stream is not being read: this cannot run
 * } catch (e) {
 *   if (e instanceof StalledStreamError) await stream.cancel(); // frees the client
 * }
 * ```
 */
export class StalledStreamError extends FtpError {
  /** The transfer command of the stream that holds the client, e.g. `"RETR big.iso"`. */
  readonly transferCommand: string;
  /** How long the stream had made no progress, in milliseconds (the `dataTimeout`). */
  readonly timeoutMs: number;

  /**
   * Make the error for a command that waited behind a stalled stream.
   *
   * @param transferCommand The command of the stream that holds the client.
   * @param timeoutMs The `dataTimeout` that elapsed.
   */
  constructor(transferCommand: string, timeoutMs: number) {
    super(
      `A command waited behind the open transfer stream of "${transferCommand}", which made no progress for ${timeoutMs} ms (dataTimeout): the stream holds the connection until it is read to its end (download) or closed (upload), or cancelled/aborted. Consume or cancel it before sending other commands on this client, or use a second client (ClientPool) for them.`,
    );
    this.transferCommand = transferCommand;
    this.timeoutMs = timeoutMs;
  }
}
