/**
 * The exit codes of the `anyftp` client commands, and the mapping of a failure to its code
 * and to one line a person can act on (cause first, then the path they typed, then a hint
 * that is true for that cause).
 *
 * @module
 */

import {
  ConnectError,
  FtpError,
  FtpTimeoutError,
  PathIOError,
  StatusCodeError,
  UnsupportedError,
} from "../errors.ts";
import { UsageError } from "./args.ts";

/**
 * Exit codes, distinct per cause (as curl's are), listed in `--help` and the README.
 *
 * @example
 * ```ts
 * import { EXIT } from "./exit_codes.ts";
 * console.log(EXIT.loginFailed); // 5
 * ```
 */
export const EXIT = {
  /** Success. */
  ok: 0,
  /** Any other failure (a server error, a transfer cut off, a full disk on the server). */
  failure: 1,
  /** Bad command line. */
  usage: 2,
  /** The server cannot be reached (connection refused, no route). */
  connectFailed: 3,
  /** The host name does not resolve. */
  hostNotFound: 4,
  /** The server refused the user name or password. */
  loginFailed: 5,
  /** The remote file or directory does not exist. */
  remoteNotFound: 6,
  /** The server denied the operation (permission). */
  permissionDenied: 7,
  /** No answer in time (`--timeout`). */
  timeout: 8,
  /** TLS failed: the certificate is not trusted, or the server does not offer TLS. */
  tls: 9,
  /** A local file or directory is missing or cannot be read or written. */
  localFile: 10,
  /** Interrupted by Ctrl-C. */
  interrupted: 130,
} as const;

/**
 * The table of {@linkcode EXIT} codes as help text.
 *
 * @example
 * ```ts
 * import { EXIT_CODE_HELP } from "./exit_codes.ts";
 * console.log(EXIT_CODE_HELP);
 * ```
 */
export const EXIT_CODE_HELP = `Exit codes:
  0    success
  1    other failure (server error, transfer cut off, server storage full)
  2    bad command line
  3    cannot reach the server (refused, unreachable)
  4    host name not found
  5    login refused (user name or password)
  6    remote file or directory not found
  7    permission denied by the server
  8    timed out (see --timeout)
  9    TLS failure (untrusted certificate, no TLS on the server)
  10   local file or directory missing, unreadable or unwritable
  130  interrupted (Ctrl-C)`;

/**
 * What went wrong, for a person and for the shell.
 *
 * @example
 * ```ts
 * import type { Failure } from "./exit_codes.ts";
 * const f: Failure = { code: 6, message: "No such remote file: /a.txt (550 No such file)" };
 * ```
 */
export interface Failure {
  /** One of {@linkcode EXIT}. */
  readonly code: number;
  /** One line: cause, path, hint. */
  readonly message: string;
}

/**
 * A local file system failure the CLI itself found (or wrapped), naming the path the user
 * typed.
 *
 * @example
 * ```ts
 * import { LocalFileError } from "./exit_codes.ts";
 * throw new LocalFileError("No such local directory: ./out (create it first)");
 * ```
 */
export class LocalFileError extends FtpError {}

/**
 * A remote path that does not exist, found by the CLI (for example an empty listing of a
 * missing directory on servers that answer it with 226).
 *
 * @example
 * ```ts
 * import { RemoteNotFoundError } from "./exit_codes.ts";
 * throw new RemoteNotFoundError("No such remote directory: /pub/x");
 * ```
 */
export class RemoteNotFoundError extends FtpError {}

/** System error codes of local file operations, in words. */
const ERRNO: Record<string, string> = {
  ENOENT: "no such file or directory",
  EACCES: "permission denied",
  EPERM: "operation not permitted",
  EISDIR: "is a directory",
  ENOTDIR: "a part of the path is not a directory",
  EEXIST: "already exists",
  ENOSPC: "no space left on the device",
  EROFS: "read-only file system",
  ENOTEMPTY: "directory not empty",
};

const KIND_ERRNO: Partial<Record<string, string>> = {
  "not-found": "ENOENT",
  "permission": "EACCES",
  "not-a-directory": "ENOTDIR",
  "is-a-directory": "EISDIR",
  "exists": "EEXIST",
  "no-space": "ENOSPC",
  "not-empty": "ENOTEMPTY",
};

function errnoOf(e: unknown): string | undefined {
  for (let x: unknown = e, i = 0; x && i < 5; x = (x as { cause?: unknown }).cause, i++) {
    if (x instanceof PathIOError && KIND_ERRNO[x.kind] && !(x.cause as { code?: string })?.code) {
      return KIND_ERRNO[x.kind];
    }
    const code = (x as { code?: unknown }).code;
    if (typeof code === "string" && code in ERRNO) return code;
    const name = (x as { name?: unknown }).name;
    if (name === "NotFound") return "ENOENT";
    if (name === "PermissionDenied") return "EACCES";
  }
  return undefined;
}

/**
 * A local file operation's error as a {@linkcode LocalFileError} naming `path` (the path as
 * the user typed it) and the system's reason.
 *
 * @param e The error from `node:fs` or a local PathIO.
 * @param action What was attempted, e.g. `"Cannot write"`.
 * @param path The local path.
 * @returns The error to throw.
 *
 * @example
 * ```ts
 * import { localError } from "./exit_codes.ts";
 * const e = localError(Object.assign(new Error("x"), { code: "EACCES" }), "Cannot write", "/proc/x");
 * console.log(e.message); // "Cannot write /proc/x: permission denied (EACCES)"
 * ```
 */
export function localError(e: unknown, action: string, path: string): LocalFileError {
  const code = errnoOf(e);
  const why = code ? `${ERRNO[code]} (${code})` : e instanceof Error ? e.message : String(e);
  return new LocalFileError(`${action} ${path}: ${why}`, { cause: e });
}

/**
 * Whether an error is a write to a closed pipe (`anyftp ls | head -1`).
 *
 * @param e What was thrown.
 * @returns `true` for EPIPE (Node, Bun) or BrokenPipe (Deno).
 *
 * @example
 * ```ts
 * import { isBrokenPipe } from "./exit_codes.ts";
 * isBrokenPipe(Object.assign(new Error("write EPIPE"), { code: "EPIPE" })); // true
 * ```
 */
export function isBrokenPipe(e: unknown): boolean {
  for (let x: unknown = e, i = 0; x && i < 5; x = (x as { cause?: unknown }).cause, i++) {
    if ((x as { code?: unknown }).code === "EPIPE" || (x as { name?: unknown }).name === "BrokenPipe") {
      return true;
    }
  }
  return /broken pipe|EPIPE/i.test(e instanceof Error ? e.message : "");
}

const TLS_TRUST =
  /certificate|self[- ]signed|UNABLE_TO_VERIFY|CERT_|UnknownIssuer|invalid peer|issuer|DEPTH_ZERO/i;

/**
 * Classify a failure of a client command.
 *
 * @param e What was thrown.
 * @param context The command, and the remote path as the user typed it.
 * @returns Exit code and message line.
 *
 * @example
 * ```ts
 * import { describeFailure } from "./exit_codes.ts";
 * import { ConnectError } from "../errors.ts";
 * describeFailure(new ConnectError("127.0.0.1", 1, { code: "ECONNREFUSED" }), { remotePath: "/" }).code; // 3
 * ```
 */
export function describeFailure(
  e: unknown,
  context: { readonly remotePath: string; readonly host?: string },
): Failure {
  const message = e instanceof Error ? e.message : String(e);
  if (e instanceof UsageError) return { code: EXIT.usage, message };
  if (e instanceof LocalFileError) return { code: EXIT.localFile, message };
  if (e instanceof RemoteNotFoundError) return { code: EXIT.remoteNotFound, message };
  if (e instanceof PathIOError) {
    return { code: EXIT.localFile, message: localError(e.cause ?? e, "Local file error on", e.path).message };
  }
  if (isAbort(e)) return { code: EXIT.interrupted, message: "Interrupted." };
  if (e instanceof FtpTimeoutError) {
    return {
      code: EXIT.timeout,
      // The library's hint names its own option; the CLI's is --timeout.
      message: `Timed out after ${e.timeoutMs / 1000} s: ${message.split(" timed out after")[0]}; ` +
        "the server or network is slow or stuck (raise --timeout SECONDS to wait longer)",
    };
  }
  const host = context.host ?? "the server";
  if (e instanceof ConnectError || /failed to lookup address|getaddrinfo|ENOTFOUND/i.test(message)) {
    const code = e instanceof ConnectError ? e.code : "ENOTFOUND";
    if (code === "ENOTFOUND" || code === "EAI_AGAIN" || /lookup address|getaddrinfo/i.test(message)) {
      return { code: EXIT.hostNotFound, message: `Host not found: ${host} (check the name in the URL)` };
    }
    if (code === "ETIMEDOUT") {
      return { code: EXIT.timeout, message: `Timed out connecting to ${host} (raise --timeout SECONDS)` };
    }
    return {
      code: EXIT.connectFailed,
      message: `Cannot reach ${host}: ${
        code === "ECONNREFUSED" ? "connection refused" : code
      } (is the server running, and is the port right?)`,
    };
  }
  if (e instanceof StatusCodeError) return describeReply(e, context.remotePath);
  if (TLS_TRUST.test(message) || TLS_TRUST.test(String((e as { cause?: unknown }).cause ?? ""))) {
    return {
      code: EXIT.tls,
      message: `TLS certificate not trusted: ${firstSentence(message)} ` +
        "(give the server's certificate or its CA with --cacert FILE, or --insecure to skip the check)",
    };
  }
  if (e instanceof UnsupportedError) return { code: EXIT.failure, message };
  const errno = errnoOf(e);
  if (errno) return { code: EXIT.localFile, message: localError(e, "Local file error:", "").message };
  return { code: EXIT.failure, message: firstSentence(message) || "failed" };
}

function describeReply(e: StatusCodeError, remotePath: string): Failure {
  const verb = (e.command.split(" ")[0] ?? "").toUpperCase();
  const reply = `${e.received} ${e.info.join(" ").replace(/^\d{3}[ -]/, "").trim()}`.trim();
  if (verb === "AUTH" || verb === "PBSZ" || verb === "PROT") {
    return {
      code: EXIT.tls,
      message: `The server refused ${e.command} (${reply}): it may not offer FTPS; drop --tls to use plain FTP`,
    };
  }
  if (verb === "USER" || verb === "PASS" || verb === "ACCT" || (e.received === "530" && !remotePath)) {
    return {
      code: EXIT.loginFailed,
      message: `Login refused (${reply}): check the user name and password (-u USER, ~/.netrc, ANYFTP_PASSWORD)`,
    };
  }
  if (e.received === "530") {
    return { code: EXIT.permissionDenied, message: `Not allowed: ${remotePath} (${reply})` };
  }
  const text = e.info.join(" ");
  if (/permission|denied|not allowed|forbidden|access/i.test(text) || e.received === "532") {
    return { code: EXIT.permissionDenied, message: `Permission denied: ${remotePath} (${reply})` };
  }
  if (/not a (regular )?file|is a directory/i.test(text)) {
    return { code: EXIT.failure, message: `Not a file: ${remotePath} (${reply}); for a directory use get DIR or mirror` };
  }
  if (/not a directory/i.test(text)) {
    return { code: EXIT.failure, message: `Not a directory: ${remotePath} (${reply})` };
  }
  if (e.received === "550" || e.received === "450") {
    return { code: EXIT.remoteNotFound, message: `No such remote file or directory: ${remotePath} (${reply})` };
  }
  return { code: EXIT.failure, message: `The server refused ${verb} ${remotePath} (${reply})` };
}

function isAbort(e: unknown): boolean {
  return (e as { name?: unknown })?.name === "AbortError";
}

function firstSentence(text: string): string {
  return (text.split("\n")[0] ?? "").replace(/[.:]\s*$/, "");
}
