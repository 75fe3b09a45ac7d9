/**
 * `anyftp serve`: serve a directory (or memory) over FTP until Ctrl-C.
 *
 * @module
 */

import { LocalPathIO } from "../fs/local_path_io.ts";
import { MemoryPathIO } from "../fs/memory_path_io.ts";
import type { PathIO } from "../fs/path_io.ts";
import { Server, type ServerOptions } from "../server/server.ts";
import type { UserOptions } from "../server/user.ts";
import {
  parseArgs,
  parsePort,
  parsePortRange,
  parsePositiveInt,
  parseRate,
  UsageError,
} from "./args.ts";
import type { CliIO } from "./io.ts";
import { addr, formatServerEvent } from "./log_format.ts";

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

Options:
  --memory                 serve an empty in-memory file system instead of DIR
  --s3 BUCKET[/PREFIX]     serve an S3 bucket (or a key prefix in it) instead of DIR;
                           credentials and region from AWS_ACCESS_KEY_ID,
                           AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN, AWS_REGION
  --s3-endpoint URL        S3-compatible server to use (default AWS_ENDPOINT_URL_S3,
                           AWS_ENDPOINT_URL, else AWS S3), path-style addressing
  --host ADDR              address to listen on (default 127.0.0.1; 0.0.0.0 or :: for all)
  -p, --port PORT          port to listen on (default 2121; 0 picks a free one and prints it)
  -w, --write              allow uploads, deletes, renames and new directories
  -u, --user NAME:PASS     add an account (repeatable); anonymous login is then off
  --anonymous              keep anonymous login on alongside --user accounts
  --passive-ports A-B      passive data ports to use, e.g. 50000-50100
  --passive-address ADDR   IPv4 address to announce in PASV replies (NAT, containers)
  --max-connections N      most simultaneous clients (default 512)
  --download-limit RATE    server-wide cap on data sent, e.g. 10m, 500k (bytes/s)
  --upload-limit RATE      server-wide cap on data received
  -q, --quiet              no per-session log lines
  -v, --verbose            also log every command and reply
  -h, --help               show this help`;

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
  readonly s3?: { readonly bucket: string; readonly prefix: string; readonly endpoint?: string };
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
  readonly passivePorts?: { readonly min: number; readonly max: number };
  /** Address for PASV replies. */
  readonly passiveAddress?: string;
  /** Most simultaneous sessions. */
  readonly maxConnections?: number;
  /** Server-wide download cap in bytes/s (0 = none). */
  readonly downloadLimit: number;
  /** Server-wide upload cap in bytes/s (0 = none). */
  readonly uploadLimit: number;
  /** No session log. */
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
  quiet: { type: "boolean", short: "q" },
  verbose: { type: "boolean", short: "v" },
  help: { type: "boolean", short: "h" },
} as const;

/**
 * Parse the arguments of `anyftp serve` (after the word `serve`).
 *
 * @param argv The arguments.
 * @param cwd The working directory, the default DIR.
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
export function parseServeArgs(argv: readonly string[], cwd: string): ServeConfig {
  const { values: v, positionals } = parseArgs(argv, SPECS);
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
    anonymous: users.length === 0 || v.anonymous === true,
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
 * @returns Users, limits and passive-port settings.
 *
 * @example
 * ```ts
 * import { parseServeArgs, serverOptionsFor } from "./serve.ts";
 * const options = serverOptionsFor(parseServeArgs(["--write"], "/srv"));
 * console.log(options.users); // [{ anonymous: true, permissions: [{ path: "/", readable: true, writable: true }] }]
 * ```
 */
export function serverOptionsFor(config: ServeConfig): ServerOptions {
  const permissions = [{ path: "/", readable: true, writable: config.write }];
  const users: UserOptions[] = config.users.map((u) => ({
    login: u.login,
    password: u.password,
    permissions,
  }));
  if (config.anonymous) users.push({ anonymous: true, permissions });
  return {
    users,
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
    config = parseServeArgs(argv, io.cwd());
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
  let storage: PathIO;
  let what: string;
  if (config.s3) {
    try {
      // Loaded only here: users who never serve S3 never load it.
      const { S3PathIO, s3OptionsFromEnv } = await import("../fs/s3/mod.ts");
      const { bucket, prefix, endpoint } = config.s3;
      storage = new S3PathIO({ ...s3OptionsFromEnv(io.env?.() ?? {}), ...(endpoint ? { endpoint } : {}), bucket, prefix });
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
    storage = new MemoryPathIO();
    what = "memory";
  } else {
    if (!(await io.isDirectory(config.root))) {
      io.err(`anyftp serve: ${config.root} is not a directory (give an existing DIR or --memory)`);
      return 1;
    }
    const local = new LocalPathIO({ root: config.root });
    storage = local;
    what = local.root;
  }
  const server = new Server({
    ...serverOptionsFor(config),
    storage,
    onEvent: (event) => {
      if (config.quiet && event.type !== "error") return;
      const line = formatServerEvent(event, { verbose: config.verbose });
      if (line !== undefined) io.out(line);
    },
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
      io.err(`anyftp serve: ${e instanceof Error ? e.message : String(e)}`);
      return 1;
    }
    const access = config.write ? "read-write" : "read-only";
    const accounts = [
      ...config.users.map((u) => u.login),
      ...(config.anonymous ? ["anonymous"] : []),
    ].join(", ");
    io.out(`anyftp: serving ${what} (${access}) at ftp://${addr(bound)}/ for ${accounts}`);
    io.out("anyftp: press Ctrl-C to stop");
    const signal = await firstSignal;
    io.out(`anyftp: ${signal}: shutting down (Ctrl-C again to force)`);
    const done = await Promise.race([
      server.close().then(() => "closed" as const),
      secondSignal.then(() => "forced" as const),
    ]);
    if (done === "forced") {
      io.err("anyftp: forced exit, transfers cut off");
      return 1;
    }
    io.out("anyftp: stopped");
    return 0;
  } finally {
    off();
  }
}
