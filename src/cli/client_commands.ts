/**
 * The client commands: `get`, `put`, `ls`, `cat`, `rm`, `mkdir`, `mv` and `mirror` on
 * `ftp://` / `ftps://` URLs, built on the {@linkcode Client}'s public API.
 *
 * @module
 */

import { posix } from "node:path";
import { Client } from "../client/client.ts";
import type { ClientOptions, RemoteEntry } from "../client/options.ts";
import { FtpError, PathIOError, StatusCodeError } from "../errors.ts";
import { applyEnv, parseArgs, parseRate, parseSeconds, UsageError } from "./args.ts";
import { resolveCredentials } from "./credentials.ts";
import {
  describeFailure,
  EXIT,
  EXIT_CODE_HELP,
  isBrokenPipe,
  localError,
  RemoteNotFoundError,
} from "./exit_codes.ts";
import type { CliIO } from "./io.ts";
import { localStat, readLocalFrom, walkLocal } from "./_local_fs.ts";
import { escapeControl } from "./log_format.ts";
import { runMirror } from "./mirror.ts";
import { formatSummary, ProgressBar } from "./progress.ts";

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
  anyftp get URL [FILE|DIR|-]    download a file or directory tree (- = standard output)
  anyftp put FILE|DIR|- URL      upload a file or directory tree (- = standard input)
  anyftp ls URL                  list a directory (-r: recursively)
  anyftp cat URL                 print a remote file
  anyftp rm URL                  remove a file (-r: a directory tree)
  anyftp mkdir URL               create a directory (-p: with missing parents)
  anyftp mv URL NEWPATH          rename or move (NEWPATH absolute, or relative to URL's directory)
  anyftp mirror URL DIR          make local DIR a copy of the remote directory
  anyftp mirror DIR URL          make the remote directory a copy of local DIR

URL is ftp://[user[:password]@]host[:port]/path (ftps:// for implicit TLS). For put, a URL
ending in / names the directory to upload into. Credentials, first found: the URL, -u,
ANYFTP_USER / ANYFTP_PASSWORD, ~/.netrc (or $NETRC), a prompt on a terminal; else anonymous.
Connection options can also come from variables: ANYFTP_TLS=1, ANYFTP_CACERT, ANYFTP_INSECURE,
ANYFTP_TIMEOUT, ANYFTP_ACTIVE, ANYFTP_LIMIT_RATE, ANYFTP_QUIET (the command line wins).

Options:
  -u, --user USER[:PASS]  log in as USER (asks for the password on a terminal when missing)
  -c, --continue          get/put: resume a partial file (REST for get, APPE for put)
  -r, --recursive         ls: list subdirectories too; rm: remove a directory tree
  -p, --parents           mkdir: create missing parents, no error if it exists
  --delete                mirror: remove what the source does not have
  -n, --dry-run           mirror: only print what would be done
  --active                active mode (the server connects back) instead of passive
  --tls                   explicit TLS (AUTH TLS) on an ftp:// URL
  --cacert FILE           trust this PEM certificate (or CA) for TLS
  --insecure              do not verify the server's TLS certificate
  --timeout SECONDS       limit for connecting and for each reply and data wait (default 30)
  --limit-rate RATE       cap the transfer speed, e.g. 500k, 10m (bytes/s)
  -q, --quiet             no progress bar and no summary line
  -h, --help              show this help

A progress bar is drawn on standard error only when it is a terminal.

${EXIT_CODE_HELP}`;

const SPECS = {
  user: { type: "string", short: "u" },
  continue: { type: "boolean", short: "c" },
  recursive: { type: "boolean", short: "r" },
  parents: { type: "boolean", short: "p" },
  delete: { type: "boolean" },
  "dry-run": { type: "boolean", short: "n" },
  active: { type: "boolean" },
  tls: { type: "boolean" },
  cacert: { type: "string" },
  insecure: { type: "boolean" },
  timeout: { type: "string" },
  "limit-rate": { type: "string" },
  quiet: { type: "boolean", short: "q" },
  help: { type: "boolean", short: "h" },
} as const;

/** Options that may come from ANYFTP_<OPTION> variables: how to connect, never what to do. */
const ENV_SPECS = Object.fromEntries(
  (["user", "active", "tls", "cacert", "insecure", "timeout", "limit-rate", "quiet"] as const).map((k) => [k, SPECS[k]]),
);

/**
 * The client commands.
 *
 * @example
 * ```ts
 * import { CLIENT_COMMANDS } from "./client_commands.ts";
 * console.log(CLIENT_COMMANDS.includes("mirror")); // true
 * ```
 */
export const CLIENT_COMMANDS = ["get", "put", "ls", "cat", "rm", "mkdir", "mv", "mirror"] as const;

/**
 * One of {@linkcode CLIENT_COMMANDS}.
 *
 * @example
 * ```ts
 * import type { ClientCommandName } from "./client_commands.ts";
 * const name: ClientCommandName = "get";
 * ```
 */
export type ClientCommandName = typeof CLIENT_COMMANDS[number];

/** Positional arguments of each command: [min, max, shape for the message]. */
const SHAPES: Record<ClientCommandName, [number, number, string]> = {
  get: [1, 2, "URL [FILE]"],
  put: [2, 2, "FILE URL"],
  ls: [1, 1, "URL"],
  cat: [1, 1, "URL"],
  rm: [1, 1, "URL"],
  mkdir: [1, 1, "URL"],
  mv: [2, 2, "URL NEWPATH"],
  mirror: [2, 2, "URL DIR or DIR URL"],
};

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
  readonly command: ClientCommandName;
  /** The server URL without its path (credentials kept). */
  readonly server: string;
  /** The remote path (decoded), `/` when the URL has none. */
  readonly remotePath: string;
  /** Whether the URL's path ends with `/`. */
  readonly remoteIsDir: boolean;
  /** The local file or directory, `-` for standard input/output, undefined when not given. */
  readonly local?: string;
  /** `mv`: the new path (absolute). */
  readonly newPath?: string;
  /** `mirror`: which way. */
  readonly direction?: "download" | "upload";
  /** Client options from the flags. */
  readonly clientOptions: ClientOptions;
  /** `-u USER[:PASS]`. */
  readonly user?: string;
  /** `--cacert FILE`. */
  readonly cacert?: string;
  /** `ls -r`, `rm -r`. */
  readonly recursive: boolean;
  /** `mkdir -p`. */
  readonly parents: boolean;
  /** `--continue`. */
  readonly resume: boolean;
  /** `mirror --delete`. */
  readonly delete: boolean;
  /** `mirror --dry-run`. */
  readonly dryRun: boolean;
  /** No progress bar, no summary line. */
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

const isUrl = (text: string) => /^ftps?:\/\//i.test(text);

/**
 * Parse the arguments of a client command (after the command word).
 *
 * @param command Which command.
 * @param argv Its arguments.
 * @param options The environment (for `ANYFTP_<OPTION>` variables) and the runtime's name.
 * @returns The parsed command.
 * @throws {UsageError} When arguments are missing or malformed.
 *
 * @example
 * ```ts
 * import { parseClientArgs } from "./client_commands.ts";
 * const c = parseClientArgs("get", ["ftp://127.0.0.1:2121/a.txt", "-", "-cq"]);
 * console.log(c.remotePath, c.local, c.resume, c.quiet); // "/a.txt" "-" true true
 * ```
 */
export function parseClientArgs(
  command: ClientCommandName,
  argv: readonly string[],
  options: { env?: Readonly<Record<string, string | undefined>> | undefined; runtime?: string | undefined } = {},
): ClientCommand {
  const parsed = parseArgs(argv, SPECS);
  const v = applyEnv(parsed, ENV_SPECS, options.env ?? {}, "ANYFTP_");
  const p = parsed.positionals;
  const flags = {
    recursive: v.recursive === true,
    parents: v.parents === true,
    resume: v.continue === true,
    delete: v.delete === true,
    dryRun: v["dry-run"] === true,
    quiet: v.quiet === true,
    help: v.help === true,
  };
  if (flags.help) {
    return { command, server: "", remotePath: "/", remoteIsDir: true, clientOptions: {}, ...flags };
  }
  const [min, max, shape] = SHAPES[command];
  if (p.length < min || p.length > max) {
    throw new UsageError(`${command} takes ${shape}, got ${p.length} argument(s)`);
  }
  const [first = "", second = ""] = p; // the count was checked above
  let urlText = first;
  let local: string | undefined = p[1];
  let direction: "download" | "upload" | undefined;
  if (command === "put") [local, urlText] = [first, second];
  if (command === "mirror") {
    if (isUrl(first) === isUrl(second)) {
      throw new UsageError("mirror takes one ftp:// URL and one local directory (URL DIR downloads, DIR URL uploads)");
    }
    direction = isUrl(first) ? "download" : "upload";
    if (direction === "upload") [local, urlText] = [first, second];
  }
  if (command === "mv") local = undefined;
  const url = splitFtpUrl(urlText);
  let newPath: string | undefined;
  if (command === "mv") {
    let to = second;
    if (isUrl(second)) {
      const other = splitFtpUrl(second);
      if (new URL(other.server).host !== new URL(url.server).host) {
        throw new UsageError("mv renames on one server: give NEWPATH as a path (or a URL of the same server)");
      }
      to = other.path;
    }
    newPath = to.startsWith("/") ? to : posix.join(posix.dirname(url.path), to);
  }
  if (flags.resume && command !== "get" && command !== "put") {
    throw new UsageError("--continue is for get and put");
  }
  const rate = v["limit-rate"] as string | undefined;
  const limit = rate === undefined ? 0 : parseRate(rate, "--limit-rate");
  const timeout = v.timeout === undefined ? undefined : parseSeconds(v.timeout as string, "--timeout");
  const tls = v.tls === true || url.server.startsWith("ftps:");
  if ((v.insecure || v.cacert !== undefined) && !tls) {
    throw new UsageError("--insecure and --cacert are for TLS: add --tls or use an ftps:// URL");
  }
  const clientOptions: ClientOptions = {
    ...(v.active ? { mode: "active" as const } : {}),
    ...(v.tls && url.server.startsWith("ftp:") ? { tlsMode: "explicit" as const } : {}),
    ...(v.insecure ? { tls: { rejectUnauthorized: false } } : {}),
    ...(limit > 0 ? { speedLimits: { download: limit, upload: limit } } : {}),
    ...(timeout !== undefined
      ? { connectTimeout: timeout, socketTimeout: timeout, dataTimeout: timeout }
      : {}),
  };
  return {
    command,
    server: url.server,
    remotePath: url.path,
    remoteIsDir: url.isDir,
    ...(local !== undefined ? { local } : {}),
    ...(newPath !== undefined ? { newPath } : {}),
    ...(direction ? { direction } : {}),
    ...(typeof v.user === "string" ? { user: v.user } : {}),
    ...(typeof v.cacert === "string" ? { cacert: v.cacert } : {}),
    clientOptions,
    ...flags,
  };
}

/**
 * Run a client command.
 *
 * @param command Which command.
 * @param argv Its arguments.
 * @param io The process.
 * @param options The runtime's name (`"deno"`, `"bun"`, `"node"`). @default {}
 * @returns The exit status (see {@linkcode EXIT}).
 *
 * @example
 * ```ts
 * import { runClientCommand } from "./client_commands.ts";
 * import { processIO } from "./_runtime.ts";
 * await runClientCommand("ls", ["ftp://127.0.0.1:2121/"], processIO());
 * ```
 */
export async function runClientCommand(
  command: ClientCommandName,
  argv: readonly string[],
  io: CliIO,
  options: { runtime?: string } = {},
): Promise<number> {
  let c: ClientCommand;
  try {
    c = parseClientArgs(command, argv, { env: io.env, runtime: options.runtime });
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    io.err(`anyftp ${command}: ${e.message}`);
    io.err(`Try 'anyftp ${command} --help'.`);
    return EXIT.usage;
  }
  if (c.help) {
    io.out(CLIENT_USAGE);
    return EXIT.ok;
  }
  const bar = new ProgressBar({
    write: (t) => io.writeErr?.(t),
    enabled: !c.quiet && io.errIsTTY === true && io.writeErr !== undefined,
    columns: io.columns,
  });
  const url = new URL(c.server);
  const host = url.hostname.replace(/^\[(.*)\]$/, "$1");
  let client: Client | undefined;
  // Ctrl-C: drop the connection (the server sees the transfer cut off) and exit 130, also
  // while still connecting or at the password prompt.
  let interrupted = false;
  let stop!: (e: Error) => void;
  const stopped = new Promise<never>((_, reject) => (stop = reject));
  stopped.catch(() => {});
  const off = io.onSignal(() => {
    interrupted = true;
    client?.close();
    stop(new DOMException("Interrupted", "AbortError"));
  });
  const work = async () => {
    const { user, password } = await resolveCredentials({
      host,
      ...(url.username ? { urlUser: decodeURIComponent(url.username) } : {}),
      ...(url.password ? { urlPassword: decodeURIComponent(url.password) } : {}),
      ...(c.user !== undefined ? { userOption: c.user } : {}),
      env: io.env ?? {},
      ...(io.readFile ? { readFile: io.readFile } : {}),
      ...(io.prompt ? { prompt: io.prompt } : {}),
    });
    // (--insecure on Deno needs nothing here: the Deno adapter runs such handshakes on its
    // node:tls, which honours rejectUnauthorized.)
    let clientOptions = c.clientOptions;
    if (c.cacert !== undefined) {
      const pem = await io.readFile?.(c.cacert);
      if (pem === undefined) throw localError({ code: "ENOENT" }, "Cannot read", c.cacert);
      const tlsDetails = typeof clientOptions.tls === "object" ? clientOptions.tls : {};
      clientOptions = { ...clientOptions, tls: { ...tlsDetails, caCerts: [pem] } };
    }
    client = await Client.connect({
      host,
      ...(url.port ? { port: Number(url.port) } : {}),
      ...(user !== undefined ? { user } : {}),
      ...(password !== undefined ? { password } : {}),
      ...(url.protocol === "ftps:" ? { tlsMode: "implicit" as const } : {}),
    }, clientOptions);
    const summary = await run(client, c, io, bar);
    bar.clear();
    await client.quit().catch(() => {});
    return summary;
  };
  try {
    const summary = await Promise.race([work(), stopped]);
    if (interrupted) throw new DOMException("Interrupted", "AbortError");
    if (!c.quiet && summary) io.err(`anyftp: ${escapeControl(summary)}`);
    return EXIT.ok;
  } catch (e) {
    bar.clear();
    client?.close();
    if (isBrokenPipe(e)) return EXIT.ok;
    if (interrupted) {
      io.err(`anyftp ${command}: interrupted`);
      return EXIT.interrupted;
    }
    const failure = describeFailure(e, { remotePath: c.remotePath, host: url.host });
    io.err(`anyftp ${command}: ${escapeControl(failure.message)}`);
    return failure.code;
  } finally {
    off();
  }
}

async function run(
  client: Client,
  c: ClientCommand,
  io: CliIO,
  bar: ProgressBar,
): Promise<string | undefined> {
  const path = c.remotePath;
  switch (c.command) {
    case "ls": {
      let count = 0;
      try {
        for await (const entry of client.list(path, { recursive: c.recursive })) {
          io.out(escapeControl(formatEntry(entry, c.recursive)));
          count++;
        }
      } catch (e) {
        // `ls URL/file.txt`: show the file, as ls(1) does.
        const file = count === 0 && e instanceof StatusCodeError &&
          await client.stat(path).catch(() => undefined);
        if (!file || file.type === "dir") throw e;
        io.out(escapeControl(formatEntry(file, c.recursive)));
        return undefined;
      }
      // Some servers (vsftpd) answer LIST of a missing directory with an empty 226.
      if (count === 0 && path !== "/" && !(await client.exists(path))) {
        throw new RemoteNotFoundError(`No such remote directory: ${path}`);
      }
      return undefined;
    }
    case "cat":
      return await toStdout(client, path, io, bar);
    case "get":
      if (c.local === "-") return await toStdout(client, path, io, bar);
      return await getToLocal(client, c, io, bar);
    case "put":
      return await put(client, c, io, bar);
    case "rm": {
      const entry = await client.stat(path);
      if (entry.type === "dir") {
        if (!c.recursive) throw new FtpError(`${path} is a directory: use rm -r to remove it and its contents`);
        await client.remove(path);
      } else {
        await client.removeFile(path);
      }
      return undefined;
    }
    case "mkdir":
      await client.mkdir(path, { parents: c.parents });
      return undefined;
    case "mv":
      await client.rename(path, c.newPath!);
      return undefined;
    case "mirror": {
      const started = performance.now();
      const { plan, bytes } = await runMirror(client, {
        direction: c.direction!,
        remote: path,
        local: c.local!,
        delete: c.delete,
        dryRun: c.dryRun,
      }, { line: (t) => io.out(escapeControl(t)), bar });
      const what = c.dryRun ? "would copy" : "copied";
      return `mirror: ${what} ${plan.copy.length} file(s), ${plan.unchanged} unchanged, ` +
        `${plan.remove.length} ${c.dryRun ? "to delete" : "deleted"}; ` +
        formatSummary(bytes, performance.now() - started);
    }
  }
}

async function toStdout(client: Client, path: string, io: CliIO, bar: ProgressBar): Promise<string> {
  const started = performance.now();
  let bytes = 0;
  const stream = await client.downloadStream(path, {
    onProgress: (p) => {
      bytes = p.bytes;
      bar.update(path, p.bytes, p.total, p.rate);
    },
  });
  await stream.pipeTo(io.stdout());
  return `downloaded ${path}: ${formatSummary(bytes, performance.now() - started)}`;
}

/** Bytes per path of a tree copy, for the summary and the overall progress. */
function byteCounter(bar: ProgressBar) {
  const perFile = new Map<string, number>();
  let current: string | undefined;
  return {
    onProgress: (p: { path: string; bytes: number; total?: number; rate?: number }) => {
      if (current !== undefined && current !== p.path) bar.fileDone(perFile.get(current) ?? 0);
      current = p.path;
      perFile.set(p.path, p.bytes);
      bar.update(p.path, p.bytes, p.total, p.rate);
    },
    get bytes() {
      let n = 0;
      for (const b of perFile.values()) n += b;
      return n;
    },
  };
}

async function getToLocal(client: Client, c: ClientCommand, io: CliIO, bar: ProgressBar): Promise<string> {
  const started = performance.now();
  const local = c.local ?? io.cwd();
  const existing = await localStat(local);
  const into = existing?.type === "dir";
  // `get ftp://host/ DIR` (the root has no name): its contents go into DIR.
  const name = posix.basename(c.remotePath.replace(/\/+$/, ""));
  const target = into && name !== "" ? posix.join(local, name) : local;
  if (!into) {
    // Never invent local directories: the parent of FILE must exist (like curl -o).
    const parent = posix.dirname(local);
    const p = await localStat(parent);
    if (!p || p.type !== "dir") {
      throw localError({ code: p ? "ENOTDIR" : "ENOENT" }, "No such local directory:", parent);
    }
  }
  if (bar.enabled) {
    // On a terminal, list a tree first so that the bar can show the overall progress.
    const entry = await client.stat(c.remotePath);
    if (entry.type === "dir") {
      let files = 0;
      let bytes = 0;
      for await (const e of client.list(c.remotePath, { recursive: true })) {
        if (e.type === "file") {
          files++;
          bytes += e.size ?? 0;
        }
      }
      bar.setTotals(files, bytes);
    }
  }
  const counter = byteCounter(bar);
  try {
    await client.download(c.remotePath, target, {
      writeInto: true,
      resume: c.resume,
      onProgress: counter.onProgress,
    });
  } catch (e) {
    if (e instanceof PathIOError) throw localError(e, "Cannot write", target);
    throw e;
  }
  return `downloaded ${c.remotePath} to ${target}: ${formatSummary(counter.bytes, performance.now() - started)}`;
}

async function put(client: Client, c: ClientCommand, io: CliIO, bar: ProgressBar): Promise<string> {
  const started = performance.now();
  const local = c.local!;
  if (local === "-") {
    if (c.remoteIsDir) {
      throw new UsageError("uploading standard input needs a file name: end the URL with one");
    }
    let bytes = 0;
    const sink = await client.uploadStream(c.remotePath, {
      onProgress: (p) => {
        bytes = p.bytes;
        bar.update(c.remotePath, p.bytes, undefined, p.rate);
      },
    });
    await io.stdin().pipeTo(sink);
    return `uploaded standard input to ${c.remotePath}: ${formatSummary(bytes, performance.now() - started)}`;
  }
  const st = await localStat(local);
  if (!st) throw localError({ code: "ENOENT" }, "Cannot read", local);
  const target = c.remoteIsDir ? posix.join(c.remotePath, posix.basename(local)) : c.remotePath;
  if (c.resume) {
    if (st.type !== "file") throw new UsageError("put --continue resumes one file; for a tree use mirror");
    const done = await client.size(target).catch((e) => {
      if (e instanceof StatusCodeError && e.received.startsWith("5")) return 0;
      throw e;
    });
    if (done > st.size) {
      throw new FtpError(`The remote ${target} (${done} bytes) is larger than ${local} (${st.size} bytes): not resumed`);
    }
    let bytes = 0;
    if (done < st.size) {
      const sink = await client.appendStream(target, {
        total: st.size - done,
        onProgress: (p) => {
          bytes = p.bytes;
          bar.update(target, done + p.bytes, st.size, p.rate);
        },
      });
      await readLocalFrom(local, done).pipeTo(sink);
    }
    return `uploaded ${local} to ${target} (resumed at ${done}): ${formatSummary(bytes, performance.now() - started)}`;
  }
  if (bar.enabled && st.type === "dir") {
    const tree = await walkLocal(local);
    const files = [...tree.values()].filter((e) => e.type === "file");
    bar.setTotals(files.length, files.reduce((n, e) => n + e.size, 0));
  }
  const counter = byteCounter(bar);
  try {
    await client.upload(local, c.remotePath, { writeInto: !c.remoteIsDir, onProgress: counter.onProgress });
  } catch (e) {
    if (e instanceof PathIOError) throw localError(e, "Cannot read", local);
    throw e;
  }
  return `uploaded ${local} to ${target}: ${formatSummary(counter.bytes, performance.now() - started)}`;
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
