/**
 * Where the client commands get a user name and password without the password in the URL:
 * `-u USER[:PASS]`, the environment (`ANYFTP_USER`, `ANYFTP_PASSWORD`), `~/.netrc` (or
 * `$NETRC`), and a prompt on a terminal. Pure: file reading and prompting are passed in.
 *
 * @module
 */

import { UsageError } from "./args.ts";

/**
 * One `machine` (or `default`) entry of a `.netrc` file.
 *
 * @example
 * ```ts
 * import type { NetrcEntry } from "./credentials.ts";
 * const e: NetrcEntry = { machine: "ftp.example.com", login: "alice", password: "pw" };
 * ```
 */
export interface NetrcEntry {
  /** The host, or `undefined` for the `default` entry. */
  readonly machine?: string;
  /** The login. */
  readonly login?: string;
  /** The password. */
  readonly password?: string;
}

/**
 * Parse a `.netrc` file (tokens `machine`, `default`, `login`, `password`, `account`,
 * `macdef` blocks skipped; quoted tokens allowed).
 *
 * @param text The file's contents.
 * @returns Its entries in order.
 *
 * @example
 * ```ts
 * import { parseNetrc } from "./credentials.ts";
 * parseNetrc("machine h login bob password 's e'"); // [{ machine: "h", login: "bob", password: "s e" }]
 * ```
 */
export function parseNetrc(text: string): NetrcEntry[] {
  const entries: { machine?: string; login?: string; password?: string }[] = [];
  const lines = text.split(/\r?\n/);
  const tokens: string[] = [];
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] ?? "";
    if (/^\s*macdef\b/.test(line)) {
      while (i + 1 < lines.length && (lines[i + 1] ?? "").trim() !== "") i++;
      continue;
    }
    if (/^\s*#/.test(line)) continue;
    for (const m of line.matchAll(/"((?:[^"\\]|\\.)*)"|'([^']*)'|(\S+)/g)) {
      tokens.push(m[1] !== undefined ? m[1].replace(/\\(.)/g, "$1") : m[2] ?? m[3] ?? "");
    }
  }
  let current: { machine?: string; login?: string; password?: string } | undefined;
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i];
    if (t === "machine") {
      current = { machine: tokens[++i] ?? "" }; // a truncated "machine" matches no host
      entries.push(current);
    } else if (t === "default") {
      current = {};
      entries.push(current);
    } else if (current && (t === "login" || t === "password" || t === "account")) {
      const value = tokens[++i];
      if (value === undefined) break;
      if (t === "login") current.login = value;
      if (t === "password") current.password = value;
    }
  }
  return entries;
}

/**
 * Inputs of {@linkcode resolveCredentials}.
 *
 * @example
 * ```ts
 * import type { CredentialSources } from "./credentials.ts";
 * const s: CredentialSources = { host: "h", env: {} };
 * ```
 */
export interface CredentialSources {
  /** The server's host name, to pick the `.netrc` machine. */
  readonly host: string;
  /** User and password from the URL (already decoded). */
  readonly urlUser?: string;
  /** Password from the URL. */
  readonly urlPassword?: string;
  /** The `-u USER[:PASS]` option. */
  readonly userOption?: string;
  /** The environment (`ANYFTP_USER`, `ANYFTP_PASSWORD`, `NETRC`, `HOME`). */
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Read a file, `undefined` when missing. @default none: no .netrc */
  readonly readFile?: (path: string) => Promise<string | undefined>;
  /** Ask for a password on the terminal, or `undefined` when there is none. */
  readonly prompt?: (question: string) => Promise<string>;
}

/**
 * The login to use: the URL's, else `-u`, else `ANYFTP_USER`, else the `.netrc` entry for
 * the host (or its `default`), else anonymous. A named user without a password gets it
 * from `ANYFTP_PASSWORD`, then `.netrc`, then a prompt on a terminal.
 *
 * @param s Where to look.
 * @returns User and password (`undefined` both for anonymous).
 * @throws {UsageError} When a named user has no password and there is no terminal to ask.
 *
 * @example
 * ```ts
 * import { resolveCredentials } from "./credentials.ts";
 * await resolveCredentials({ host: "h", userOption: "bob:pw", env: {} }); // { user: "bob", password: "pw" }
 * ```
 */
export async function resolveCredentials(
  s: CredentialSources,
): Promise<{ user?: string; password?: string }> {
  let user = s.urlUser;
  let password = s.urlPassword;
  const option = s.userOption ?? s.env.ANYFTP_USER;
  if (user === undefined && option !== undefined && option !== "") {
    const colon = option.indexOf(":");
    user = colon < 0 ? option : option.slice(0, colon);
    if (colon >= 0) password = option.slice(colon + 1);
  }
  if (password === undefined && s.env.ANYFTP_PASSWORD !== undefined && user !== undefined) {
    password = s.env.ANYFTP_PASSWORD;
  }
  if (password === undefined) {
    const netrc = await readNetrc(s);
    const entry = netrc.find((e) => e.machine === s.host && (user === undefined || e.login === user)) ??
      (user === undefined ? netrc.find((e) => e.machine === undefined) : undefined);
    if (entry && (user === undefined || entry.login === user)) {
      user ??= entry.login;
      password = entry.password;
    }
  }
  if (user === undefined || /^(anonymous|ftp)$/i.test(user)) {
    return user === undefined ? {} : { user, ...(password !== undefined ? { password } : {}) };
  }
  if (password === undefined) {
    if (!s.prompt) {
      throw new UsageError(
        `no password for ${user}: give -u ${user}:PASSWORD, set ANYFTP_PASSWORD, or add it to ~/.netrc`,
      );
    }
    password = await s.prompt(`Password for ${user}@${s.host}: `);
  }
  return { user, password };
}

async function readNetrc(s: CredentialSources): Promise<NetrcEntry[]> {
  if (!s.readFile) return [];
  const path = s.env.NETRC ?? (s.env.HOME ? `${s.env.HOME}/.netrc` : undefined);
  if (!path) return [];
  const text = await s.readFile(path);
  return text === undefined ? [] : parseNetrc(text);
}
