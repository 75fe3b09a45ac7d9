/**
 * Structured events a {@linkcode Server} reports through its `onEvent` option, for logging and
 * monitoring. Passwords never appear in them: PASS and ACCT arguments are censored.
 *
 * Text the client chose (command arguments, paths, login names, reply lines that echo them)
 * is carried raw, exactly as decoded: it may hold control characters such as ESC or BEL.
 * Escape it where it is printed (a terminal, a log file); the `anyftp` CLI does. New names
 * with control characters are refused by the server, but commands naming them still arrive.
 *
 * @module
 */

import type { Addr } from "../net/types.ts";

/** Fields every event has. */
export interface ServerEventBase {
  /** When it happened (`Date.now()`). */
  readonly time: number;
}

/** Fields of events about one session. */
export interface SessionEventBase extends ServerEventBase {
  /** Session number, unique within the server. */
  readonly sessionId: number;
  /** The client's address. */
  readonly remote: Addr;
  /** The logged-in user's login, if any. */
  readonly user?: string;
}

/** The server is bound and accepting. */
export interface ListeningEvent extends ServerEventBase {
  /** Discriminant: "listening". */
  readonly type: "listening";
  /** The bound address. */
  readonly address: Addr;
}

/** The server stopped accepting and closed every session. */
export interface ServerClosedEvent extends ServerEventBase {
  /** Discriminant: "server-close". */
  readonly type: "server-close";
}

/** A connection was turned away with 421 before a session started. */
export interface ConnectionRefusedEvent extends ServerEventBase {
  /** Discriminant: "connection-refused". */
  readonly type: "connection-refused";
  /** The client's address. */
  readonly remote: Addr;
  /** Which limit refused it. */
  readonly reason: "max-connections" | "max-connections-per-ip" | "shutting-down";
}

/** A control connection was accepted. */
export interface SessionOpenEvent extends SessionEventBase {
  /** Discriminant: "session-open". */
  readonly type: "session-open";
  /** The server's end of the connection. */
  readonly local: Addr;
}

/** A session ended. */
export interface SessionCloseEvent extends SessionEventBase {
  /** Discriminant: "session-close". */
  readonly type: "session-close";
  /** Why: the client quit or disconnected, a timeout, abuse, or server shutdown. */
  readonly reason: "quit" | "disconnect" | "idle-timeout" | "login-failures" | "abuse" | "shutdown" | "error";
}

/** A login succeeded. */
export interface LoginEvent extends SessionEventBase {
  /** Discriminant: "login". */
  readonly type: "login";
}

/** A login failed. */
export interface LoginFailedEvent extends SessionEventBase {
  /** Discriminant: "login-failed". */
  readonly type: "login-failed";
  /** The login name tried. */
  readonly login: string;
  /** Unknown user or refused by the user manager, wrong password, or a per-user limit. */
  readonly reason: "refused" | "bad-password" | "max-connections";
}

/** A command was received (PASS/ACCT arguments censored). */
export interface CommandEvent extends SessionEventBase {
  /** Discriminant: "command". */
  readonly type: "command";
  /** The verb, upper case. */
  readonly name: string;
  /** The argument (censored for PASS and ACCT). */
  readonly arg: string;
}

/** A reply was sent. */
export interface ReplyEvent extends SessionEventBase {
  /** Discriminant: "reply". */
  readonly type: "reply";
  /** Three-digit code. */
  readonly code: string;
  /** Reply text lines. */
  readonly lines: readonly string[];
}

/** A data transfer ended (successfully or not). */
export interface TransferEvent extends SessionEventBase {
  /** Discriminant: "transfer". */
  readonly type: "transfer";
  /** The command: RETR, STOR, APPE, STOU, LIST, NLST or MLSD. */
  readonly command: string;
  /** `download`: server to client; `upload`: client to server. */
  readonly direction: "download" | "upload";
  /** The virtual path as the user sees it. */
  readonly path: string;
  /** Bytes moved over the data connection. */
  readonly bytes: number;
  /** Milliseconds from the preliminary reply to the end. */
  readonly durationMs: number;
  /** Whether it completed. */
  readonly ok: boolean;
  /** The final reply code (226, 426, 451, 552, 425…). */
  readonly code: string;
  /** What went wrong, when it did. */
  readonly error?: unknown;
}

/** A data connection came from an address other than the client's and was closed. */
export interface DataConnectionRejectedEvent extends SessionEventBase {
  /** Discriminant: "data-connection-rejected". */
  readonly type: "data-connection-rejected";
  /** Where it came from. */
  readonly from: Addr;
}

/** An unexpected error (a bug or a failing hook); the session carries on or closes. */
export interface ErrorEvent extends ServerEventBase {
  /** Discriminant: "error". */
  readonly type: "error";
  /** The session, if the error belongs to one. */
  readonly sessionId?: number;
  /** The error. */
  readonly error: unknown;
}

/**
 * Everything a server reports. Switch on `type`.
 *
 * @example
 * ```ts
 * import type { ServerEvent } from "anyftp";
 * function log(e: ServerEvent) {
 *   if (e.type === "transfer") console.log(`${e.user} ${e.command} ${e.path} ${e.bytes} B in ${e.durationMs} ms`);
 * }
 * ```
 */
export type ServerEvent =
  | ListeningEvent
  | ServerClosedEvent
  | ConnectionRefusedEvent
  | SessionOpenEvent
  | SessionCloseEvent
  | LoginEvent
  | LoginFailedEvent
  | CommandEvent
  | ReplyEvent
  | TransferEvent
  | DataConnectionRejectedEvent
  | ErrorEvent;
