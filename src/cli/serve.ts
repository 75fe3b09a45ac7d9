/**
 * `anyftp serve`: serve a directory (or memory) over FTP until Ctrl-C.
 *
 * @module
 */

import { networkInterfaces } from "node:os";
import { ConnectError } from "../errors.ts";
import { LocalPathIO } from "../fs/local_path_io.ts";
import { MemoryPathIO } from "../fs/memory_path_io.ts";
import type { PathIO } from "../fs/path_io.ts";
import { Server, type ServerOptions } from "../server/server.ts";
import type { UserOptions } from "../server/user.ts";
import {
  applyEnv,
  parseArgs,
  parsePort,
  parsePortRange,
  parsePositiveInt,
  parseRate,
  parseSize,
  UsageError,
} from "./args.ts";
import { DotfileHidingPathIO } from "./dotfile_hiding_path_io.ts";
import type { CliIO } from "./io.ts";
import { addr, escapeControl, ServerLog } from "./log_format.ts";
import { runtimeName } from "./_runtime.ts";
import { parseUsersFile } from "./users_file.ts";

/** Default `--quota` of `--memory` storage: uploads beyond it get 552. */
const DEFAULT_MEMORY_QUOTA = 256 * 1024 ** 2;
/** Default `--max-per-ip`, well below the default `--max-connections` (512). */
const DEFAULT_MAX_PER_IP = 16;

/**
 * Usage text of `anyftp serve`.
 *
 * @example
 * ```ts
 * import { SERVE_USAGE } from "./serve.ts";
 * console.log(SERVE_USAGE);
 * ```
 */
export const SERVE_USAGE = `Usage: anyftp serve [DIR] [options]

Serve DIR (default: the current directory) over FTP. Anonymous and read-only unless told
otherwise. Stop with Ctrl-C: running transfers get a few seconds to finish.

Dot-files and dot-directories (.env, .git) of DIR are hidden and untouchable unless
--dotfiles is given.

Options:
  --memory                 serve an empty in-memory file system instead of DIR
  --s3 BUCKET[/PREFIX]     serve an S3 bucket (or a key prefix in it) instead of DIR;
                           credentials and region from AWS_ACCESS_KEY_ID,
                           AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN, AWS_REGION
  --s3-endpoint URL        S3-compatible server to use (default AWS_ENDPOINT_URL_S3,
                           AWS_ENDPOINT_URL, else AWS S3), path-style addressing
  --quota SIZE             --memory: most bytes all files may hold (default 256M; "none")
  --host ADDR              address to listen on (default 127.0.0.1; 0.0.0.0 or :: for all)
  -p, --port PORT          port to listen on (default 2121; 0 picks a free one and prints it)
  -w, --write              allow uploads, deletes, renames and new directories
  --users-file FILE        accounts from a JSON file with hashed passwords (see anyftp passwd)
  -u, --user NAME:PASS     add an account (repeatable; visible in ps: prefer --users-file);
                           anonymous login is then off
  --anonymous              keep anonymous login on alongside named accounts
  --dotfiles               show and serve dot-files of DIR
  --tls-cert FILE          PEM certificate for explicit FTPS (AUTH TLS); needs --tls-key
  --tls-key FILE           PEM private key of --tls-cert
  --tls-required           refuse logins before AUTH TLS (530) and transfers without PROT P
                           (521); anonymous users are exempt
  --tls-no-session-reuse   let PROT P data connections through that do not resume the
                           control connection's TLS session (needed by Python's ftplib;
                           lets another client from the same address take a transfer)
  --implicit-tls-port N    also listen on N with TLS from the first byte (implicit FTPS,
                           port 990 by convention); needs --tls-cert
  --upload-policy POLICY   rename (default: write a hidden temporary file, rename it over the
                           target when complete) or in-place (write the target directly;
                           the default with --s3, where uploads appear only when complete)
  --passive-ports A-B      passive data ports to use, e.g. 50000-50100
  --passive-address ADDR   IPv4 address to announce in PASV replies (NAT, containers)
  --max-connections N      most simultaneous clients (default 512)
  --max-per-ip N           most simultaneous clients from one IP address (default 16)
  --download-limit RATE    server-wide cap on data sent, e.g. 10m, 500k (bytes/s)
  --upload-limit RATE      server-wide cap on data received
  --log-format FORMAT      text (default) or json: one JSON object per event and line
  -q, --quiet              log only errors, failed transfers and refused requests
  -v, --verbose            also log every command (passwords censored) and reply
  -h, --help               show this help

Errors, failed transfers and refused requests (permission denied...) go to standard error,
everything else to standard output. Control characters in client-chosen names are escaped.
Every option can also come from an environment variable ANYFTP_SERVE_<OPTION>, e.g.
ANYFTP_SERVE_PORT=2121, ANYFTP_SERVE_WRITE=1, ANYFTP_SERVE_USERS_FILE=/etc/anyftp.json;
the command line wins.

Exit status: 0 after a clean shutdown; 1 when it cannot start (port in use, unreadable users
file or certificate) or a second Ctrl-C forced it; 2 on a bad command line.`;

/**
 * Settings of `anyftp serve`, as parsed from its command line.
 *
 * @example
 * ```ts
 * import { parseServeArgs, type ServeConfig } from "./serve.ts";
 * const config: ServeConfig = parseServeArgs(["--memory", "--port", "0"], "/");
 * console.log(config.memory, config.port); // true 0
 * ```
 */
export interface ServeConfig {
  /** Directory to serve (as given; relative to the working directory). */
  readonly root: string;
  /** Serve a MemoryPathIO instead of `root`. */
  readonly memory: boolean;
  /** Serve an S3 bucket (`--s3 BUCKET[/PREFIX]`, `--s3-endpoint URL`) instead of `root`. */
  readonly s3?: { readonly bucket: string; readonly prefix: string; readonly endpoint?: string | undefined } | undefined;
  /** Address to bind. */
  readonly hostname: string;
  /** Port to bind (0 = any free port). */
  readonly port: number;
  /** Whether users may write. */
  readonly write: boolean;
  /** Named accounts. */
  readonly users: readonly { readonly login: string; readonly password: string }[];
  /** Whether anonymous login is allowed. */
  readonly anonymous: boolean;
  /** Passive port range. */
  readonly passivePorts?: { readonly min: number; readonly max: number } | undefined;
  /** Address for PASV replies. */
  readonly passiveAddress?: string | undefined;
  /** Most simultaneous sessions. */
  readonly maxConnections?: number | undefined;
  /** Server-wide download cap in bytes/s (0 = none). */
  readonly downloadLimit: number;
  /** Server-wide upload cap in bytes/s (0 = none). */
  readonly uploadLimit: number;
  /** `--users-file`. */
  readonly usersFile?: string | undefined;
  /** Byte quota of `--memory` storage (`Infinity`: none). */
  readonly quota: number;
  /** Most sessions per IP address. */
  readonly maxPerIp: number;
  /** `--tls-cert` and `--tls-key` files. */
  readonly tlsFiles?: { readonly cert: string; readonly key: string } | undefined;
  /** `--tls-required`: TLS before login and on data connections. */
  readonly tlsRequired: boolean;
  /** `--tls-no-session-reuse`: data connections need not resume the control session. */
  readonly tlsNoSessionReuse: boolean;
  /** `--implicit-tls-port`: a second, implicit-TLS listener. */
  readonly implicitTlsPort?: number | undefined;
  /** `--upload-policy`. */
  readonly uploadPolicy: "rename" | "in-place";
  /** Serve dot-files of DIR. */
  readonly dotfiles: boolean;
  /** Log format. */
  readonly logFormat: "text" | "json";
  /** Only failures in the log. */
  readonly quiet: boolean;
  /** Log commands and replies too. */
  readonly verbose: boolean;
  /** Only print the usage. */
  readonly help: boolean;
}

const SPECS = {
  memory: { type: "boolean" },
  s3: { type: "string" },
  "s3-endpoint": { type: "string" },
  host: { type: "string" },
  port: { type: "string", short: "p" },
  write: { type: "boolean", short: "w" },
  user: { type: "string", short: "u", multiple: true },
  anonymous: { type: "boolean" },
  "passive-ports": { type: "string" },
  "passive-address": { type: "string" },
  "max-connections": { type: "string" },
  "download-limit": { type: "string" },
  "upload-limit": { type: "string" },
  "users-file": { type: "string" },
  quota: { type: "string" },
  "max-per-ip": { type: "string" },
  "tls-cert": { type: "string" },
  "tls-key": { type: "string" },
  "tls-required": { type: "boolean" },
  "tls-no-session-reuse": { type: "boolean" },
  "implicit-tls-port": { type: "string" },
  "upload-policy": { type: "string" },
  dotfiles: { type: "boolean" },
  "log-format": { type: "string" },
  quiet: { type: "boolean", short: "q" },
  verbose: { type: "boolean", short: "v" },
  help: { type: "boolean", short: "h" },
} as const;

/**
 * Parse the arguments of `anyftp serve` (after the word `serve`).
 *
 * @param argv The arguments.
 * @param cwd The working directory, the default DIR.
 * @param env Environment variables: `ANYFTP_SERVE_<OPTION>` fills options not on the command line. @default {}
 * @returns The settings.
 * @throws {UsageError} When an option is unknown or malformed.
 *
 * @example
 * ```ts
 * import { parseServeArgs } from "./serve.ts";
 * const config = parseServeArgs(["/srv/ftp", "--port", "0", "--write", "--user", "bob:pw"], "/home/me");
 * console.log(config.root, config.port, config.users); // "/srv/ftp" 0 [{ login: "bob", password: "pw" }]
 * ```
 */
export function parseServeArgs(
  argv: readonly string[],
  cwd: string,
  env: Readonly<Record<string, string | undefined>> = {},
): ServeConfig {
  const parsed = parseArgs(argv, SPECS);
  const v = applyEnv(parsed, SPECS, env, "ANYFTP_SERVE_");
  const positionals = parsed.positionals;
  if (positionals.length > 1) {
    throw new UsageError(`serve takes one directory, got ${positionals.length}: ${positionals.join(" ")}`);
  }
  if (v.memory && positionals.length === 1) {
    throw new UsageError("give either DIR or --memory, not both");
  }
  const str = (name: string) => v[name] as string | undefined;
  const s3 = str("s3");
  if (s3 !== undefined && (v.memory || positionals.length === 1)) {
    throw new UsageError("give one of DIR, --memory or --s3");
  }
  if (s3 !== undefined && !/^[^/]+/.test(s3)) throw new UsageError(`--s3 must look like BUCKET[/PREFIX], got "${s3}"`);
  if (s3 === undefined && str("s3-endpoint") !== undefined) throw new UsageError("--s3-endpoint needs --s3");
  const users = ((v.user ?? []) as readonly string[]).map((spec) => {
    const colon = spec.indexOf(":");
    const login = colon < 0 ? spec : spec.slice(0, colon);
    if (colon < 0 || login === "") {
      throw new UsageError(`--user must look like NAME:PASSWORD, got "${spec}"`);
    }
    if (/^(anonymous|ftp)$/i.test(login)) {
      throw new UsageError(`"${login}" is the anonymous login: use --anonymous instead`);
    }
    return { login, password: spec.slice(colon + 1) };
  });
  const passivePorts = str("passive-ports");
  const passiveAddress = str("passive-address");
  if (passiveAddress !== undefined && !/^\d{1,3}(\.\d{1,3}){3}$/.test(passiveAddress)) {
    throw new UsageError(`--passive-address must be an IPv4 address, got "${passiveAddress}"`);
  }
  const maxConnections = str("max-connections");
  const download = str("download-limit");
  const upload = str("upload-limit");
  const quota = str("quota");
  if (quota !== undefined && !v.memory) {
    throw new UsageError("--quota is for --memory storage (a directory's space is the disk's)");
  }
  const maxPerIp = str("max-per-ip");
  const cert = str("tls-cert");
  const key = str("tls-key");
  if ((cert === undefined) !== (key === undefined)) {
    throw new UsageError("--tls-cert and --tls-key go together (a PEM certificate and its private key)");
  }
  const implicitPort = str("implicit-tls-port");
  if ((v["tls-required"] || v["tls-no-session-reuse"] || implicitPort !== undefined) && cert === undefined) {
    throw new UsageError(
      "--tls-required, --tls-no-session-reuse and --implicit-tls-port need --tls-cert and --tls-key",
    );
  }
  // On S3 an upload is invisible until complete anyway; a temporary name would cost a
  // server-side copy of the whole object at the end (rename = copy + delete).
  const uploadPolicy = str("upload-policy") ?? (s3 !== undefined ? "in-place" : "rename");
  if (uploadPolicy !== "rename" && uploadPolicy !== "in-place") {
    throw new UsageError(`--upload-policy must be rename or in-place, got "${uploadPolicy}"`);
  }
  const logFormat = str("log-format") ?? "text";
  if (logFormat !== "text" && logFormat !== "json") {
    throw new UsageError(`--log-format must be text or json, got "${logFormat}"`);
  }
  const usersFile = str("users-file");
  return {
    root: positionals[0] ?? cwd,
    memory: v.memory === true,
    ...(s3 !== undefined
      ? {
        s3: {
          bucket: s3.split("/")[0]!,
          prefix: s3.split("/").slice(1).join("/"),
          ...(str("s3-endpoint") !== undefined ? { endpoint: str("s3-endpoint") } : {}),
        },
      }
      : {}),
    hostname: str("host") ?? "127.0.0.1",
    port: parsePort(str("port") ?? "2121", "--port"),
    write: v.write === true,
    users,
    anonymous: (users.length === 0 && usersFile === undefined) || v.anonymous === true,
    ...(usersFile !== undefined ? { usersFile } : {}),
    quota: quota === undefined ? DEFAULT_MEMORY_QUOTA : parseSize(quota, "--quota"),
    maxPerIp: maxPerIp === undefined ? DEFAULT_MAX_PER_IP : parsePositiveInt(maxPerIp, "--max-per-ip"),
    ...(cert !== undefined && key !== undefined ? { tlsFiles: { cert, key } } : {}),
    tlsRequired: v["tls-required"] === true,
    tlsNoSessionReuse: v["tls-no-session-reuse"] === true,
    ...(implicitPort !== undefined ? { implicitTlsPort: parsePort(implicitPort, "--implicit-tls-port") } : {}),
    uploadPolicy,
    dotfiles: v.dotfiles === true,
    logFormat,
    ...(passivePorts !== undefined
      ? { passivePorts: parsePortRange(passivePorts, "--passive-ports") }
      : {}),
    ...(passiveAddress !== undefined ? { passiveAddress } : {}),
    ...(maxConnections !== undefined
      ? { maxConnections: parsePositiveInt(maxConnections, "--max-connections") }
      : {}),
    downloadLimit: download === undefined ? 0 : parseRate(download, "--download-limit"),
    uploadLimit: upload === undefined ? 0 : parseRate(upload, "--upload-limit"),
    quiet: v.quiet === true,
    verbose: v.verbose === true,
    help: v.help === true,
  };
}

/**
 * The {@linkcode ServerOptions} for a configuration (without storage and event hook).
 *
 * @param config Parsed settings.
 * @param fileUsers Accounts from the users file. @default []
 * @returns Users, limits and passive-port settings.
 *
 * @example
 * ```ts
 * import { parseServeArgs, serverOptionsFor } from "./serve.ts";
 * const options = serverOptionsFor(parseServeArgs(["--write"], "/srv"));
 * console.log(options.users); // [{ anonymous: true, permissions: [{ path: "/", readable: true, writable: true }] }]
 * ```
 */
export function serverOptionsFor(
  config: ServeConfig,
  fileUsers: readonly UserOptions[] = [],
): ServerOptions {
  const permissions = [{ path: "/", readable: true, writable: config.write }];
  const users: UserOptions[] = [
    ...fileUsers,
    ...config.users.map((u) => ({ login: u.login, password: u.password, permissions })),
  ];
  if (config.anonymous && !fileUsers.some((u) => u.anonymous)) users.push({ anonymous: true, permissions });
  return {
    users,
    maxConnectionsPerIp: config.maxPerIp,
    uploadPolicy: config.uploadPolicy,
    ...(config.tlsRequired || config.tlsNoSessionReuse
      ? {
        requireTls: {
          ...(config.tlsRequired ? { login: true, data: true } : {}),
          ...(config.tlsNoSessionReuse ? { sessionReuse: false } : {}),
        },
      }
      : {}),
    ...(config.passivePorts ? { passivePorts: config.passivePorts } : {}),
    ...(config.passiveAddress ? { passiveAddress: config.passiveAddress } : {}),
    ...(config.maxConnections ? { maxConnections: config.maxConnections } : {}),
    ...(config.downloadLimit || config.uploadLimit
      ? { speedLimits: { download: config.downloadLimit, upload: config.uploadLimit } }
      : {}),
    shutdownTimeout: 5000,
  };
}

/**
 * Run `anyftp serve`: listen, log, and shut down gracefully on SIGINT/SIGTERM (a second
 * signal stops at once).
 *
 * @param argv The arguments after `serve`.
 * @param io The process.
 * @returns The exit status: 0 after a clean shutdown, 1 on failure, 2 on bad usage.
 *
 * @example
 * ```ts
 * import { runServe } from "./serve.ts";
 * import { processIO } from "./_runtime.ts";
 * const status = await runServe(["--memory", "--port", "0"], processIO()); // until Ctrl-C
 * ```
 */
export async function runServe(argv: readonly string[], io: CliIO): Promise<number> {
  let config: ServeConfig;
  try {
    config = parseServeArgs(argv, io.cwd(), io.env);
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    io.err(`anyftp serve: ${e.message}`);
    io.err("Try 'anyftp serve --help'.");
    return 2;
  }
  if (config.help) {
    io.out(SERVE_USAGE);
    return 0;
  }
  const json = config.logFormat === "json";
  const say = (message: string, fields: Record<string, unknown> = {}) =>
    io.out(json ? JSON.stringify({ type: "anyftp", time: Date.now(), message, ...fields }) : `anyftp: ${message}`);
  const fail = (message: string) => {
    io.err(json ? JSON.stringify({ type: "anyftp-error", time: Date.now(), message }) : `anyftp serve: ${message}`);
    return 1;
  };
  const read = async (file: string, what: string) => {
    const text = await io.readFile?.(file);
    if (text === undefined) throw new UsageError(`cannot read ${what} ${file}`);
    return text;
  };
  let fileUsers: UserOptions[] = [];
  let tls: { cert: string; key: string } | undefined;
  try {
    if (config.usersFile !== undefined) {
      fileUsers = parseUsersFile(await read(config.usersFile, "the users file"), {
        file: config.usersFile,
        write: config.write,
      });
    }
    if (config.tlsFiles) {
      tls = {
        cert: await read(config.tlsFiles.cert, "the TLS certificate"),
        key: await read(config.tlsFiles.key, "the TLS key"),
      };
    }
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    return fail(e.message);
  }
  let storage: PathIO;
  let what: string;
  if (config.s3) {
    try {
      // Loaded only here: users who never serve S3 never load it.
      const { S3PathIO, s3OptionsFromEnv } = await import("../fs/s3/mod.ts");
      const { nodeHttpFetch } = await import("../net/node.ts");
      const { bucket, prefix, endpoint } = config.s3;
      storage = new S3PathIO({
        ...s3OptionsFromEnv(io.env ?? {}),
        ...(endpoint ? { endpoint } : {}),
        bucket,
        prefix,
        // On Node, object reads through node:http: undici's body reader costs twice the CPU.
        ...(runtimeName() === "node" ? { fetch: nodeHttpFetch } : {}),
      });
      for await (const _ of storage.list("/")) break; // wrong bucket, endpoint or keys: say so now
    } catch (e) {
      const cause = e instanceof Error && e.cause instanceof Error ? ` (${e.cause.message})` : "";
      const kind = (e as { kind?: string }).kind;
      const hint = e instanceof TypeError ? "" : kind === "permission"
        ? "; check AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY"
        : kind === "not-found"
        ? "; check the bucket name"
        : "; check --s3-endpoint and that the S3 server is up";
      io.err(`anyftp serve: cannot use S3 bucket ${config.s3.bucket}: ${e instanceof Error ? e.message : e}${cause}${hint}`);
      return 1;
    }
    what = `s3://${config.s3.bucket}/${config.s3.prefix}`;
  } else if (config.memory) {
    storage = new MemoryPathIO(Number.isFinite(config.quota) ? { maxBytes: config.quota } : {});
    what = "memory";
  } else {
    if (!(await io.isDirectory(config.root))) {
      return fail(`${config.root} is not a directory (give an existing DIR or --memory)`);
    }
    const local = new LocalPathIO({ root: config.root });
    storage = config.dotfiles ? local : new DotfileHidingPathIO(local);
    what = local.root;
  }
  const log = new ServerLog({
    format: config.logFormat,
    verbose: config.verbose,
    quiet: config.quiet,
    out: io.out,
    err: io.err,
  });
  const server = new Server({
    ...serverOptionsFor(config, fileUsers),
    storage,
    ...(tls ? { tls } : {}),
    onEvent: (event) => log.event(event),
  });
  let signalled!: (signal: string) => void;
  const firstSignal = new Promise<string>((resolve) => (signalled = resolve));
  let forced!: () => void;
  const secondSignal = new Promise<void>((resolve) => (forced = resolve));
  let signals = 0;
  const off = io.onSignal((signal) => {
    signals++;
    if (signals === 1) signalled(signal);
    else forced();
  });
  try {
    let bound;
    try {
      bound = await server.listen({ hostname: config.hostname, port: config.port });
    } catch (e) {
      return fail(listenFailure(e, config.hostname, config.port));
    }
    const urls = listenUrls(bound);
    if (config.implicitTlsPort !== undefined) {
      try {
        const implicit = await server.listen({ hostname: config.hostname, port: config.implicitTlsPort, tlsMode: "implicit" });
        urls.push(...listenUrls(implicit).map((u) => u.replace(/^ftp:/, "ftps:")));
      } catch (e) {
        await server.close({ timeout: 0 });
        return fail(listenFailure(e, config.hostname, config.implicitTlsPort));
      }
    }
    const notes = [
      config.write ? "read-write" : "read-only",
      ...(config.memory && Number.isFinite(config.quota) ? [`quota ${config.quota} bytes`] : []),
      ...(!config.memory ? [config.dotfiles ? "dot-files shown" : "dot-files hidden"] : []),
      ...(tls ? [config.tlsRequired ? "TLS required (anonymous exempt)" : "explicit FTPS (AUTH TLS) available"] : []),
    ];
    const accounts = [
      ...fileUsers.filter((u) => !u.anonymous).map((u) => u.login!),
      ...config.users.map((u) => u.login),
      ...(config.anonymous || fileUsers.some((u) => u.anonymous) ? ["anonymous"] : []),
    ];
    say(
      escapeControl(`serving ${what} (${notes.join(", ")}) at ${urls.join(" and ")} for ${accounts.join(", ")}`),
      { root: what, urls, accounts, notes },
    );
    if (!json) say("press Ctrl-C to stop");
    const signal = await firstSignal;
    say(`${signal}: shutting down (Ctrl-C again to force)`);
    const done = await Promise.race([
      server.close().then(() => "closed" as const),
      secondSignal.then(() => "forced" as const),
    ]);
    if (done === "forced") {
      io.err(json ? JSON.stringify({ type: "anyftp-error", time: Date.now(), message: "forced exit" }) : "anyftp: forced exit, transfers cut off");
      return 1;
    }
    say("stopped");
    return 0;
  } finally {
    off();
  }
}

/** Why listening failed, with a hint that fits (the adapters of Deno and Bun may not name the code). */
function listenFailure(e: unknown, hostname: string, port: number): string {
  const where = addr({ hostname, port, family: hostname.includes(":") ? "IPv6" : "IPv4" });
  const code = e instanceof ConnectError ? e.code : (e as { code?: string })?.code ?? "";
  const cause = e instanceof Error && e.cause instanceof Error ? e.cause.message : e instanceof Error ? e.message : String(e);
  if (code === "EADDRINUSE" || /in use/i.test(cause)) {
    return `Port ${port} on ${hostname} is in use (EADDRINUSE): choose another --port (0 picks a free one) or stop the process using it`;
  }
  if (code === "EACCES" || /permission|denied/i.test(cause)) {
    return `Not allowed to listen on ${where} (EACCES): ports below 1024 need privileges; use --port 2121`;
  }
  if (code === "EADDRNOTAVAIL" || /not available|assign requested address/i.test(cause)) {
    return `No local address ${hostname} (EADDRNOTAVAIL): give --host one of this machine's addresses, or 0.0.0.0`;
  }
  return `Cannot listen on ${where} (${code || "error"}: ${cause}): is the port in use by another process?`;
}

/**
 * The URLs a bound address answers on: the address itself, or for a wildcard address
 * (`0.0.0.0`, `::`) every local interface address of that family (IPv4 ones too for `::`,
 * which usually accepts both).
 *
 * @param bound The listener's address.
 * @returns `ftp://host:port/` URLs, the bound address first.
 *
 * @example
 * ```ts
 * import { listenUrls } from "./serve.ts";
 * listenUrls({ hostname: "127.0.0.1", port: 2121, family: "IPv4" }); // ["ftp://127.0.0.1:2121/"]
 * ```
 */
export function listenUrls(bound: { hostname: string; port: number; family: "IPv4" | "IPv6" }): string[] {
  const urls = [`ftp://${addr(bound)}/`];
  if (bound.hostname !== "0.0.0.0" && bound.hostname !== "::") return urls;
  for (const list of Object.values(networkInterfaces())) {
    for (const a of list ?? []) {
      if (bound.hostname === "0.0.0.0" && a.family !== "IPv4") continue;
      if (a.family === "IPv6" && a.address.startsWith("fe80")) continue;
      urls.push(`ftp://${addr({ hostname: a.address, port: bound.port, family: a.family as "IPv4" | "IPv6" })}/`);
    }
  }
  return urls;
}
