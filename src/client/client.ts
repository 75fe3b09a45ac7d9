/**
 * The FTP client.
 *
 * @module
 */

import type { Conn, Listener, Net } from "../net/types.ts";
import type { PathIO } from "../fs/path_io.ts";
import type { Reply } from "../protocol/reply.ts";
import type { ParsedEntry } from "../protocol/list_entry.ts";
import { censorCommand } from "../protocol/command.ts";
import {
  decodeEpsvReply,
  decodeHostPort,
  encodeEprt,
  encodeHostPort,
  isIPv4,
  unmapIPv4,
} from "../protocol/address.ts";
import { parseListLine } from "../protocol/list_parse.ts";
import { isMlsxSelfOrParent, parseMlsxLine, parseMlsxTime } from "../protocol/mlsx_parse.ts";
import {
  ConnectionClosedError,
  FtpError,
  FtpTimeoutError,
  StatusCodeError,
  UnsupportedError,
} from "../errors.ts";
import { ControlChannel } from "./_control.ts";
import { Mutex } from "./_mutex.ts";
import { textDecoder } from "./_encoding.ts";
import { Transfer } from "./_transfer.ts";
import { downloadReadable, uploadWritable, writeAll } from "./_transfer_streams.ts";
import { type ResolvedOptions, resolveOptions } from "./_options.ts";
import { matchesAny, parse257, unexpectedReply } from "./_replies.ts";
import {
  isSafeEntryName,
  joinRemote,
  remoteBasename,
  remoteDirname,
  remotePrefixes,
} from "./_remote_path.ts";
import { ensureLocalDir, joinLocal, splitLocal } from "./_local.ts";
import { ListResult } from "./list_result.ts";
import { speedLimiter } from "./_speed.ts";
import type {
  ClientOptions,
  ConnectTarget,
  CopyOptions,
  ListOptions,
  RemoteEntry,
  TransferOptions,
} from "./options.ts";

type DataEndpoint =
  | { readonly kind: "passive"; readonly conn: Conn }
  | { readonly kind: "active"; readonly listener: Listener };

interface StartOptions {
  readonly offset?: number;
  readonly signal?: AbortSignal | undefined;
  /** Called when the transfer is over (after the queue's bookkeeping). */
  readonly done: () => void;
}

function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) {
    throw signal.reason ?? new DOMException("The operation was aborted", "AbortError");
  }
}

/**
 * An FTP client: one control connection, one command at a time (concurrent calls wait their
 * turn in a queue), passive or active data connections, and Web Streams for transfers.
 *
 * @example
 * ```ts
 * import { Client } from "anyftp";
 * await using client = await Client.connect("ftp://alice:secret@127.0.0.1:2121");
 * await client.uploadData("hello", "/hello.txt");
 * console.log(new TextDecoder().decode(await client.downloadData("/hello.txt"))); // "hello"
 * for await (const entry of client.list("/", { recursive: true })) console.log(entry.path, entry.type);
 * ```
 */
export class Client {
  #o: ResolvedOptions;
  #net: Net | undefined;
  #control: ControlChannel | undefined;
  #mutex = new Mutex();
  #transfer: Transfer | undefined;
  #unsupported = new Set<string>();
  #host = "";
  #protP = false;
  #readLimit: ((n: number) => Promise<void>) | undefined;
  #writeLimit: ((n: number) => Promise<void>) | undefined;

  /**
   * @param options Timeouts, encoding, data-connection mode, limits, adapters.
   */
  constructor(options: ClientOptions = {}) {
    this.#o = resolveOptions(options);
    this.#net = options.net;
    this.#readLimit = speedLimiter(this.#o.readSpeedLimit);
    this.#writeLimit = speedLimiter(this.#o.writeSpeedLimit);
  }

  /**
   * Connect and log in: from an `ftp://user:password@host:port` URL (`ftps://` means implicit
   * TLS) or from an object. The result quits and closes with `await using`.
   *
   * @param target URL or address and credentials (which may carry client options too).
   * @param options Client options (merged over those in `target`).
   * @returns A logged-in client.
   *
   * @example
   * ```ts
   * import { Client } from "anyftp";
   * await using a = await Client.connect("ftp://anonymous:guest@127.0.0.1:2121");
   * await using b = await Client.connect({ host: "127.0.0.1", port: 2121, user: "bob", password: "pw" }, { mode: "active" });
   * console.log(await a.pwd(), await b.pwd());
   * ```
   */
  static async connect(
    target: string | URL | ConnectTarget,
    options: ClientOptions = {},
  ): Promise<Client> {
    let t: ConnectTarget;
    if (typeof target === "string" || target instanceof URL) {
      const url = typeof target === "string" ? new URL(target) : target;
      if (url.protocol !== "ftp:" && url.protocol !== "ftps:") {
        throw new FtpError(`Unsupported URL scheme "${url.protocol}": use ftp:// or ftps://.`);
      }
      t = {
        host: url.hostname.replace(/^\[(.*)\]$/, "$1"),
        ...(url.port ? { port: Number(url.port) } : {}),
        ...(url.username ? { user: decodeURIComponent(url.username) } : {}),
        ...(url.password ? { password: decodeURIComponent(url.password) } : {}),
        ...(url.protocol === "ftps:" ? { tls: "implicit" as const } : {}),
      };
    } else {
      t = target;
    }
    const client = new Client({ ...t, ...options });
    try {
      await client.connect(t.host, t.port);
      await client.login(t.user, t.password, { account: t.account ?? "" });
    } catch (e) {
      client.close();
      throw e;
    }
    return client;
  }

  /** Whether the control connection is open. */
  get connected(): boolean {
    return this.#control !== undefined && !this.#control.closed;
  }

  /**
   * Open the control connection and read the greeting (waiting through 120).
   *
   * @param host Host name or address.
   * @param port Control port. @default 21 (990 with implicit TLS)
   * @returns The greeting lines.
   */
  async connect(host: string, port?: number): Promise<readonly string[]> {
    const release = await this.#mutex.acquire();
    try {
      this.#control?.close();
      this.#net ??= this.#o.net ?? await (await import("../net/auto.ts")).defaultNet();
      this.#host = host;
      const implicit = this.#o.tls === "implicit";
      const conn = await this.#dial(host, port ?? (implicit ? 990 : 21), implicit);
      conn.setNoDelay(true);
      this.#control = new ControlChannel(conn, {
        encoding: this.#o.encoding,
        maxLineLength: this.#o.maxLineLength,
        maxReplyLines: this.#o.maxReplyLines,
      });
      this.#unsupported.clear();
      this.#protP = false;
      let reply = await this.#control.readReply(this.#o.socketTimeout, "the greeting");
      for (let i = 0; i < 10 && reply.code === "120"; i++) {
        reply = await this.#control.readReply(this.#o.socketTimeout, "the greeting");
      }
      if (reply.code !== "220") {
        this.#control.close();
        throw unexpectedReply(reply, ["220"], "");
      }
      if (this.#o.tls === "explicit") await this.#authTls();
      return reply.lines;
    } finally {
      release();
    }
  }

  async #dial(hostname: string, port: number, tls: boolean): Promise<Conn> {
    const ms = this.#o.connectTimeout;
    const ac = new AbortController();
    const timer = ms > 0 && ms !== Infinity
      ? setTimeout(() => ac.abort(new FtpTimeoutError(`Connecting to ${hostname}:${port}`, ms)), ms)
      : undefined;
    try {
      return await this.#net!.connect({
        hostname,
        port,
        signal: ac.signal,
        ...(tls
          ? { tls: { role: "client" as const, serverName: this.#host, ...this.#o.tlsOptions } }
          : {}),
      });
    } catch (e) {
      if (ac.signal.aborted) throw ac.signal.reason;
      throw e;
    } finally {
      clearTimeout(timer);
    }
  }

  /**
   * Log in: USER, then PASS on 331, then ACCT on 332. Binary mode (TYPE I) follows, and with
   * TLS, PBSZ 0 and PROT P.
   *
   * @param user User name. @default "anonymous"
   * @param password Password. @default "anon@"
   * @param options The account for servers that ask for one.
   * @returns Nothing; rejects with {@linkcode StatusCodeError} (530) on bad credentials.
   */
  login(user = "anonymous", password = "anon@", options: { account?: string } = {}): Promise<void> {
    return this.#exclusive(async () => {
      let r = await this.#execute(`USER ${user}`, ["230", "331", "332"]);
      if (r.code === "331") r = await this.#execute(`PASS ${password}`, ["230", "202", "332"]);
      if (r.code === "332") await this.#execute(`ACCT ${options.account ?? ""}`, ["230", "202"]);
      await this.#execute("TYPE I", ["200"]);
      if (this.#o.tls !== undefined) {
        await this.#execute("PBSZ 0", ["200"]);
        await this.#execute("PROT P", ["200"]);
        this.#protP = true;
      }
    });
  }

  /**
   * Switch the control connection to TLS now (AUTH TLS), for a client created without the
   * `tls` option. Call {@linkcode Client.login} afterwards, or send PBSZ/PROT yourself.
   *
   * @returns Nothing.
   */
  upgradeToTls(): Promise<void> {
    return this.#exclusive(() => this.#authTls());
  }

  async #authTls(): Promise<void> {
    await this.#execute("AUTH TLS", ["234"]);
    await this.#control!.startTls({
      role: "client",
      serverName: this.#host,
      ...this.#o.tlsOptions,
    });
    if (this.#o.tls === undefined) this.#o = { ...this.#o, tls: "explicit" };
  }

  /**
   * Send a raw command and read its reply. Replies in `wait` are skipped (e.g. 1xx).
   *
   * @param line The command, e.g. `"SITE CHMOD 644 a.txt"`; CR, LF and NUL are refused.
   * @param options Expected codes (patterns such as `"2xx"` allowed) and codes to wait through.
   * @returns The reply.
   *
   * @example
   * ```ts
   * import { Client } from "anyftp";
   * await using client = await Client.connect("ftp://127.0.0.1:2121");
   * const reply = await client.command("SYST", { expected: ["215"] });
   * console.log(reply.lines[0]);
   * ```
   */
  command(
    line: string,
    options: { expected?: readonly string[]; wait?: readonly string[] } = {},
  ): Promise<Reply> {
    return this.#exclusive(() =>
      this.#execute(line, options.expected ?? ["1xx", "2xx", "3xx"], options.wait ?? [])
    );
  }

  /**
   * The server's FEAT list, upper-cased feature names with their parameters.
   *
   * @returns Lines such as `"MLST type*;size*;modify*;"`, `"UTF8"`; empty when FEAT is unsupported.
   */
  features(): Promise<string[]> {
    return this.#exclusive(async () => {
      try {
        const r = await this.#execute("FEAT", ["211"]);
        return r.lines.slice(1, -1).map((l) => l.trim()).filter((l) => l !== "");
      } catch (e) {
        if (e instanceof StatusCodeError && e.received.startsWith("5")) return [];
        throw e;
      }
    });
  }

  /**
   * The working directory (PWD).
   *
   * @returns The path.
   */
  pwd(): Promise<string> {
    return this.#exclusive(async () =>
      parse257((await this.#execute("PWD", ["257"])).lines.join(" "))
    );
  }

  /**
   * Change the working directory (CWD; CDUP for `..`).
   *
   * @param path The directory.
   * @returns Nothing.
   */
  cd(path: string): Promise<void> {
    return this.#exclusive(async () => {
      if (path === "..") await this.#execute("CDUP", ["2xx"]);
      else await this.#execute(`CWD ${path}`, ["2xx"]);
    });
  }

  /**
   * Create a directory.
   *
   * @param path The directory.
   * @param options `parents`: create missing parents and accept an existing directory. @default { parents: true }
   * @returns Nothing.
   */
  mkdir(path: string, options: { parents?: boolean } = {}): Promise<void> {
    return this.#exclusive(() => this.#mkdir(path, options.parents ?? true));
  }

  async #mkdir(path: string, parents: boolean): Promise<void> {
    if (!parents) {
      await this.#execute(`MKD ${path}`, ["257", "250"]);
      return;
    }
    try {
      await this.#execute(`MKD ${path}`, ["257", "250"]);
      return;
    } catch (e) {
      if (!(e instanceof StatusCodeError) || !e.received.startsWith("5")) throw e;
    }
    for (const prefix of remotePrefixes(path)) {
      try {
        await this.#execute(`MKD ${prefix}`, ["257", "250"]);
      } catch (e) {
        if (!(e instanceof StatusCodeError) || !e.received.startsWith("5")) throw e;
        if ((await this.#statOrUndefined(prefix))?.type !== "dir") throw e;
      }
    }
  }

  /**
   * Remove an empty directory (RMD).
   *
   * @param path The directory.
   * @returns Nothing.
   */
  rmdir(path: string): Promise<void> {
    return this.#exclusive(async () => void await this.#execute(`RMD ${path}`, ["250", "200"]));
  }

  /**
   * Remove a file (DELE).
   *
   * @param path The file.
   * @returns Nothing.
   */
  removeFile(path: string): Promise<void> {
    return this.#exclusive(async () => void await this.#execute(`DELE ${path}`, ["250", "200"]));
  }

  /**
   * Remove a file, or a directory with everything in it. Listed names that could point
   * elsewhere (`..`, slashes) are left alone, so the final RMD then fails rather than
   * deleting outside the tree.
   *
   * @param path The file or directory.
   * @returns Nothing.
   */
  remove(path: string): Promise<void> {
    return this.#exclusive(async () => {
      const entry = await this.#stat(path);
      if (entry.type === "dir") await this.#removeTree(path, 0);
      else await this.#execute(`DELE ${path}`, ["250", "200"]);
    });
  }

  async #removeTree(path: string, depth: number): Promise<void> {
    if (depth > 256) {
      throw new FtpError(`Directory tree under "${path}" is deeper than 256 levels: not removed.`);
    }
    for (const entry of await this.#listDir(path, undefined)) {
      if (!isSafeEntryName(entry.name)) continue;
      if (entry.type === "dir") await this.#removeTree(entry.path, depth + 1);
      else await this.#execute(`DELE ${entry.path}`, ["250", "200"]);
    }
    await this.#execute(`RMD ${path}`, ["250", "200"]);
  }

  /**
   * Rename or move (RNFR, RNTO).
   *
   * @param from The existing path.
   * @param to The new path.
   * @returns Nothing.
   */
  rename(from: string, to: string): Promise<void> {
    return this.#exclusive(async () => {
      await this.#execute(`RNFR ${from}`, ["350"]);
      await this.#execute(`RNTO ${to}`, ["250", "200"]);
    });
  }

  /**
   * Facts about one path: MLST, or the parent's listing when the server lacks MLST.
   *
   * @param path The path.
   * @returns The entry; rejects with {@linkcode StatusCodeError} 550 when it does not exist.
   */
  stat(path: string): Promise<RemoteEntry> {
    return this.#exclusive(() => this.#stat(path));
  }

  async #stat(path: string): Promise<RemoteEntry> {
    if (!this.#unsupported.has("MLST")) {
      try {
        const r = await this.#execute(`MLST ${path}`, ["250"]);
        const line = r.lines.slice(1, -1).find((l) => l.startsWith(" ")) ?? r.lines[1] ??
          r.lines[0] ?? "";
        const entry = parseMlsxLine(line);
        if (entry) return { ...entry, name: remoteBasename(path) || entry.name, path };
      } catch (e) {
        if (!(e instanceof StatusCodeError) || !(e.received === "500" || e.received === "502")) {
          throw e;
        }
        this.#unsupported.add("MLST");
      }
    }
    const name = remoteBasename(path);
    if (name === "" || name === "." || name === "..") {
      // The root or a relative directory: its parent's listing cannot show it.
      await this.#execute("PWD", ["257"]);
      return { name, path, type: "dir", facts: {} };
    }
    const parent = remoteDirname(path);
    const found = (await this.#listDir(parent, undefined)).find((e) => e.name === name);
    if (!found) {
      throw new StatusCodeError({
        expected: ["2xx"],
        received: "550",
        command: `LIST ${parent}`,
        info: [`"${name}" is not in the listing of "${parent || "."}"`],
      });
    }
    return { ...found, path };
  }

  async #statOrUndefined(path: string): Promise<RemoteEntry | undefined> {
    try {
      return await this.#stat(path);
    } catch (e) {
      if (e instanceof StatusCodeError && (e.received === "550" || e.received === "450")) {
        return undefined;
      }
      throw e;
    }
  }

  /**
   * Whether a path exists (false on 550).
   *
   * @param path The path.
   * @returns `true` when it exists.
   */
  exists(path: string): Promise<boolean> {
    return this.#exclusive(async () => (await this.#statOrUndefined(path)) !== undefined);
  }

  /**
   * Whether a path is a regular file.
   *
   * @param path The path.
   * @returns `true` for a file.
   */
  isFile(path: string): Promise<boolean> {
    return this.#exclusive(async () => (await this.#statOrUndefined(path))?.type === "file");
  }

  /**
   * Whether a path is a directory.
   *
   * @param path The path.
   * @returns `true` for a directory.
   */
  isDir(path: string): Promise<boolean> {
    return this.#exclusive(async () => (await this.#statOrUndefined(path))?.type === "dir");
  }

  /**
   * Size of a file in bytes (SIZE).
   *
   * @param path The file.
   * @returns The size.
   */
  size(path: string): Promise<number> {
    return this.#exclusive(() => this.#size(path));
  }

  async #size(path: string): Promise<number> {
    const r = await this.#execute(`SIZE ${path}`, ["213"]);
    const n = Number((r.lines[0] ?? "").trim());
    if (!Number.isSafeInteger(n) || n < 0) {
      throw new FtpError(`The server's SIZE reply "${r.lines[0]}" is not a size.`);
    }
    return n;
  }

  /**
   * Modification time of a file (MDTM).
   *
   * @param path The file.
   * @returns The time (UTC, as RFC 3659 says).
   */
  lastModified(path: string): Promise<Date> {
    return this.#exclusive(async () => {
      const r = await this.#execute(`MDTM ${path}`, ["213"]);
      const d = parseMlsxTime((r.lines[0] ?? "").trim());
      if (!d) throw new FtpError(`The server's MDTM reply "${r.lines[0]}" is not a time.`);
      return d;
    });
  }

  /**
   * List a directory: MLSD, falling back to LIST (Unix and DOS formats, plus the custom
   * parser) when the server lacks it. `.` and `..` are left out. Await the result for an
   * array, or iterate it; while iterating, the client is free between directories, so the
   * loop body may use it.
   *
   * @param path The directory. @default "" (the working directory)
   * @param options Recursion and the listing command.
   * @returns The entries, as a promise-like and an async iterable.
   *
   * @example
   * ```ts
   * import { Client } from "anyftp";
   * await using client = await Client.connect("ftp://127.0.0.1:2121");
   * const names = (await client.list("/")).map((e) => e.name);
   * for await (const e of client.list("/", { recursive: true })) if (e.type === "file") console.log(e.path, e.size);
   * ```
   */
  list(path = "", options: ListOptions = {}): ListResult {
    const listOnce = (dir: string) =>
      this.#exclusive(() => this.#listDir(dir, options.command, options.signal));
    return new ListResult(async function* () {
      const pending = [{ dir: path, depth: 0 }];
      while (pending.length > 0) {
        throwIfAborted(options.signal);
        const { dir, depth } = pending.shift()!;
        const entries = await listOnce(dir);
        for (const entry of entries) {
          yield entry;
          if (
            options.recursive && entry.type === "dir" && isSafeEntryName(entry.name) && depth < 256
          ) {
            pending.push({ dir: entry.path, depth: depth + 1 });
          }
        }
      }
    });
  }

  async #listDir(
    path: string,
    command: "MLSD" | "LIST" | undefined,
    signal?: AbortSignal,
  ): Promise<RemoteEntry[]> {
    const arg = path === "" ? "" : ` ${path}`;
    if (command === "MLSD" || (command === undefined && !this.#unsupported.has("MLSD"))) {
      try {
        const lines = await this.#readListing(`MLSD${arg}`, signal);
        const out: RemoteEntry[] = [];
        for (const line of lines) {
          const e = parseMlsxLine(line);
          if (e && !isMlsxSelfOrParent(e)) out.push({ ...e, path: joinRemote(path, e.name) });
        }
        return out;
      } catch (e) {
        if (command !== undefined || !(e instanceof StatusCodeError)) throw e;
        if (e.received === "500" || e.received === "502") this.#unsupported.add("MLSD");
        else if (e.received !== "501" && e.received !== "504") throw e;
      }
    }
    const lines = await this.#readListing(`LIST${arg}`, signal);
    const out: RemoteEntry[] = [];
    for (const line of lines) {
      const e = this.#parseListLine(line);
      if (e && e.name !== "." && e.name !== "..") {
        out.push({ ...e, path: joinRemote(path, e.name) });
      }
    }
    return out;
  }

  #parseListLine(line: string): ParsedEntry | undefined {
    const custom = this.#o.listParser;
    if (custom && this.#o.listParserOrder === "first") {
      const e = custom(line);
      if (e) return e;
    }
    const e = parseListLine(line);
    if (e) return e;
    return custom && this.#o.listParserOrder === "last" ? custom(line) : undefined;
  }

  async #readListing(command: string, signal?: AbortSignal): Promise<string[]> {
    const t = await this.#startTransfer(command, { signal, done: () => {} });
    const stream = downloadReadable(t, this.#o.dataTimeout, {});
    const reader = stream.getReader();
    const chunks: Uint8Array[] = [];
    let total = 0;
    while (true) {
      const { value, done } = await reader.read();
      if (done) break;
      total += value.byteLength;
      if (total > this.#o.maxListingBytes) {
        await reader.cancel(new FtpError(`Listing too long`));
        throw new FtpError(
          `The listing of "${command}" exceeds ${this.#o.maxListingBytes} bytes: aborted. Raise maxListingBytes or list a smaller directory.`,
        );
      }
      chunks.push(value);
    }
    const all = new Uint8Array(total);
    let at = 0;
    for (const c of chunks) {
      all.set(c, at);
      at += c.byteLength;
    }
    return textDecoder(this.#o.encoding)(all).split("\n").map((l) => l.replace(/\r$/, "")).filter((
      l,
    ) => l !== "");
  }

  /**
   * Download a file as a stream (RETR, after REST when `offset` is given). The client is
   * busy until the stream ends, errors or is cancelled (cancel sends ABOR); other calls wait.
   *
   * @param path The remote file.
   * @param options Offset, abort signal, progress.
   * @returns The file's bytes; the stream closes only after the server confirmed the transfer.
   *
   * @example
   * ```ts
   * import { Client } from "anyftp";
   * await using client = await Client.connect("ftp://127.0.0.1:2121");
   * const stream = await client.downloadStream("/big.iso", { offset: 1024 });
   * for await (const chunk of stream) console.log(chunk.byteLength);
   * ```
   */
  async downloadStream(
    path: string,
    options: TransferOptions = {},
  ): Promise<ReadableStream<Uint8Array>> {
    const release = await this.#acquire();
    try {
      let total = options.total;
      if (options.onProgress && total === undefined) {
        total = await this.#size(path).then((n) => n - (options.offset ?? 0), () => undefined);
      }
      const t = await this.#startTransfer(`RETR ${path}`, {
        offset: options.offset ?? 0,
        signal: options.signal,
        done: release,
      });
      return downloadReadable(t, this.#o.dataTimeout, {
        ...(options.onProgress ? { onProgress: options.onProgress } : {}),
        ...(total !== undefined ? { total } : {}),
        ...(this.#readLimit ? { throttle: this.#readLimit } : {}),
      });
    } catch (e) {
      release();
      throw e;
    }
  }

  /**
   * Upload to a file as a stream (STOR; with `offset`, REST first and the server writes in
   * place). Close the writer to finish: `close()` resolves when the server confirmed it.
   *
   * @param path The remote file.
   * @param options Offset, abort signal, progress.
   * @returns The sink for the file's bytes.
   *
   * @example
   * ```ts
   * import { Client } from "anyftp";
   * await using client = await Client.connect("ftp://127.0.0.1:2121");
   * const sink = await client.uploadStream("/up.bin");
   * await new Blob(["some bytes"]).stream().pipeTo(sink);
   * ```
   */
  uploadStream(path: string, options: TransferOptions = {}): Promise<WritableStream<Uint8Array>> {
    return this.#uploadStream(`STOR ${path}`, options);
  }

  /**
   * Append to a file as a stream (APPE).
   *
   * @param path The remote file (created when missing).
   * @param options Abort signal, progress.
   * @returns The sink for the bytes to append.
   */
  appendStream(path: string, options: TransferOptions = {}): Promise<WritableStream<Uint8Array>> {
    return this.#uploadStream(`APPE ${path}`, options);
  }

  async #uploadStream(
    command: string,
    options: TransferOptions,
  ): Promise<WritableStream<Uint8Array>> {
    const release = await this.#acquire();
    try {
      const t = await this.#startTransfer(command, {
        offset: options.offset ?? 0,
        signal: options.signal,
        done: release,
      });
      return uploadWritable(t, this.#o.dataTimeout, {
        ...(options.onProgress ? { onProgress: options.onProgress } : {}),
        ...(options.total !== undefined ? { total: options.total } : {}),
        ...(this.#writeLimit ? { throttle: this.#writeLimit } : {}),
      });
    } catch (e) {
      release();
      throw e;
    }
  }

  /**
   * Download a whole file into memory.
   *
   * @param path The remote file.
   * @param options Offset, abort signal, progress.
   * @returns Its bytes.
   */
  async downloadData(path: string, options: TransferOptions = {}): Promise<Uint8Array> {
    const stream = await this.downloadStream(path, options);
    return new Uint8Array(await new Response(stream).arrayBuffer());
  }

  /**
   * Upload bytes, text (UTF-8) or a stream to a file.
   *
   * @param data What to upload.
   * @param path The remote file.
   * @param options Offset, abort signal, progress, `append` to use APPE.
   * @returns Nothing; resolves when the server confirmed the file.
   *
   * @example
   * ```ts
   * import { Client } from "anyftp";
   * await using client = await Client.connect("ftp://127.0.0.1:2121");
   * await client.uploadData("hello\n", "/notes.txt");
   * await client.uploadData(new Uint8Array([1, 2, 3]), "/notes.txt", { append: true });
   * ```
   */
  async uploadData(
    data: Uint8Array | string | ReadableStream<Uint8Array>,
    path: string,
    options: TransferOptions & { append?: boolean } = {},
  ): Promise<void> {
    const bytes = typeof data === "string" ? new TextEncoder().encode(data) : data;
    const total = bytes instanceof Uint8Array ? bytes.byteLength : options.total;
    const opts = { ...options, ...(total !== undefined ? { total } : {}) };
    const sink = options.append
      ? await this.appendStream(path, opts)
      : await this.uploadStream(path, opts);
    if (bytes instanceof Uint8Array) await writeAll(sink, bytes);
    else await bytes.pipeTo(sink);
  }

  /**
   * Upload a local file or directory tree. Without `writeInto`, `remote` is a directory and
   * the source lands inside it under its own name; with it, `remote` is the target itself.
   *
   * @param local The local file or directory.
   * @param remote The remote destination.
   * @param options `writeInto`, abort signal, progress.
   * @returns Nothing.
   *
   * @example
   * ```ts
   * import { Client } from "anyftp";
   * await using client = await Client.connect("ftp://127.0.0.1:2121");
   * await client.upload("./site", "/www", { writeInto: true }); // ./site/* → /www/*
   * await client.upload("./notes.txt", "/docs");                 // → /docs/notes.txt
   * ```
   */
  upload(local: string, remote: string, options: CopyOptions = {}): Promise<void> {
    return this.#exclusive(async () => {
      const { parent, name } = splitLocal(local);
      const fs = await this.#o.localFs(parent);
      const target = options.writeInto ? remote : joinRemote(remote, name);
      const st = await fs.stat(`/${name}`);
      if (st.type === "dir") {
        await this.#mkdir(target, true);
        await this.#uploadTree(fs, `/${name}`, target, options, 0);
      } else {
        const dir = remoteDirname(target);
        if (dir !== "" && dir !== "/") await this.#mkdir(dir, true);
        await this.#uploadFile(fs, `/${name}`, target, st.size, options);
      }
    });
  }

  async #uploadTree(
    fs: PathIO,
    dir: string,
    remote: string,
    options: CopyOptions,
    depth: number,
  ): Promise<void> {
    if (depth > 256) throw new FtpError(`Local tree under "${dir}" is deeper than 256 levels.`);
    for await (const entry of fs.list(dir)) {
      throwIfAborted(options.signal);
      const local = dir === "/" ? `/${entry.name}` : `${dir}/${entry.name}`;
      const target = joinRemote(remote, entry.name);
      if (entry.stat.type === "dir") {
        await this.#mkdir(target, true);
        await this.#uploadTree(fs, local, target, options, depth + 1);
      } else if (entry.stat.type === "file") {
        await this.#uploadFile(fs, local, target, entry.stat.size, options);
      }
    }
  }

  async #uploadFile(
    fs: PathIO,
    local: string,
    remote: string,
    size: number,
    options: CopyOptions,
  ): Promise<void> {
    throwIfAborted(options.signal);
    const source = await fs.openRead(local);
    let t: Transfer;
    try {
      t = await this.#startTransfer(`STOR ${remote}`, { signal: options.signal, done: () => {} });
    } catch (e) {
      await source.cancel().catch(() => {});
      throw e;
    }
    const onProgress = options.onProgress;
    const sink = uploadWritable(t, this.#o.dataTimeout, {
      total: size,
      ...(onProgress ? { onProgress: (p) => onProgress({ ...p, path: remote }) } : {}),
      ...(this.#writeLimit ? { throttle: this.#writeLimit } : {}),
    });
    await source.pipeTo(sink);
  }

  /**
   * Download a remote file or directory tree to the local file system. Without `writeInto`,
   * `local` is a directory and the source lands inside it under its own name; with it,
   * `local` is the target itself. A tree is written through a storage rooted at its target,
   * and listed names that could escape it (`..`, `/`, `\`, NUL) are skipped, so nothing is
   * written outside. Symbolic links are not followed. With `resume`, files that exist
   * locally continue from their local size.
   *
   * @param remote The remote file or directory.
   * @param local The local destination.
   * @param options `writeInto`, `resume`, abort signal, progress.
   * @returns Nothing.
   *
   * @example
   * ```ts
   * import { Client } from "anyftp";
   * await using client = await Client.connect("ftp://127.0.0.1:2121");
   * await client.download("/pub/docs", "./mirror", { writeInto: true }); // /pub/docs/* → ./mirror/*
   * await client.download("/pub/big.iso", "./downloads", { resume: true }); // → ./downloads/big.iso
   * ```
   */
  download(remote: string, local: string, options: CopyOptions = {}): Promise<void> {
    return this.#exclusive(async () => {
      const entry = await this.#stat(remote);
      const remoteName = remoteBasename(remote);
      if (entry.type === "dir") {
        const target = options.writeInto ? local : joinLocal(local, safeLocalName(remoteName));
        const fs = await ensureLocalDir(this.#o.localFs, target);
        await this.#downloadTree(remote, fs, "/", options, 0);
      } else {
        const file = options.writeInto ? local : joinLocal(local, safeLocalName(remoteName));
        const { parent, name } = splitLocal(file);
        const fs = await ensureLocalDir(this.#o.localFs, parent);
        await this.#downloadFile(remote, fs, `/${name}`, entry.size, options);
      }
    });
  }

  async #downloadTree(
    remote: string,
    fs: PathIO,
    dir: string,
    options: CopyOptions,
    depth: number,
  ): Promise<void> {
    if (depth > 256) throw new FtpError(`Remote tree under "${remote}" is deeper than 256 levels.`);
    for (const entry of await this.#listDir(remote, undefined)) {
      throwIfAborted(options.signal);
      if (!isSafeEntryName(entry.name)) continue;
      const local = dir === "/" ? `/${entry.name}` : `${dir}/${entry.name}`;
      if (entry.type === "dir") {
        await fs.mkdir(local, { parents: true });
        await this.#downloadTree(entry.path, fs, local, options, depth + 1);
      } else if (entry.type === "file") {
        await this.#downloadFile(entry.path, fs, local, entry.size, options);
      }
    }
  }

  async #downloadFile(
    remote: string,
    fs: PathIO,
    local: string,
    size: number | undefined,
    options: CopyOptions,
  ): Promise<void> {
    throwIfAborted(options.signal);
    let offset = 0;
    if (options.resume) {
      const st = await fs.stat(local).catch(() => undefined);
      if (st?.type === "file") offset = st.size;
      if (size === undefined) size = await this.#size(remote).catch(() => undefined);
      if (size !== undefined && offset === size) return;
      if (size !== undefined && offset > size) offset = 0;
    }
    const sink = await fs.openWrite(local, offset > 0 ? { offset } : {});
    let t: Transfer;
    try {
      t = await this.#startTransfer(`RETR ${remote}`, {
        offset,
        signal: options.signal,
        done: () => {},
      });
    } catch (e) {
      await sink.abort(e).catch(() => {});
      throw e;
    }
    const onProgress = options.onProgress;
    const source = downloadReadable(t, this.#o.dataTimeout, {
      ...(size !== undefined ? { total: size - offset } : {}),
      ...(onProgress ? { onProgress: (p) => onProgress({ ...p, path: remote }) } : {}),
      ...(this.#readLimit ? { throttle: this.#readLimit } : {}),
    });
    await source.pipeTo(sink);
  }

  /**
   * Abort the transfer in progress (ABOR; its stream errors with an `AbortError`), or send
   * ABOR on its own when nothing is being transferred. Does not wait in the queue.
   *
   * @returns Nothing; resolves once the server acknowledged.
   */
  async abort(): Promise<void> {
    if (this.#transfer) {
      await this.#transfer.abort();
      return;
    }
    await this.#exclusive(async () => void await this.#execute("ABOR", ["2xx"]));
  }

  /**
   * Say goodbye (QUIT) and close the connection. Errors are ignored: the connection is
   * closed either way.
   *
   * @returns Nothing.
   */
  async quit(): Promise<void> {
    const control = this.#control;
    if (!control || control.closed) return;
    if (this.#transfer) await this.#transfer.abort().catch(() => {});
    const release = await this.#mutex.acquire();
    try {
      await control.send("QUIT");
      await control.readReply(Math.min(this.#o.socketTimeout, 5000), "QUIT");
    } catch {
      // Closing anyway.
    } finally {
      control.close();
      release();
    }
  }

  /** Close the connection now, without QUIT. Idempotent. */
  close(): void {
    this.#control?.close();
  }

  /** QUIT and close, for `await using`. */
  async [Symbol.asyncDispose](): Promise<void> {
    await this.quit();
    this.close();
  }

  // ——— internals ———

  async #acquire(): Promise<() => void> {
    const release = await this.#mutex.acquire();
    if (!this.connected) {
      release();
      throw new ConnectionClosedError("a command (the client is not connected: call connect())");
    }
    return release;
  }

  async #exclusive<T>(fn: () => Promise<T>): Promise<T> {
    const release = await this.#acquire();
    try {
      return await fn();
    } finally {
      release();
    }
  }

  async #execute(
    line: string,
    expected: readonly string[],
    wait: readonly string[] = [],
  ): Promise<Reply> {
    const control = this.#control;
    if (!control || control.closed) {
      throw new ConnectionClosedError(`sending "${censorCommand(line)}"`);
    }
    await control.send(line);
    const shown = censorCommand(line);
    for (let i = 0;; i++) {
      const reply = await control.readReply(this.#o.socketTimeout, `"${shown}"`);
      if (matchesAny(reply.code, wait) && i < 100) continue;
      if (matchesAny(reply.code, expected)) return reply;
      throw unexpectedReply(reply, expected, shown);
    }
  }

  async #openPassive(): Promise<Conn> {
    const control = this.#control!;
    const peer = unmapIPv4(control.conn.remoteAddr.hostname);
    let lastError: unknown;
    for (const cmd of this.#o.passiveCommands) {
      if (this.#unsupported.has(cmd)) continue;
      if (cmd === "PASV" && !isIPv4(peer)) continue;
      let reply: Reply;
      try {
        reply = await this.#execute(cmd, [cmd === "EPSV" ? "229" : "227"]);
      } catch (e) {
        if (e instanceof StatusCodeError && /^5\d\d$/.test(e.received)) {
          if (e.received === "500" || e.received === "502" || cmd === "EPSV") {
            this.#unsupported.add(cmd);
          }
          lastError = e;
          continue;
        }
        throw e;
      }
      const text = reply.lines.join(" ");
      let host = peer;
      let port: number | undefined;
      if (cmd === "EPSV") port = decodeEpsvReply(text);
      else {
        const hp = decodeHostPort(text);
        if (hp) {
          port = hp.port;
          if (this.#o.allowForeignPassiveHost && hp.hostname !== "0.0.0.0") host = hp.hostname;
        }
      }
      if (port === undefined || port === 0) {
        throw new FtpError(`The server's ${cmd} reply "${text}" names no usable port.`);
      }
      return await this.#dial(host, port, false);
    }
    throw lastError ??
      new FtpError("No passive command left to try (EPSV/PASV refused): use active mode.");
  }

  async #openActive(): Promise<Listener> {
    const control = this.#control!;
    const host = this.#o.activeHost ?? unmapIPv4(control.conn.localAddr.hostname);
    const listener = this.#net!.listen({ hostname: host, port: 0, backlog: 4 });
    const addr = { hostname: host, port: listener.addr.port };
    let lastError: unknown;
    try {
      for (const cmd of this.#o.activeCommands) {
        if (this.#unsupported.has(cmd)) continue;
        if (cmd === "PORT" && !isIPv4(host)) continue;
        try {
          await this.#execute(
            `${cmd} ${cmd === "EPRT" ? encodeEprt(addr) : encodeHostPort(addr)}`,
            ["200"],
          );
          return listener;
        } catch (e) {
          if (e instanceof StatusCodeError && /^5\d\d$/.test(e.received)) {
            if (e.received === "500" || e.received === "502") this.#unsupported.add(cmd);
            lastError = e;
            continue;
          }
          throw e;
        }
      }
      throw lastError ??
        new FtpError("No active command left to try (EPRT/PORT refused): use passive mode.");
    } catch (e) {
      listener.close();
      throw e;
    }
  }

  async #accept(listener: Listener): Promise<Conn> {
    const ms = this.#o.dataTimeout;
    const it = listener[Symbol.asyncIterator]();
    let timer: ReturnType<typeof setTimeout> | undefined;
    try {
      const next = await Promise.race([
        it.next(),
        new Promise<never>((_, reject) => {
          if (ms > 0 && ms !== Infinity) {
            timer = setTimeout(
              () => reject(new FtpTimeoutError("Waiting for the server's data connection", ms)),
              ms,
            );
          }
        }),
      ]);
      if (next.done) throw new ConnectionClosedError("waiting for the server's data connection");
      const conn = next.value;
      const peer = unmapIPv4(this.#control!.conn.remoteAddr.hostname);
      if (!this.#o.allowForeignActivePeer && unmapIPv4(conn.remoteAddr.hostname) !== peer) {
        conn.close();
        throw new FtpError(
          `A data connection came from ${conn.remoteAddr.hostname}, not from the server ${peer}: refused. Set allowForeignActivePeer if that is expected.`,
        );
      }
      return conn;
    } finally {
      clearTimeout(timer);
      listener.close();
    }
  }

  /** PROT P: TLS on the data connection, resuming the control session where possible. */
  async #secureData(conn: Conn): Promise<Conn> {
    const base = { role: "client" as const, serverName: this.#host, ...this.#o.tlsOptions };
    if (this.#o.tlsSessionReuse && !this.#unsupported.has("TLS session reuse")) {
      try {
        return await conn.startTls({ ...base, reuseSessionOf: this.#control!.conn });
      } catch (e) {
        if (!(e instanceof UnsupportedError)) throw e;
        // Servers that insist on reuse (vsftpd's require_ssl_reuse) refuse the transfer with
        // their own error; others are fine without it.
        this.#unsupported.add("TLS session reuse");
      }
    }
    return await conn.startTls(base);
  }

  async #startTransfer(command: string, options: StartOptions): Promise<Transfer> {
    throwIfAborted(options.signal);
    const control = this.#control!;
    const endpoint: DataEndpoint = this.#o.mode === "active"
      ? { kind: "active", listener: await this.#openActive() }
      : { kind: "passive", conn: await this.#openPassive() };
    const closeEndpoint = () =>
      endpoint.kind === "active" ? endpoint.listener.close() : endpoint.conn.close();
    let conn: Conn | undefined;
    let final: Reply | undefined;
    let preliminary = false;
    try {
      if (options.offset && options.offset > 0) {
        await this.#execute(`REST ${options.offset}`, ["350"]);
      }
      await control.send(command);
      const shown = censorCommand(command);
      const reply = await control.readReply(this.#o.socketTimeout, `"${shown}"`);
      if (reply.code.startsWith("2")) {
        final = reply;
        closeEndpoint();
      } else if (!reply.code.startsWith("1")) {
        throw unexpectedReply(reply, ["1xx"], shown);
      } else {
        preliminary = true;
        conn = endpoint.kind === "active" ? await this.#accept(endpoint.listener) : endpoint.conn;
        if (this.#protP) conn = await this.#secureData(conn);
      }
    } catch (e) {
      closeEndpoint();
      conn?.close();
      // After a 1xx the server owes a final reply (425/426): read it so the next command
      // does not take it for its own; if it does not come, the channel is lost.
      if (preliminary) {
        await control.readReply(this.#o.socketTimeout, `"${censorCommand(command)}"`)
          .catch(() => control.close());
      }
      throw e;
    }
    const signal = options.signal;
    const onAbort = () => void this.#transfer?.abort(signal!.reason);
    const t = new Transfer(
      {
        control,
        socketTimeout: this.#o.socketTimeout,
        dataTimeout: this.#o.dataTimeout,
        done: () => {
          if (this.#transfer === t) this.#transfer = undefined;
          signal?.removeEventListener("abort", onAbort);
          options.done();
        },
      },
      conn,
      censorCommand(command),
      final,
    );
    this.#transfer = t;
    signal?.addEventListener("abort", onAbort, { once: true });
    return t;
  }
}

function safeLocalName(name: string): string {
  if (!isSafeEntryName(name)) {
    throw new FtpError(
      `"${name}" cannot be used as a local name: pass writeInto with an explicit target.`,
    );
  }
  return name;
}
