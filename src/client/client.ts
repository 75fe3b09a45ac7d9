/**
 * The FTP client's public face. The work is done by internal modules over a shared session:
 * `_session.ts` (control connection, login, command queue), `_data_connection.ts` (passive
 * and active data connections), `_start_transfer.ts` and `_transfer*.ts` (transfers as Web
 * Streams), `_listing.ts` (MLSD/LIST, MLST and its fallback), `_file_ops.ts` (directories,
 * removal, sizes) and `_tree_copy.ts` (file and tree upload/download).
 *
 * @module
 */

import type { Reply } from "../protocol/reply.ts";
import { toConnectTarget } from "./_connect_target.ts";
import {
  deleteFile,
  fileSize,
  makeDirectory,
  modificationTime,
  removeDirectory,
  removePath,
  renamePath,
} from "./_file_ops.ts";
import { listEntries, stat, statIfExists } from "./_listing.ts";
import { replyCounters } from "./_reply_count.ts";
import { isRefusal, parse257 } from "./_replies.ts";
import { ClientSession } from "./_session.ts";
import { downloadLimit, openRetrieve, openStore } from "./_start_transfer.ts";
import { writeAll } from "./_transfer_streams.ts";
import { downloadPath, uploadPath } from "./_tree_copy.ts";
import type { ListResult } from "./list_result.ts";
import type {
  ClientOptions,
  ConnectTarget,
  CopyOptions,
  ListOptions,
  RemoteEntry,
  TransferOptions,
} from "./options.ts";

/** `downloadData`'s default `maxSize`. */
const DOWNLOAD_DATA_MAX = 256 * 1024 * 1024;

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
  #s: ClientSession;

  /**
   * A client that is not connected yet: call {@linkcode Client.connect} (the instance method)
   * and {@linkcode Client.login}, or use the static `Client.connect` that does both.
   *
   * @param options Timeouts, encoding, data-connection mode, limits, adapters; see
   * {@linkcode ClientOptions} for each default.
   *
   * @example
   * ```ts
   * import { Client } from "anyftp";
   * const client = new Client({ mode: "active", dataTimeout: 10_000 });
   * await client.connect("127.0.0.1", 2121);
   * await client.login("alice", "secret");
   * await client.quit();
   * ```
   */
  constructor(options: ClientOptions = {}) {
    const s = new ClientSession(options);
    this.#s = s;
    replyCounters.set(this, () => s.replies);
  }

  /**
   * Connect and log in: from an `ftp://user:password@host:port` URL (`ftps://` means implicit
   * TLS), a string without a scheme (`"127.0.0.1:2121"`, read as `ftp://`), or an object.
   * The result quits and closes with `await using`. Whatever fails is an `FtpError`.
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
    const t = toConnectTarget(target);
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

  /**
   * Whether the control connection is open.
   *
   * @example
   * ```ts
   * import { Client } from "anyftp";
   * const client = await Client.connect("ftp://127.0.0.1:2121");
   * await client.quit();
   * console.log(client.connected); // false
   * ```
   */
  get connected(): boolean {
    return this.#s.connected;
  }

  /**
   * Open the control connection and read the greeting (waiting through 120). With the
   * `tlsMode: "explicit"` option (or `tls` details), AUTH TLS follows.
   *
   * @param host Host name or address.
   * @param port Control port. @default 21 (990 with implicit TLS)
   * @returns The greeting lines.
   *
   * @example
   * ```ts
   * import { Client } from "anyftp";
   * const client = new Client();
   * console.log(await client.connect("127.0.0.1", 2121)); // ["220 Welcome"]
   * ```
   */
  connect(host: string, port?: number): Promise<readonly string[]> {
    return this.#s.open(host, port);
  }

  /**
   * Log in: USER, then PASS on 331, then ACCT on 332. Binary mode (TYPE I) follows, and with
   * TLS, PBSZ 0 and PROT P.
   *
   * @param user User name. @default "anonymous"
   * @param password Password. @default "anon@"
   * @param options The account for servers that ask for one. @default { account: "" }
   * @returns Nothing; rejects with {@linkcode StatusCodeError} (530) on bad credentials.
   *
   * @example
   * ```ts
   * import { Client } from "anyftp";
   * const client = new Client();
   * await client.connect("127.0.0.1", 2121);
   * await client.login("alice", "secret", { account: "sales" });
   * ```
   */
  login(user = "anonymous", password = "anon@", options: { account?: string | undefined } = {}): Promise<void> {
    return this.#s.exclusive(() => this.#s.login(user, password, options.account ?? ""));
  }

  /**
   * Switch the control connection to TLS now (AUTH TLS), for a client created without the
   * `tls`/`tlsMode` options. Call {@linkcode Client.login} afterwards, or send PBSZ/PROT yourself.
   *
   * @returns Nothing.
   *
   * @example
   * ```ts
   * import { Client } from "anyftp";
   * const caPem = "-----BEGIN CERTIFICATE-----\n…"; // your CA
   * const client = new Client({ tls: { caCerts: [caPem] } });
   * await client.connect("ftp.example.com");
   * await client.upgradeToTls();
   * await client.login("alice", "secret"); // PBSZ 0 and PROT P follow
   * ```
   */
  upgradeToTls(): Promise<void> {
    return this.#s.exclusive(() => this.#s.authTls());
  }

  /**
   * Send a raw command and read its reply. Replies in `wait` are skipped (e.g. 1xx).
   *
   * @param line The command, e.g. `"SITE CHMOD 644 a.txt"`; CR, LF and NUL are refused.
   * @param options Expected codes (patterns such as `"2xx"` allowed) and codes to wait
   * through. @default { expected: ["1xx", "2xx", "3xx"], wait: [] }
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
    options: { expected?: readonly string[] | undefined; wait?: readonly string[] | undefined } = {},
  ): Promise<Reply> {
    return this.#s.exclusive(() =>
      this.#s.execute(line, options.expected ?? ["1xx", "2xx", "3xx"], options.wait ?? [])
    );
  }

  /**
   * The server's FEAT list, upper-cased feature names with their parameters.
   *
   * @returns Lines such as `"MLST type*;size*;modify*;"`, `"UTF8"`; empty when FEAT is unsupported.
   *
   * @example
   * ```ts
   * import { Client } from "anyftp";
   * await using client = await Client.connect("ftp://127.0.0.1:2121");
   * const hasMlst = (await client.features()).some((f) => f.startsWith("MLST"));
   * ```
   */
  features(): Promise<string[]> {
    return this.#s.exclusive(async () => {
      try {
        const r = await this.#s.execute("FEAT", ["211"]);
        return r.lines.slice(1, -1).map((l) => l.trim()).filter((l) => l !== "");
      } catch (e) {
        if (isRefusal(e)) return [];
        throw e;
      }
    });
  }

  /**
   * The working directory (PWD).
   *
   * @returns The path.
   *
   * @example
   * ```ts
   * import { Client } from "anyftp";
   * await using client = await Client.connect("ftp://127.0.0.1:2121");
   * console.log(await client.pwd()); // "/"
   * ```
   */
  pwd(): Promise<string> {
    return this.#s.exclusive(async () =>
      parse257((await this.#s.execute("PWD", ["257"])).lines.join(" "))
    );
  }

  /**
   * Change the working directory (CWD; CDUP for `..`).
   *
   * @param path The directory.
   * @returns Nothing.
   *
   * @example
   * ```ts
   * import { Client } from "anyftp";
   * await using client = await Client.connect("ftp://127.0.0.1:2121");
   * await client.cd("/pub");
   * await client.cd("..");
   * ```
   */
  cd(path: string): Promise<void> {
    return this.#s.exclusive(async () => {
      if (path === "..") await this.#s.execute("CDUP", ["2xx"]);
      else await this.#s.execute(`CWD ${path}`, ["2xx"]);
    });
  }

  /**
   * Create a directory.
   *
   * @param path The directory.
   * @param options `parents`: create missing parents and accept an existing directory. @default { parents: true }
   * @returns Nothing.
   *
   * @example
   * ```ts
   * import { Client } from "anyftp";
   * await using client = await Client.connect("ftp://127.0.0.1:2121");
   * await client.mkdir("/a/b/c");                          // with parents
   * await client.mkdir("/a/new", { parents: false });      // MKD alone
   * ```
   */
  mkdir(path: string, options: { parents?: boolean | undefined } = {}): Promise<void> {
    return this.#s.exclusive(() => makeDirectory(this.#s, path, options.parents ?? true));
  }

  /**
   * Remove an empty directory (RMD).
   *
   * @param path The directory.
   * @returns Nothing.
   *
   * @example
   * ```ts
   * import { Client } from "anyftp";
   * await using client = await Client.connect("ftp://127.0.0.1:2121");
   * await client.rmdir("/empty");
   * ```
   */
  rmdir(path: string): Promise<void> {
    return this.#s.exclusive(() => removeDirectory(this.#s, path));
  }

  /**
   * Remove a file (DELE).
   *
   * @param path The file.
   * @returns Nothing.
   *
   * @example
   * ```ts
   * import { Client } from "anyftp";
   * await using client = await Client.connect("ftp://127.0.0.1:2121");
   * await client.removeFile("/old.log");
   * ```
   */
  removeFile(path: string): Promise<void> {
    return this.#s.exclusive(() => deleteFile(this.#s, path));
  }

  /**
   * Remove a file, or a directory with everything in it. Listed names that could point
   * elsewhere (`..`, slashes) are left alone, so the final RMD then fails rather than
   * deleting outside the tree.
   *
   * @param path The file or directory.
   * @returns Nothing.
   *
   * @example
   * ```ts
   * import { Client } from "anyftp";
   * await using client = await Client.connect("ftp://127.0.0.1:2121");
   * await client.remove("/build"); // the whole tree
   * ```
   */
  remove(path: string): Promise<void> {
    return this.#s.exclusive(() => removePath(this.#s, path));
  }

  /**
   * Rename or move (RNFR, RNTO).
   *
   * @param from The existing path.
   * @param to The new path.
   * @returns Nothing.
   *
   * @example
   * ```ts
   * import { Client } from "anyftp";
   * await using client = await Client.connect("ftp://127.0.0.1:2121");
   * await client.rename("/upload.tmp", "/archive/upload.bin");
   * ```
   */
  rename(from: string, to: string): Promise<void> {
    return this.#s.exclusive(() => renamePath(this.#s, from, to));
  }

  /**
   * Facts about one path: MLST, or the parent's listing when the server lacks MLST.
   *
   * @param path The path.
   * @returns The entry; rejects with {@linkcode StatusCodeError} 550 when it does not exist.
   *
   * @example
   * ```ts
   * import { Client } from "anyftp";
   * await using client = await Client.connect("ftp://127.0.0.1:2121");
   * const { type, size, modified } = await client.stat("/pub/a.txt");
   * ```
   */
  stat(path: string): Promise<RemoteEntry> {
    return this.#s.exclusive(() => stat(this.#s, path));
  }

  /**
   * Whether a path exists (false on 550).
   *
   * @param path The path.
   * @returns `true` when it exists.
   *
   * @example
   * ```ts
   * import { Client } from "anyftp";
   * await using client = await Client.connect("ftp://127.0.0.1:2121");
   * if (!(await client.exists("/out"))) await client.mkdir("/out");
   * ```
   */
  exists(path: string): Promise<boolean> {
    return this.#s.exclusive(async () => (await statIfExists(this.#s, path)) !== undefined);
  }

  /**
   * Whether a path is a regular file.
   *
   * @param path The path.
   * @returns `true` for a file.
   *
   * @example
   * ```ts
   * import { Client } from "anyftp";
   * await using client = await Client.connect("ftp://127.0.0.1:2121");
   * console.log(await client.isFile("/pub/a.txt")); // true
   * ```
   */
  isFile(path: string): Promise<boolean> {
    return this.#s.exclusive(async () => (await statIfExists(this.#s, path))?.type === "file");
  }

  /**
   * Whether a path is a directory.
   *
   * @param path The path.
   * @returns `true` for a directory.
   *
   * @example
   * ```ts
   * import { Client } from "anyftp";
   * await using client = await Client.connect("ftp://127.0.0.1:2121");
   * console.log(await client.isDir("/pub")); // true
   * ```
   */
  isDir(path: string): Promise<boolean> {
    return this.#s.exclusive(async () => (await statIfExists(this.#s, path))?.type === "dir");
  }

  /**
   * Size of a file in bytes (SIZE).
   *
   * @param path The file.
   * @returns The size.
   *
   * @example
   * ```ts
   * import { Client } from "anyftp";
   * await using client = await Client.connect("ftp://127.0.0.1:2121");
   * console.log(await client.size("/pub/a.txt")); // 5
   * ```
   */
  size(path: string): Promise<number> {
    return this.#s.exclusive(() => fileSize(this.#s, path));
  }

  /**
   * Modification time of a file (MDTM).
   *
   * @param path The file.
   * @returns The time (UTC, as RFC 3659 says).
   *
   * @example
   * ```ts
   * import { Client } from "anyftp";
   * await using client = await Client.connect("ftp://127.0.0.1:2121");
   * console.log((await client.lastModified("/pub/a.txt")).toISOString());
   * ```
   */
  lastModified(path: string): Promise<Date> {
    return this.#s.exclusive(() => modificationTime(this.#s, path));
  }

  /**
   * List a directory: MLSD, falling back to LIST (Unix and DOS formats, plus the custom
   * parser) when the server lacks it. `.` and `..` are left out. Await the result for an
   * array, or iterate it; while iterating, the client is free between directories, so the
   * loop body may use it.
   *
   * @param path The directory. @default "" (the working directory)
   * @param options Recursion, the listing command, abort signal. @default {}
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
    return listEntries(this.#s, path, options);
  }

  /**
   * Download a file as a stream (RETR, after REST when `offset` is given). The client is
   * busy until the stream ends, errors or is cancelled (cancel sends ABOR); other calls wait.
   * They do not wait forever: when the stream makes no progress (nobody reads it) for
   * `dataTimeout` while a call waits, that call rejects with {@linkcode StalledStreamError}
   * and the stream stays usable. So read the stream before awaiting another call on the same
   * client (or run both concurrently, or use a second client).
   *
   * @param path The remote file.
   * @param options Offset, abort signal, progress. @default {}
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
    const release = await this.#s.acquire();
    try {
      const offset = options.offset ?? 0;
      let total = options.total;
      let announced: number | undefined;
      if (options.stopAtSize || (options.onProgress && total === undefined)) {
        announced = await fileSize(this.#s, path).then((n) => n - offset, () => undefined);
        total ??= announced;
      }
      return await openRetrieve(this.#s, path, {
        offset,
        signal: options.signal,
        onProgress: options.onProgress,
        total,
        ...downloadLimit(options.maxSize, announced, options.stopAtSize),
        ascii: options.ascii,
        done: release,
        handedOut: true,
      });
    } catch (e) {
      release();
      throw e;
    }
  }

  /**
   * Upload to a file as a stream (STOR; with `offset`, REST first and the server writes in
   * place). Close the writer to finish: `close()` resolves when the server confirmed it.
   * Until then the client is busy, as with {@linkcode Client.downloadStream}: a call that
   * waits while nothing is written for `dataTimeout` rejects with
   * {@linkcode StalledStreamError}.
   *
   * @param path The remote file.
   * @param options Offset, abort signal, progress. @default {}
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
    return this.#store(`STOR ${path}`, options);
  }

  /**
   * Append to a file as a stream (APPE). The client is busy until the sink is closed or
   * aborted, as with {@linkcode Client.uploadStream}.
   *
   * @param path The remote file (created when missing).
   * @param options Abort signal, progress. @default {}
   * @returns The sink for the bytes to append.
   *
   * @example
   * ```ts
   * import { Client } from "anyftp";
   * await using client = await Client.connect("ftp://127.0.0.1:2121");
   * const sink = await client.appendStream("/log.txt");
   * await new Blob(["one more line\n"]).stream().pipeTo(sink);
   * ```
   */
  appendStream(path: string, options: TransferOptions = {}): Promise<WritableStream<Uint8Array>> {
    return this.#store(`APPE ${path}`, options);
  }

  async #store(command: string, options: TransferOptions): Promise<WritableStream<Uint8Array>> {
    const release = await this.#s.acquire();
    try {
      return await openStore(this.#s, command, {
        offset: options.offset ?? 0,
        signal: options.signal,
        onProgress: options.onProgress,
        total: options.total,
        ascii: options.ascii,
        done: release,
        handedOut: true,
      });
    } catch (e) {
      release();
      throw e;
    }
  }

  /**
   * Download a whole file into memory, at most `maxSize` bytes (256 MiB unless given): a
   * larger file fails with an `FtpError` after ABOR. Use {@linkcode Client.downloadStream}
   * or {@linkcode Client.download} for big files.
   *
   * @param path The remote file.
   * @param options Offset, abort signal, progress, `maxSize`, `stopAtSize`. @default {}
   * @returns Its bytes.
   *
   * @example
   * ```ts
   * import { Client } from "anyftp";
   * await using client = await Client.connect("ftp://127.0.0.1:2121");
   * const text = new TextDecoder().decode(await client.downloadData("/readme.txt"));
   * ```
   */
  async downloadData(path: string, options: TransferOptions = {}): Promise<Uint8Array> {
    const stream = await this.downloadStream(path, {
      ...options,
      maxSize: options.maxSize ?? DOWNLOAD_DATA_MAX,
    });
    return new Uint8Array(await new Response(stream).arrayBuffer());
  }

  /**
   * Upload bytes, text (UTF-8) or a stream to a file.
   *
   * @param data What to upload.
   * @param path The remote file.
   * @param options Offset, abort signal, progress, `append` to use APPE. @default {}
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
   * @param options `writeInto`, abort signal, progress. @default {}
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
    return this.#s.exclusive(() => uploadPath(this.#s, local, remote, options));
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
   * @param options `writeInto`, `resume`, abort signal, progress. @default {}
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
    return this.#s.exclusive(() => downloadPath(this.#s, remote, local, options));
  }

  /**
   * Abort the transfer in progress (ABOR; its stream errors with an `AbortError`), or send
   * ABOR on its own when nothing is being transferred. Does not wait in the queue.
   *
   * @returns Nothing; resolves once the server acknowledged.
   *
   * @example
   * ```ts
   * import { Client } from "anyftp";
   * await using client = await Client.connect("ftp://127.0.0.1:2121");
   * const stream = await client.downloadStream("/big.iso");
   * setTimeout(() => client.abort(), 1000); // reading `stream` then fails with an AbortError
   * ```
   */
  async abort(): Promise<void> {
    if (this.#s.transfer) {
      await this.#s.transfer.abort();
      return;
    }
    await this.#s.exclusive(async () => void await this.#s.execute("ABOR", ["2xx"]));
  }

  /**
   * Say goodbye (QUIT) and close the connection. A transfer in progress is aborted first.
   * Errors are ignored: the connection is closed either way.
   *
   * @returns Nothing.
   *
   * @example
   * ```ts
   * import { Client } from "anyftp";
   * const client = await Client.connect("ftp://127.0.0.1:2121");
   * await client.quit();
   * ```
   */
  quit(): Promise<void> {
    return this.#s.quit();
  }

  /**
   * Close the connection now, without QUIT. Idempotent.
   *
   * @example
   * ```ts
   * import { Client } from "anyftp";
   * const client = await Client.connect("ftp://127.0.0.1:2121");
   * client.close();
   * ```
   */
  close(): void {
    this.#s.close();
  }

  /**
   * QUIT and close, for `await using`.
   *
   * @returns Nothing.
   *
   * @example
   * ```ts
   * import { Client } from "anyftp";
   * {
   *   await using client = await Client.connect("ftp://127.0.0.1:2121");
   * } // QUIT sent here
   * ```
   */
  async [Symbol.asyncDispose](): Promise<void> {
    await this.#s.quit();
    this.#s.close();
  }
}
