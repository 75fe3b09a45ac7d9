/**
 * Log lines for `anyftp serve`: one text line or one JSON object per server event, with
 * control characters from client-chosen names escaped and passwords censored. Pure.
 *
 * @module
 */

import type { Addr } from "../net/types.ts";
import type { ServerEvent } from "../server/events.ts";
import { censorCommand, parseCommandLine } from "../protocol/command.ts";

/**
 * Escape C0 and C1 control characters (ESC, BEL, NUL, CR, LF, DEL, 0x80-0x9f...) as
 * `\xNN`, and a backslash as `\\`, so a client-chosen name cannot drive the operator's terminal
 * or fake a log line.
 *
 * @param text Any text.
 * @returns The text with every control character visible.
 *
 * @example
 * ```ts
 * import { escapeControl } from "./log_format.ts";
 * escapeControl("evil\x1b[2Jname"); // "evil\\x1b[2Jname"
 * ```
 */
export function escapeControl(text: string): string {
  // deno-lint-ignore no-control-regex
  return text.replace(/[\x00-\x1f\x7f-\x9f\\]/g, (c) =>
    c === "\\" ? "\\\\" : `\\x${c.charCodeAt(0).toString(16).padStart(2, "0")}`);
}

/** The command of a command event, censored however PASS or ACCT was spelled or spaced. */
function censoredCommand(event: { name: string; arg: string }): { name: string; arg: string } {
  const shown = censorCommand(`${event.name} ${event.arg}`);
  const parsed = parseCommandLine(shown.replace(/\s/, " "));
  return { name: parsed.name, arg: parsed.arg.trimEnd() };
}

/**
 * Options for {@linkcode formatServerEvent}.
 *
 * @example
 * ```ts
 * import type { LogFormatOptions } from "./log_format.ts";
 * const options: LogFormatOptions = { verbose: true };
 * ```
 */
export interface LogFormatOptions {
  /** Also log every command and reply (PASS arguments are censored by the server). @default false */
  readonly verbose?: boolean;
}

/**
 * Render a server event as a log line, or `undefined` when it is not worth a line (commands
 * and replies unless `verbose`; `listening`, which the CLI announces itself).
 *
 * @param event The event from the server's `onEvent` hook.
 * @param options Verbosity.
 * @returns The line (with an ISO timestamp), or `undefined`.
 *
 * @example
 * ```ts
 * import { formatServerEvent } from "./log_format.ts";
 * formatServerEvent({ type: "login", time: 0, sessionId: 1, remote: { hostname: "127.0.0.1", port: 5000, family: "IPv4" }, user: "alice" });
 * // "1970-01-01T00:00:00.000Z #1 127.0.0.1:5000 alice logged in"
 * ```
 */
export function formatServerEvent(
  event: ServerEvent,
  options: LogFormatOptions = {},
): string | undefined {
  const text = formatRaw(event, options);
  return text === undefined ? undefined : escapeControl(text);
}

function formatRaw(event: ServerEvent, options: LogFormatOptions): string | undefined {
  const stamp = new Date(event.time).toISOString();
  const who = event.type !== "error" && "sessionId" in event
    ? `#${event.sessionId} ${addr(event.remote)}${event.user ? " " + event.user : ""}`
    : "";
  const line = (text: string) => `${stamp} ${who ? who + " " : ""}${text}`;
  switch (event.type) {
    case "listening":
      return undefined;
    case "server-close":
      return line("server closed");
    case "connection-refused":
      return line(`${addr(event.remote)} refused (${event.reason})`);
    case "session-open":
      return line("connected");
    case "session-close":
      return line(`disconnected (${event.reason})`);
    case "login":
      return line("logged in");
    case "login-failed":
      return line(`login failed for ${JSON.stringify(event.login)} (${event.reason})`);
    case "transfer": {
      const outcome = event.ok ? "ok" : "failed";
      const why = !event.ok && event.error instanceof Error ? `: ${event.error.message}` : "";
      return line(
        `${event.command} ${event.path} ${event.bytes} B in ${Math.round(event.durationMs)} ms ` +
          `${outcome} (${event.code})${why}`,
      );
    }
    case "data-connection-rejected":
      return line(`data connection from ${addr(event.from)} rejected`);
    case "command": {
      if (!options.verbose) return undefined;
      const c = censoredCommand(event);
      return line(`> ${c.name}${c.arg ? " " + c.arg : ""}`);
    }
    case "reply":
      return options.verbose ? line(`< ${event.code} ${event.lines.join(" | ")}`) : undefined;
    case "error": {
      const message = event.error instanceof Error ? event.error.message : String(event.error);
      const session = event.sessionId !== undefined ? `#${event.sessionId} ` : "";
      return `${stamp} ${session}error: ${message}`;
    }
    default:
      return undefined;
  }
}

/**
 * `host:port`, with brackets around IPv6 addresses.
 *
 * @param a The address.
 * @returns The printable form.
 *
 * @example
 * ```ts
 * import { addr } from "./log_format.ts";
 * addr({ hostname: "::1", port: 21, family: "IPv6" }); // "[::1]:21"
 * ```
 */
export function addr(a: Addr): string {
  return a.hostname.includes(":") ? `[${a.hostname}]:${a.port}` : `${a.hostname}:${a.port}`;
}

/**
 * A server event as one line of JSON: the event object itself, with errors reduced to their
 * message, commands censored, and every control character (DEL and C1 included) escaped.
 *
 * @param event The event.
 * @returns One line of JSON.
 *
 * @example
 * ```ts
 * import { formatServerEventJson } from "./log_format.ts";
 * const remote = { hostname: "127.0.0.1", port: 5000, family: "IPv4" as const };
 * formatServerEventJson({ type: "command", time: 0, sessionId: 1, remote, name: "PASS", arg: "x" });
 * // '{"type":"command","time":0,"sessionId":1,"remote":{...},"name":"PASS","arg":"********"}'
 * ```
 */
export function formatServerEventJson(event: ServerEvent): string {
  const plain: Record<string, unknown> = { ...event };
  if (event.type === "command") Object.assign(plain, censoredCommand(event));
  if ("error" in event && event.error !== undefined) {
    plain.error = event.error instanceof Error ? event.error.message : String(event.error);
  }
  plain.timestamp = new Date(event.time).toISOString();
  return JSON.stringify(plain).replace(/[\x7f-\x9f\u2028\u2029]/g, (c) =>
    `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);
}

/**
 * Options of {@linkcode ServerLog}.
 *
 * @example
 * ```ts
 * import type { ServerLogOptions } from "./log_format.ts";
 * const options: ServerLogOptions = { format: "json", out: console.log, err: console.error };
 * ```
 */
export interface ServerLogOptions {
  /** `"text"` lines or one JSON object per event. @default "text" */
  readonly format?: "text" | "json";
  /** Commands and replies too. @default false */
  readonly verbose?: boolean;
  /** Only errors, failures and denials. @default false */
  readonly quiet?: boolean;
  /** Where informational lines go (standard output). */
  readonly out: (line: string) => void;
  /** Where errors, failures and denials go (standard error). */
  readonly err: (line: string) => void;
}

/** Replies that deny or fail a request: worth a line even without `-v`. */
const FAILURE_REPLY = /^(45[0-2]|5[35][0-3]|532)$/;

/**
 * The serve command's log: routes each server event to a line on standard output
 * (sessions, logins, transfers) or standard error (errors, failed transfers, refused
 * requests such as a permission denial, which are logged even with `quiet`), as text or JSON.
 *
 * @example
 * ```ts
 * import { ServerLog } from "./log_format.ts";
 * const log = new ServerLog({ out: console.log, err: console.error });
 * log.event({ type: "server-close", time: Date.now() });
 * ```
 */
export class ServerLog {
  #o: ServerLogOptions;
  #lastCommand = new Map<number, string>();

  /**
   * A log writing through `options.out` and `options.err`.
   *
   * @param options Format, verbosity and sinks.
   */
  constructor(options: ServerLogOptions) {
    this.#o = options;
  }

  /**
   * Log one event (or nothing, when it is not worth a line at this verbosity).
   *
   * @param event The server's event.
   */
  event(event: ServerEvent): void {
    const o = this.#o;
    let failure = event.type === "error" || event.type === "connection-refused" ||
      (event.type === "transfer" && !event.ok) || event.type === "login-failed";
    if (event.type === "command") {
      const c = censoredCommand(event);
      this.#lastCommand.set(event.sessionId, `${c.name}${c.arg ? " " + c.arg : ""}`);
    } else if (event.type === "session-close") {
      this.#lastCommand.delete(event.sessionId);
    }
    let denial: string | undefined;
    if (event.type === "reply" && FAILURE_REPLY.test(event.code)) {
      const command = this.#lastCommand.get(event.sessionId) ?? "";
      // A transfer that failed once started has its own transfer event (and a 451 or 426
      // reply); PASS replies are login-failed events.
      const transferFailure = /^(RETR|STOR|APPE|STOU)\b/.test(command) && event.code === "451";
      if (!transferFailure && !/^(PASS|USER)\b/.test(command)) {
        failure = true;
        const who = `#${event.sessionId} ${addr(event.remote)}${event.user ? " " + event.user : ""}`;
        denial = `${new Date(event.time).toISOString()} ${who} refused ${command}: ${event.code} ${
          event.lines.join(" | ")
        }`;
      }
    }
    if (o.quiet && !failure) return;
    const sink = failure ? o.err : o.out;
    if (o.format === "json") {
      if (failure || o.verbose || (event.type !== "command" && event.type !== "reply")) {
        sink(formatServerEventJson(event));
      }
      return;
    }
    if (denial !== undefined && !o.verbose) {
      sink(escapeControl(denial));
      return;
    }
    const line = formatServerEvent(event, { verbose: o.verbose ?? false });
    if (line !== undefined) sink(line);
  }
}
