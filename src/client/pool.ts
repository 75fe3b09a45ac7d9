/**
 * A small pool of FTP clients to one server, for parallel transfers.
 *
 * @module
 */

import { ConnectionClosedError, FtpError, FtpTimeoutError, StatusCodeError } from "../errors.ts";
import { Client } from "./client.ts";
import { repliesRead } from "./_reply_count.ts";
import { StalledStreamError } from "./stalled_stream_error.ts";
import type { ClientOptions, ConnectTarget, CopyOptions, TransferOptions } from "./options.ts";

/**
 * Options of a {@linkcode ClientPool}.
 *
 * @example
 * ```ts
 * import type { ClientPoolOptions } from "anyftp";
 * const options: ClientPoolOptions = { size: 8, speedLimits: { download: 10_000_000 } };
 * ```
 */
export interface ClientPoolOptions extends ClientOptions {
  /** Most connections open at once. @default 4 */
  readonly size?: number | undefined;
  /**
   * Send NOOP on a connection that has been idle in the pool this long (ms), so servers with
   * an idle timeout keep it; a connection whose NOOP fails is dropped. While the option is on
   * and connections are idle, a timer runs: close the pool when done. @default 0 (no keepalive)
   */
  readonly keepAlive?: number | undefined;
}

interface Waiter {
  resolve(client: Client): void;
  reject(error: unknown): void;
}

/**
 * Up to `size` logged-in clients to one server, opened on demand and reused. Tasks queue
 * for a free client; each task's failure is its own: other tasks go on, and a client whose
 * connection broke (closed, timed out, 421 from the server) is dropped and replaced by a
 * fresh one later. A task that fails because its connection was found broken before the
 * server answered any of its commands (a server that closed an idle connection) runs once
 * more on a fresh connection.
 *
 * @example
 * ```ts
 * import { ClientPool } from "anyftp";
 * await using pool = new ClientPool("ftp://alice:secret@127.0.0.1:2121", { size: 4 });
 * const names = ["a.bin", "b.bin", "c.bin", "d.bin", "e.bin"];
 * const results = await Promise.allSettled(names.map((n) => pool.download(`/pub/${n}`, "./downloads")));
 * const sizes = await pool.run((client) => client.size("/pub/a.bin"));
 * ```
 */
export class ClientPool {
  #target: string | URL | ConnectTarget;
  #options: ClientOptions;
  #size: number;
  #idle: Client[] = [];
  #open = 0;
  #queue: Waiter[] = [];
  #closed = false;
  #keepAlive: number;
  #lastUsed = new WeakMap<Client, number>();
  #timer: ReturnType<typeof setInterval> | undefined;

  /**
   * A pool that opens no connection until the first task needs one.
   *
   * @param target The server: URL or address and credentials, as for {@linkcode Client.connect}.
   * @param options Pool size and the options of every client.
   */
  constructor(target: string | URL | ConnectTarget, options: ClientPoolOptions = {}) {
    const { size, keepAlive, ...clientOptions } = options;
    this.#size = Math.max(1, Math.floor(size ?? 4));
    this.#keepAlive = keepAlive !== undefined && keepAlive > 0 && keepAlive !== Infinity
      ? keepAlive
      : 0;
    this.#target = target;
    this.#options = clientOptions;
  }

  /** Most connections the pool opens. */
  get size(): number {
    return this.#size;
  }

  /** Connections open now (idle or in use). */
  get open(): number {
    return this.#open;
  }

  /** Tasks waiting for a free client. */
  get pending(): number {
    return this.#queue.length;
  }

  /**
   * Run a task with a client of the pool. The client is the task's alone until it settles;
   * don't keep it afterwards.
   *
   * @param task What to do with the client.
   * @returns The task's result.
   *
   * @example
   * ```ts
   * import { ClientPool } from "anyftp";
   * await using pool = new ClientPool("ftp://127.0.0.1:2121", { size: 2 });
   * const listing = await pool.run(async (c) => await c.list("/"));
   * ```
   */
  async run<T>(task: (client: Client) => Promise<T>): Promise<T> {
    for (let attempt = 0;; attempt++) {
      const client = await this.#acquire();
      const before = repliesRead(client);
      let broken = false;
      try {
        return await task(client);
      } catch (e) {
        // A stalled stream still holds the client's queue: it cannot serve another task.
        broken = !client.connected || isConnectionLoss(e) || e instanceof FtpTimeoutError ||
          e instanceof StalledStreamError;
        // Nothing of the task reached the server: try once more on a fresh connection.
        if (attempt === 0 && !this.#closed && isConnectionLoss(e) && repliesRead(client) === before) {
          continue;
        }
        throw e;
      } finally {
        this.#release(client, broken);
      }
    }
  }

  /**
   * Download with a pooled client ({@linkcode Client.download}).
   *
   * @param remote The remote file or directory.
   * @param local The local destination.
   * @param options As for {@linkcode Client.download}.
   * @returns Nothing.
   */
  download(remote: string, local: string, options: CopyOptions = {}): Promise<void> {
    return this.run((c) => c.download(remote, local, options));
  }

  /**
   * Upload with a pooled client ({@linkcode Client.upload}).
   *
   * @param local The local file or directory.
   * @param remote The remote destination.
   * @param options As for {@linkcode Client.upload}.
   * @returns Nothing.
   */
  upload(local: string, remote: string, options: CopyOptions = {}): Promise<void> {
    return this.run((c) => c.upload(local, remote, options));
  }

  /**
   * Download a file into memory with a pooled client.
   *
   * @param path The remote file.
   * @param options As for {@linkcode Client.downloadData}.
   * @returns Its bytes.
   */
  downloadData(path: string, options: TransferOptions = {}): Promise<Uint8Array> {
    return this.run((c) => c.downloadData(path, options));
  }

  /**
   * Upload bytes or text with a pooled client.
   *
   * @param data The content.
   * @param path The remote file.
   * @param options As for {@linkcode Client.uploadData}.
   * @returns Nothing.
   */
  uploadData(
    data: Uint8Array | string,
    path: string,
    options: TransferOptions & { append?: boolean } = {},
  ): Promise<void> {
    return this.run((c) => c.uploadData(data, path, options));
  }

  /**
   * Stop: waiting tasks are rejected, idle clients quit, busy ones quit when their task ends.
   *
   * @returns Nothing.
   */
  async close(): Promise<void> {
    this.#closed = true;
    clearInterval(this.#timer);
    this.#timer = undefined;
    for (const w of this.#queue.splice(0)) w.reject(new FtpError("The client pool was closed."));
    const idle = this.#idle.splice(0);
    this.#open -= idle.length;
    await Promise.all(idle.map((c) => c.quit().catch(() => {})));
  }

  /** Same as {@linkcode ClientPool.close}, for `await using`. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }

  async #acquire(): Promise<Client> {
    if (this.#closed) throw new FtpError("The client pool is closed.");
    while (this.#idle.length > 0) {
      const c = this.#idle.pop()!;
      if (c.connected) return c;
      this.#open--;
    }
    if (this.#open < this.#size) return await this.#connect();
    return await new Promise<Client>((resolve, reject) => this.#queue.push({ resolve, reject }));
  }

  async #connect(): Promise<Client> {
    this.#open++;
    try {
      return await Client.connect(this.#target, this.#options);
    } catch (e) {
      this.#open--;
      // Let a waiter try its own connection rather than wait for one that never comes.
      this.#wakeOne();
      throw e;
    }
  }

  #release(client: Client, broken: boolean): void {
    if (broken || !client.connected || this.#closed) {
      this.#open--;
      if (this.#closed) void client.quit().catch(() => {});
      else client.close();
      this.#wakeOne();
      return;
    }
    const waiter = this.#queue.shift();
    if (waiter) waiter.resolve(client);
    else {
      this.#idle.push(client);
      this.#lastUsed.set(client, Date.now());
      this.#startKeepAlive();
    }
  }

  /** Tick every half interval while idle clients exist; NOOP those idle for `keepAlive`. */
  #startKeepAlive(): void {
    if (this.#keepAlive === 0 || this.#timer !== undefined) return;
    this.#timer = setInterval(() => {
      if (this.#idle.length === 0 || this.#closed) {
        clearInterval(this.#timer);
        this.#timer = undefined;
        return;
      }
      const now = Date.now();
      for (const c of this.#idle) {
        if (now - (this.#lastUsed.get(c) ?? now) < this.#keepAlive) continue;
        this.#lastUsed.set(c, now);
        c.command("NOOP", { expected: ["2xx"] }).catch(() => this.#drop(c));
      }
    }, Math.max(10, this.#keepAlive / 2));
  }

  /** Forget an idle client whose connection failed. */
  #drop(client: Client): void {
    const i = this.#idle.indexOf(client);
    if (i < 0) return; // In use: its task finds out.
    this.#idle.splice(i, 1);
    this.#open--;
    client.close();
    this.#wakeOne();
  }

  #wakeOne(): void {
    if (this.#closed || this.#queue.length === 0 || this.#open >= this.#size) return;
    const waiter = this.#queue.shift()!;
    this.#connect().then(waiter.resolve, waiter.reject);
  }
}

/** The connection is gone: closed under the task, or the server said 421 (closing). */
function isConnectionLoss(e: unknown): boolean {
  return e instanceof ConnectionClosedError ||
    (e instanceof StatusCodeError && e.received === "421");
}
