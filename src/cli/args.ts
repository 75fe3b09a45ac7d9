/**
 * Command-line parsing for the `anyftp` CLI: `node:util`'s `parseArgs` (which Deno, Bun and
 * Node all ship) with strict checking and one-line usage errors, plus value parsers (ports,
 * ranges, rates, sizes, durations). It parses the array it is given and never reads the
 * process.
 *
 * @module
 */

import { parseArgs as nodeParseArgs } from "node:util";
import { FtpError } from "../errors.ts";

/**
 * The command line was wrong; the message says how, and the CLI prints it with the usage and
 * exits with status 2.
 *
 * @example
 * ```ts
 * import { UsageError } from "./args.ts";
 * throw new UsageError("unknown option --colour");
 * ```
 */
export class UsageError extends FtpError {}

/**
 * How one option is parsed.
 *
 * @example
 * ```ts
 * import type { OptionSpec } from "./args.ts";
 * const user: OptionSpec = { type: "string", short: "u", multiple: true };
 * ```
 */
export interface OptionSpec {
  /** `"boolean"` flags take no value; `"string"` options take one. */
  readonly type: "boolean" | "string";
  /** A one-letter alias, without the dash. @default undefined */
  readonly short?: string;
  /** May be given several times (values collected into an array). @default false */
  readonly multiple?: boolean;
}

/**
 * The options of one command, by long name (without dashes).
 *
 * @example
 * ```ts
 * import type { OptionSpecs } from "./args.ts";
 * const specs: OptionSpecs = { port: { type: "string", short: "p" }, help: { type: "boolean" } };
 * ```
 */
export type OptionSpecs = Readonly<Record<string, OptionSpec>>;

/**
 * What {@linkcode parseArgs} returns.
 *
 * @example
 * ```ts
 * import { parseArgs, type ParsedArgs } from "./args.ts";
 * const parsed: ParsedArgs = parseArgs(["-q", "x"], { quiet: { type: "boolean", short: "q" } });
 * console.log(parsed.values.quiet, parsed.positionals); // true ["x"]
 * ```
 */
export interface ParsedArgs {
  /** Option values: `true` for flags, a string, or an array for `multiple` options. */
  readonly values: Readonly<Record<string, string | boolean | readonly string[]>>;
  /** Arguments that are not options, in order. */
  readonly positionals: readonly string[];
}

/**
 * Parse `argv` (without the program and command names) against `specs`, with `node:util`'s
 * `parseArgs` (strict, positionals allowed): long options, `--name=value`, one-letter
 * aliases, grouped short flags (`-rq`), `-p21`, repeatable options, `--` to end options.
 *
 * @param argv The arguments.
 * @param specs The accepted options.
 * @returns Option values and positional arguments.
 * @throws {UsageError} For an unknown option, a missing value, or a value given to a flag.
 *
 * @example
 * ```ts
 * import { parseArgs } from "./args.ts";
 * const { values, positionals } = parseArgs(["--port", "21", "-wq", "dir"], {
 *   port: { type: "string", short: "p" },
 *   write: { type: "boolean", short: "w" },
 *   quiet: { type: "boolean", short: "q" },
 * });
 * console.log(values.port, values.write, values.quiet, positionals); // "21" true true ["dir"]
 * ```
 */
export function parseArgs(argv: readonly string[], specs: OptionSpecs): ParsedArgs {
  for (const arg of argv) {
    if (arg === "--") break;
    // Names such as --toString or --__proto__ must not reach an object lookup.
    const m = /^--([^=]+)/.exec(arg);
    if (m?.[1] !== undefined && !Object.hasOwn(specs, m[1])) throw new UsageError(`unknown option --${m[1]}`);
  }
  try {
    const { values, positionals } = nodeParseArgs({
      args: [...argv],
      options: specs as Record<string, OptionSpec>,
      strict: true,
      allowPositionals: true,
    });
    return { values: { ...values } as ParsedArgs["values"], positionals };
  } catch (e) {
    throw new UsageError(usageMessage(e, specs), { cause: e });
  }
}

/** A short message for a `node:util` parseArgs error (they differ slightly per runtime). */
function usageMessage(e: unknown, specs: OptionSpecs): string {
  const message = e instanceof Error ? e.message : String(e);
  const code = (e as { code?: string }).code ?? "";
  let name = /'(?:-\w, )?(-{0,2}[\w][\w-]*)/.exec(message)?.[1] ?? "";
  // Bun names an unknown letter of a group without its dash ("Unknown option 'x'").
  if (name !== "" && !name.startsWith("-")) name = (name.length === 1 ? "-" : "--") + name;
  const long = (opt: string) => {
    if (opt.startsWith("--")) return opt;
    const found = Object.entries(specs).find(([, s]) => s.short === opt.slice(1));
    return found ? `--${found[0]}` : opt;
  };
  if (code === "ERR_PARSE_ARGS_UNKNOWN_OPTION" || /unknown option/i.test(message)) {
    return `unknown option ${name || message}`;
  }
  if (/argument missing|requires an argument|needs a value/i.test(message)) {
    return `option ${long(name)} needs a value`;
  }
  if (/does not take an argument|takes no value/i.test(message)) {
    return `option ${long(name)} takes no value`;
  }
  if (/ambiguous/i.test(message)) {
    return `option ${long(name)} needs a value (write ${long(name)}=-VALUE for one starting with "-")`;
  }
  return message.split("\n")[0] ?? message;
}

/**
 * Parse a TCP port (`0` allowed: pick a free one).
 *
 * @param text The option value.
 * @param option The option name, for the message.
 * @returns The port number.
 * @throws {UsageError} When it is not an integer in 0..65535.
 *
 * @example
 * ```ts
 * import { parsePort } from "./args.ts";
 * parsePort("2121", "--port"); // 2121
 * ```
 */
export function parsePort(text: string, option: string): number {
  if (!/^\d{1,5}$/.test(text) || Number(text) > 65535) {
    throw new UsageError(`${option} must be a port number 0-65535, got "${text}"`);
  }
  return Number(text);
}

/**
 * Parse a port range `A-B` (inclusive, `1 ≤ A ≤ B ≤ 65535`).
 *
 * @param text The option value.
 * @param option The option name, for the message.
 * @returns The range.
 * @throws {UsageError} When malformed.
 *
 * @example
 * ```ts
 * import { parsePortRange } from "./args.ts";
 * parsePortRange("50000-50100", "--passive-ports"); // { min: 50000, max: 50100 }
 * ```
 */
export function parsePortRange(text: string, option: string): { min: number; max: number } {
  const m = /^(\d{1,5})-(\d{1,5})$/.exec(text);
  const min = m ? Number(m[1]) : NaN;
  const max = m ? Number(m[2]) : NaN;
  if (!m || min < 1 || max > 65535 || min > max) {
    throw new UsageError(`${option} must look like 50000-50100 (1-65535, low-high), got "${text}"`);
  }
  return { min, max };
}

/**
 * Parse a positive integer.
 *
 * @param text The option value.
 * @param option The option name, for the message.
 * @returns The number.
 * @throws {UsageError} When it is not a positive integer.
 *
 * @example
 * ```ts
 * import { parsePositiveInt } from "./args.ts";
 * parsePositiveInt("100", "--max-connections"); // 100
 * ```
 */
export function parsePositiveInt(text: string, option: string): number {
  if (!/^\d+$/.test(text) || Number(text) < 1 || !Number.isSafeInteger(Number(text))) {
    throw new UsageError(`${option} must be a positive integer, got "${text}"`);
  }
  return Number(text);
}

/**
 * Parse a byte rate such as `500k`, `10M`, `1.5m` or `2048` (bytes per second; k = 1024).
 *
 * @param text The option value.
 * @param option The option name, for the message.
 * @returns Bytes per second (0 = unlimited).
 * @throws {UsageError} When malformed.
 *
 * @example
 * ```ts
 * import { parseRate } from "./args.ts";
 * parseRate("2m", "--download-limit"); // 2097152
 * ```
 */
export function parseRate(text: string, option: string): number {
  const m = /^(\d+(?:\.\d+)?)([kmg]?)$/i.exec(text.trim());
  if (!m) throw new UsageError(`${option} must be a rate like 500k, 10m or 2048, got "${text}"`);
  const unit = { "": 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3 }[(m[2] ?? "").toLowerCase()]!;
  return Math.round(Number(m[1]) * unit);
}

/**
 * Parse a size such as `512M`, `2g`, `100k` or `4096` (bytes; k = 1024), or `none` /
 * `unlimited` for no limit.
 *
 * @param text The option value.
 * @param option The option name, for the message.
 * @returns Bytes (`Infinity` for no limit).
 * @throws {UsageError} When malformed.
 *
 * @example
 * ```ts
 * import { parseSize } from "./args.ts";
 * parseSize("512M", "--quota"); // 536870912
 * ```
 */
export function parseSize(text: string, option: string): number {
  if (/^(none|unlimited)$/i.test(text.trim())) return Infinity;
  const m = /^(\d+(?:\.\d+)?)([kmgt]?)i?b?$/i.exec(text.trim());
  if (!m) throw new UsageError(`${option} must be a size like 512M, 2G or 4096 (or "none"), got "${text}"`);
  const unit = { "": 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3, t: 1024 ** 4 }[(m[2] ?? "").toLowerCase()]!;
  return Math.round(Number(m[1]) * unit);
}

/**
 * Parse a duration in seconds (fractions allowed), e.g. `30` or `2.5`.
 *
 * @param text The option value.
 * @param option The option name, for the message.
 * @returns Milliseconds.
 * @throws {UsageError} When it is not a positive number of seconds.
 *
 * @example
 * ```ts
 * import { parseSeconds } from "./args.ts";
 * parseSeconds("2.5", "--timeout"); // 2500
 * ```
 */
export function parseSeconds(text: string, option: string): number {
  const m = /^\d+(\.\d+)?$/.exec(text.trim());
  const ms = m ? Math.round(Number(text) * 1000) : NaN;
  if (!(ms > 0)) throw new UsageError(`${option} must be a number of seconds such as 30, got "${text}"`);
  return ms;
}

/**
 * Fill options missing from the command line from environment variables: option
 * `--max-per-ip` of a command with prefix `ANYFTP_SERVE_` comes from `ANYFTP_SERVE_MAX_PER_IP`.
 * Flags accept `1`/`true`/`yes`/`on` and `0`/`false`/`no`/`off`; a repeatable option takes
 * whitespace-separated values. The command line wins.
 *
 * @param parsed What {@linkcode parseArgs} returned.
 * @param specs The command's options.
 * @param env The environment.
 * @param prefix The variable prefix, e.g. `"ANYFTP_SERVE_"`.
 * @returns The values with the environment's filled in.
 * @throws {UsageError} For a flag variable that is not a yes/no word.
 *
 * @example
 * ```ts
 * import { applyEnv, parseArgs } from "./args.ts";
 * const specs = { port: { type: "string" }, write: { type: "boolean" } } as const;
 * const values = applyEnv(parseArgs([], specs), specs, { ANYFTP_SERVE_PORT: "2121", ANYFTP_SERVE_WRITE: "1" }, "ANYFTP_SERVE_");
 * console.log(values.port, values.write); // "2121" true
 * ```
 */
export function applyEnv(
  parsed: ParsedArgs,
  specs: OptionSpecs,
  env: Readonly<Record<string, string | undefined>>,
  prefix: string,
): ParsedArgs["values"] {
  const values: Record<string, string | boolean | readonly string[]> = { ...parsed.values };
  for (const [name, spec] of Object.entries(specs)) {
    if (name === "help" || values[name] !== undefined) continue;
    const variable = prefix + name.toUpperCase().replace(/-/g, "_");
    const raw = env[variable];
    if (raw === undefined || raw === "") continue;
    if (spec.type === "boolean") {
      if (/^(1|true|yes|on)$/i.test(raw)) values[name] = true;
      else if (!/^(0|false|no|off)$/i.test(raw)) {
        throw new UsageError(`${variable} must be 1 or 0 (true/false), got "${raw}"`);
      }
    } else {
      values[name] = spec.multiple ? raw.trim().split(/\s+/) : raw;
    }
  }
  return values;
}
