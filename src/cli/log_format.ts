/**
 * One log line per server event, for `anyftp serve`. Pure.
 *
 * @module
 */

import type { Addr } from "../net/types.ts";
import type { ServerEvent } from "../server/events.ts";

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
    case "command":
      return options.verbose ? line(`> ${event.name}${event.arg ? " " + event.arg : ""}`) : undefined;
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
