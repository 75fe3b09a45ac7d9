/**
 * `anyftp get`, `put` and `ls`: one-shot client commands on `ftp://` / `ftps://` URLs.
 *
 * @module
 */

import { Client } from "../client/client.ts";
import type { ClientOptions, RemoteEntry } from "../client/options.ts";
import { FtpError } from "../errors.ts";
import { parseArgs, parseRate, UsageError } from "./args.ts";
import type { CliIO } from "./io.ts";

/**
 * Usage text of the client commands.
 *
 * @example
 * ```ts
 * import { CLIENT_USAGE } from "./client_commands.ts";
 * console.log(CLIENT_USAGE);
 * ```
 */
export const CLIENT_USAGE = `Usage:
  anyftp get URL [FILE|DIR|-]   download a file or directory tree (- = standard output)
  anyftp put FILE|- URL         upload a file or directory tree (- = standard input)
  anyftp ls URL                 list a directory

URL is ftp://[user[:password]@]host[:port]/path (ftps:// for implicit TLS). Without a user,
the login is anonymous. For put, a URL ending in / names the directory to upload into.

Options:
  --active            active mode (the server connects back) instead of passive
  --tls               explicit TLS (AUTH TLS) on an ftp:// URL
  --insecure          do not verify the server's TLS certificate
  --limit-rate RATE   cap the transfer speed, e.g. 500k, 10m (bytes/s)
  -r, --recursive     ls: list subdirectories too
  -q, --quiet         no summary line
  -h, --help          show this help`;

const SPECS = {
  active: { type: "boolean" },
  tls: { type: "boolean" },
  insecure: { type: "boolean" },
  "limit-rate": { type: "string" },
  recursive: { type: "boolean", short: "r" },
  quiet: { type: "boolean", short: "q" },
  help: { type: "boolean", short: "h" },
} as const;

/**
 * A parsed client command line.
 *
 * @example
 * ```ts
 * import { type ClientCommand, parseClientArgs } from "./client_commands.ts";
 * const c: ClientCommand = parseClientArgs("ls", ["ftp://127.0.0.1:2121/pub/"]);
 * console.log(c.remotePath); // "/pub/"
 * ```
 */
export interface ClientCommand {
  /** Which command. */
  readonly command: "get" | "put" | "ls";
  /** The server URL without its path (credentials kept). */
  readonly server: string;
  /** The remote path (decoded), `/` when the URL has none. */
  readonly remotePath: string;
  /** Whether the URL's path ends with `/`. */
  readonly remoteIsDir: boolean;
  /** The local file or directory, `-` for standard input/output, undefined when not given. */
  readonly local?: string;
  /** Client options from the flags. */
  readonly clientOptions: ClientOptions;
  /** `ls -r`. */
  readonly recursive: boolean;
  /** No summary line. */
  readonly quiet: boolean;
  /** Only print the usage. */
  readonly help: boolean;
}

/**
 * Split an FTP URL into the server part and the decoded remote path.
 *
 * @param text The URL.
 * @returns The server URL (no path), the path, and whether it ends with `/`.
 * @throws {UsageError} When it is not an ftp:// or ftps:// URL.
 *
 * @example
 * ```ts
 * import { splitFtpUrl } from "./client_commands.ts";
 * splitFtpUrl("ftp://bob:pw@host:2121/pub/a%20b.txt");
 * // { server: "ftp://bob:pw@host:2121", path: "/pub/a b.txt", isDir: false }
 * ```
 */
export function splitFtpUrl(text: string): { server: string; path: string; isDir: boolean } {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new UsageError(`"${text}" is not a URL: write ftp://host[:port]/path`);
  }
  if (url.protocol !== "ftp:" && url.protocol !== "ftps:") {
    throw new UsageError(`"${text}" is not an ftp:// or ftps:// URL`);
  }
  // RFC 1738 allows a ";type=i" suffix; the transfer type is always binary here.
  const rawPath = url.pathname.replace(/;type=[aid]$/i, "");
  let path: string;
  try {
    path = decodeURIComponent(rawPath);
  } catch {
    throw new UsageError(`"${text}" has a malformed %-escape in its path`);
  }
  if (path.includes("\0") || /[\r\n]/.test(path)) {
    throw new UsageError(`"${text}" has control characters in its path`);
  }
  const auth = url.username
    ? `${url.username}${url.password ? ":" + url.password : ""}@`
    : "";
  return {
    server: `${url.protocol}//${auth}${url.host}`,
    path: path === "" ? "/" : path,
    isDir: path === "" || path.endsWith("/"),
  };
}

/**
 * Parse the arguments of `get`, `put` or `ls` (after the command word).
 *
 * @param command Which command.
 * @param argv Its arguments.
 * @returns The parsed command.
 * @throws {UsageError} When arguments are missing or malformed.
 *
 * @example
 * ```ts
 * import { parseClientArgs } from "./client_commands.ts";
 * const c = parseClientArgs("get", ["ftp://127.0.0.1:2121/a.txt", "-"]);
 * console.log(c.remotePath, c.local); // "/a.txt" "-"
 * ```
 */
export function parseClientArgs(command: "get" | "put" | "ls", argv: readonly string[]): ClientCommand {
  const { values: v, positionals: p } = parseArgs(argv, SPECS);
  const base = {
    command,
    recursive: v.recursive === true,
    quiet: v.quiet === true,
    help: v.help === true,
  };
  if (base.help) {
    return { ...base, server: "", remotePath: "/", remoteIsDir: true, clientOptions: {} };
  }
  const expected = { get: [1, 2], put: [2, 2], ls: [1, 1] }[command];
  if (p.length < expected[0] || p.length > expected[1]) {
    const shape = { get: "URL [FILE]", put: "FILE URL", ls: "URL" }[command];
    throw new UsageError(`${command} takes ${shape}, got ${p.length} argument(s)`);
  }
  const urlText = command === "put" ? p[1] : p[0];
  const local = command === "put" ? p[0] : p[1];
  const url = splitFtpUrl(urlText);
  const rate = v["limit-rate"] as string | undefined;
  const limit = rate === undefined ? 0 : parseRate(rate, "--limit-rate");
  const clientOptions: ClientOptions = {
    ...(v.active ? { mode: "active" as const } : {}),
    ...(v.tls && url.server.startsWith("ftp:") ? { tls: "explicit" as const } : {}),
    ...(v.insecure ? { tlsOptions: { rejectUnauthorized: false } } : {}),
    ...(limit > 0 ? { readSpeedLimit: limit, writeSpeedLimit: limit } : {}),
  };
  return {
    ...base,
    server: url.server,
    remotePath: url.path,
    remoteIsDir: url.isDir,
    ...(local !== undefined ? { local } : {}),
    clientOptions,
  };
}

/**
 * Run `anyftp get|put|ls`.
 *
 * @param command Which command.
 * @param argv Its arguments.
 * @param io The process.
 * @returns The exit status: 0 on success, 1 on failure, 2 on bad usage.
 *
 * @example
 * ```ts
 * import { runClientCommand } from "./client_commands.ts";
 * import { processIO } from "./_runtime.ts";
 * await runClientCommand("ls", ["ftp://127.0.0.1:2121/"], processIO());
 * ```
 */
export async function runClientCommand(
  command: "get" | "put" | "ls",
  argv: readonly string[],
  io: CliIO,
): Promise<number> {
  let c: ClientCommand;
  try {
    c = parseClientArgs(command, argv);
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    io.err(`anyftp ${command}: ${e.message}`);
    io.err(`Try 'anyftp ${command} --help'.`);
    return 2;
  }
  if (c.help) {
    io.out(CLIENT_USAGE);
    return 0;
  }
  const started = performance.now();
  let client: Client | undefined;
  try {
    client = await Client.connect(c.server, c.clientOptions);
    const summary = await run(client, c, io);
    await client.quit().catch(() => {});
    if (!c.quiet && summary) {
      const seconds = (performance.now() - started) / 1000;
      io.err(`anyftp: ${summary} in ${seconds.toFixed(2)} s`);
    }
    return 0;
  } catch (e) {
    client?.close();
    io.err(`anyftp ${command}: ${e instanceof Error ? e.message : String(e)}`);
    return 1;
  }
}

async function run(client: Client, c: ClientCommand, io: CliIO): Promise<string | undefined> {
  let bytes = 0;
  const onProgress = (p: { bytes: number }) => void (bytes = p.bytes);
  switch (c.command) {
    case "ls": {
      for await (const entry of client.list(c.remotePath, { recursive: c.recursive })) {
        io.out(formatEntry(entry, c.recursive));
      }
      return undefined;
    }
    case "get": {
      if (c.local === "-") {
        const stream = await client.downloadStream(c.remotePath, { onProgress });
        await stream.pipeTo(io.stdout());
        return `downloaded ${c.remotePath} (${bytes} bytes)`;
      }
      const local = c.local ?? io.cwd();
      const into = c.local === undefined || (await io.isDirectory(local));
      await client.download(c.remotePath, local, { writeInto: !into });
      return `downloaded ${c.remotePath} to ${local}`;
    }
    case "put": {
      if (c.local === undefined) throw new UsageError("put needs a local FILE");
      if (c.local === "-") {
        if (c.remoteIsDir) {
          throw new FtpError("Uploading standard input needs a file name: end the URL with one.");
        }
        const sink = await client.uploadStream(c.remotePath, { onProgress });
        await io.stdin().pipeTo(sink);
        return `uploaded standard input to ${c.remotePath} (${bytes} bytes)`;
      }
      await client.upload(c.local, c.remotePath, { writeInto: !c.remoteIsDir });
      return `uploaded ${c.local} to ${c.remotePath}`;
    }
  }
}

/**
 * One line of `anyftp ls` output: type, size, modification time, name (and link target).
 *
 * @param entry A listed entry.
 * @param fullPath Print the full path instead of the name (recursive listings).
 * @returns The line.
 *
 * @example
 * ```ts
 * import { formatEntry } from "./client_commands.ts";
 * formatEntry({ name: "a.txt", path: "/a.txt", type: "file", size: 5, facts: {} }, false);
 * // "-            5                   a.txt"
 * ```
 */
export function formatEntry(entry: RemoteEntry, fullPath: boolean): string {
  const kind = { file: "-", dir: "d", symlink: "l", other: "?" }[entry.type];
  const size = entry.type === "dir" ? "" : String(entry.size ?? "");
  const when = entry.modified ? entry.modified.toISOString().slice(0, 16).replace("T", " ") : "";
  const name = fullPath ? entry.path : entry.name;
  const link = entry.linkTarget ? ` -> ${entry.linkTarget}` : "";
  return `${kind} ${size.padStart(12)} ${when.padEnd(16)}  ${name}${link}`;
}
