/**
 * A one-call FTP server for test suites: {@linkcode startTestServer}.
 *
 * @module
 */
import type { PathIO } from "../fs/path_io.ts";
import { MemoryPathIO } from "../fs/memory_path_io.ts";
import { defaultNet } from "../net/auto.ts";
import { createMemoryNet } from "../net/memory.ts";
import type { Net } from "../net/types.ts";
import { Server, type ServerOptions } from "../server/server.ts";
import type { UserOptions } from "../server/user.ts";

/**
 * Options of {@linkcode startTestServer}; any other {@linkcode ServerOptions} (`tls`,
 * `disabledCommands`, `onEvent`, limits...) pass through to the server.
 *
 * @example
 * ```ts
 * import type { TestServerOptions } from "anyftp/testing";
 * const options: TestServerOptions = {
 *   files: { "/pub/a.txt": "hi", "/empty/": "" },
 *   users: [{ login: "alice", password: "pw" }],
 * };
 * ```
 */
export interface TestServerOptions
  extends Omit<ServerOptions, "users" | "userManager" | "storage" | "net"> {
  /**
   * Files to create before the server accepts anyone: path → content (a string is written
   * as UTF-8). Missing parent directories are created; a path ending in `/` is a directory
   * (its content is ignored). @default {}
   */
  readonly files?: Readonly<Record<string, string | Uint8Array>> | undefined;
  /**
   * The accounts; `url` logs in as the first. @default one anonymous user who may write
   * everywhere
   */
  readonly users?: readonly UserOptions[] | undefined;
  /** Where the files live. @default a new MemoryPathIO */
  readonly storage?: PathIO | undefined;
  /**
   * `"loopback"`: real sockets on 127.0.0.1 through the running runtime's adapter.
   * `"memory"`: a fresh in-memory network (no sockets at all); connect clients with
   * `{ net: server.net }`. Or any {@linkcode Net}. @default "loopback"
   */
  readonly net?: "loopback" | "memory" | Net | undefined;
}

/**
 * A running test server; `await using` closes it.
 *
 * @example
 * ```ts
 * import { startTestServer, type TestServer } from "anyftp/testing";
 * await using server: TestServer = await startTestServer();
 * console.log(server.url); // ftp://127.0.0.1:<port>
 * ```
 */
export interface TestServer extends AsyncDisposable {
  /** Where the first user logs in: `ftp://login:password@127.0.0.1:port` (`ftp://127.0.0.1:port` for anonymous). */
  readonly url: string;
  /** The listening address (`127.0.0.1`). */
  readonly hostname: string;
  /** The listening port. */
  readonly port: number;
  /** The storage the server serves (inspect or change files directly). */
  readonly storage: PathIO;
  /** The socket adapter the server listens on; pass it to clients on a memory network. */
  readonly net: Net;
  /** The server itself. */
  readonly server: Server;
  /** Stop the server (running transfers get up to the shutdown timeout, 2 s by default). */
  close(): Promise<void>;
}

const encoder = new TextEncoder();

/** Parent directories of `path`, nearest to the root first. */
function parentsOf(path: string): string[] {
  const parts = path.split("/").filter((p) => p !== "");
  return parts.slice(0, -1).map((_, i) => "/" + parts.slice(0, i + 1).join("/"));
}

/** Create `files` in `storage`. */
async function seed(storage: PathIO, files: Readonly<Record<string, string | Uint8Array>>) {
  for (const [path, content] of Object.entries(files)) {
    if (path.endsWith("/")) {
      await storage.mkdir(path, { parents: true });
      continue;
    }
    const parents = parentsOf(path);
    if (parents.length > 0) await storage.mkdir(parents.at(-1)!, { parents: true });
    const writer = (await storage.openWrite(path)).getWriter();
    await writer.write(typeof content === "string" ? encoder.encode(content) : content);
    await writer.close();
  }
}

/** The URL a client uses to log in as `user` on `port`. */
function loginUrl(user: UserOptions | undefined, port: number): string {
  const base = `127.0.0.1:${port}`;
  if (!user || user.anonymous || user.login === undefined) return `ftp://${base}`;
  const login = encodeURIComponent(user.login);
  const password = user.password === undefined ? "" : ":" + encodeURIComponent(user.password);
  return `ftp://${login}${password}@${base}`;
}

/**
 * Start an FTP server for a test: in-memory storage seeded with `files`, the given users (or
 * a writable anonymous account), no failed-login delay, listening on 127.0.0.1 at a free
 * port (or on an in-memory network), ready when the promise resolves.
 *
 * @param options Files, users, storage, network, and any other server option.
 * @returns The running server with its client URL; close it (or `await using`) at the end.
 * @throws {PathIOError} When a file of `files` cannot be created.
 * @throws {ConnectError} When no port can be bound.
 *
 * @example
 * ```ts
 * import { Client } from "anyftp";
 * import { startTestServer } from "anyftp/testing";
 *
 * await using server = await startTestServer({
 *   files: { "/a.txt": "hi" },
 *   users: [{ login: "alice", password: "secret" }],
 * });
 * await using client = await Client.connect(server.url);
 * const stream = await client.downloadStream("/a.txt");
 * console.log(await new Response(stream).text()); // "hi"
 * ```
 */
export async function startTestServer(options: TestServerOptions = {}): Promise<TestServer> {
  const { files = {}, users, storage = new MemoryPathIO(), net: netOption, ...rest } = options;
  const net = netOption === "memory"
    ? createMemoryNet()
    : netOption === undefined || netOption === "loopback"
    ? await defaultNet()
    : netOption;
  const accounts = users ?? [{ anonymous: true, permissions: [{ path: "/", writable: true }] }];
  await seed(storage, files);
  const server = new Server({
    loginFailureDelay: 0,
    shutdownTimeout: 2000,
    ...rest,
    users: accounts,
    storage,
    net,
  });
  const addr = await server.listen({ hostname: "127.0.0.1", port: 0 });
  const close = () => server.close();
  return {
    url: loginUrl(accounts[0], addr.port),
    hostname: addr.hostname,
    port: addr.port,
    storage,
    net,
    server,
    close,
    [Symbol.asyncDispose]: close,
  };
}
