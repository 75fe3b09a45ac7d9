/**
 * A small, strict command-line parser for the `anyftp` CLI: long options (`--name value`,
 * `--name=value`), one-letter aliases (`-p 21`), boolean flags, repeatable options, `--` to end
 * options. Pure: it parses the array it is given and never reads the process.
 *
 * @module
 */

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
 * Parse `argv` (without the program and command names) against `specs`.
 *
 * @param argv The arguments.
 * @param specs The accepted options.
 * @returns Option values and positional arguments.
 * @throws {UsageError} For an unknown option, a missing value, or a value given to a flag.
 *
 * @example
 * ```ts
 * import { parseArgs } from "./args.ts";
 * const { values, positionals } = parseArgs(["--port", "21", "-w", "dir"], {
 *   port: { type: "string", short: "p" },
 *   write: { type: "boolean", short: "w" },
 * });
 * console.log(values.port, values.write, positionals); // "21" true ["dir"]
 * ```
 */
export function parseArgs(argv: readonly string[], specs: OptionSpecs): ParsedArgs {
  const values: Record<string, string | boolean | string[]> = {};
  const positionals: string[] = [];
  const byShort = new Map<string, string>();
  for (const [name, spec] of Object.entries(specs)) if (spec.short) byShort.set(spec.short, name);

  const set = (name: string, value: string | boolean) => {
    const spec = specs[name];
    if (spec.multiple) {
      const list = (values[name] as string[] | undefined) ?? [];
      list.push(String(value));
      values[name] = list;
    } else {
      values[name] = value;
    }
  };

  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === "--") {
      positionals.push(...argv.slice(i + 1));
      break;
    }
    let name: string | undefined;
    let inline: string | undefined;
    if (arg.startsWith("--")) {
      const eq = arg.indexOf("=");
      name = eq < 0 ? arg.slice(2) : arg.slice(2, eq);
      inline = eq < 0 ? undefined : arg.slice(eq + 1);
      if (!Object.hasOwn(specs, name)) throw new UsageError(`unknown option --${name}`);
    } else if (arg.startsWith("-") && arg.length > 1) {
      const letter = arg.slice(1, 2);
      name = byShort.get(letter);
      if (name === undefined) throw new UsageError(`unknown option -${letter}`);
      if (arg.length > 2) inline = arg.slice(2).replace(/^=/, "");
    } else {
      positionals.push(arg);
      continue;
    }
    const spec = specs[name];
    if (spec.type === "boolean") {
      if (inline !== undefined) throw new UsageError(`option --${name} takes no value`);
      set(name, true);
      continue;
    }
    if (inline !== undefined) {
      set(name, inline);
      continue;
    }
    if (i + 1 >= argv.length) throw new UsageError(`option --${name} needs a value`);
    set(name, argv[++i]);
  }
  return { values, positionals };
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
  const unit = { "": 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3 }[m[2].toLowerCase()]!;
  return Math.round(Number(m[1]) * unit);
}
