/**
 * Parsing of command lines received by the server (RFC 959 section 5.3).
 *
 * @module
 */

/** A parsed command line. */
export interface CommandLine {
  /** The verb in upper case, e.g. `"RETR"`. */
  readonly name: string;
  /** Everything after the first space (may contain spaces), or `""`. */
  readonly arg: string;
}

/**
 * Split a command line into verb and argument. Verbs are case-insensitive; the argument
 * keeps its case and inner spaces (file names may contain them).
 *
 * @param line A line without its CRLF.
 * @returns The parsed command.
 *
 * @example
 * ```ts
 * import { parseCommandLine } from "./command.ts";
 * parseCommandLine("stor my file.txt"); // { name: "STOR", arg: "my file.txt" }
 * ```
 */
export function parseCommandLine(line: string): CommandLine {
  // The verb ends at the first space; a tab there too (some clients send `PASS<TAB>x`, and
  // a verb must never swallow its argument: logs and 502 replies echo the verb).
  const space = line.search(/[ \t]/);
  if (space < 0) return { name: line.trim().toUpperCase(), arg: "" };
  return { name: line.slice(0, space).toUpperCase(), arg: line.slice(space + 1) };
}

/**
 * Render a command for the log and for error messages, hiding the password of PASS
 * (and of ACCT, which some servers use as a second secret) however it is spelled or spaced:
 * any case, leading whitespace or Telnet leftovers, a tab or several spaces before the
 * password, or the password glued on with another separator.
 *
 * @param line The command line as sent or received.
 * @returns The line, safe to log.
 *
 * @example
 * ```ts
 * import { censorCommand } from "./command.ts";
 * censorCommand("PASS hunter2"); // "PASS ********"
 * ```
 */
export function censorCommand(line: string): string {
  const m = /^[\s\uFFFD]*(PASS|ACCT)(?![A-Za-z0-9])/i.exec(line);
  return m ? `${m[1]} ********` : line;
}
