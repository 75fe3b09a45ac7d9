/**
 * Data connections of a session: passive (we listen, the client connects) and active (we
 * connect to the client's PORT/EPRT address). A passive channel accepts only connections
 * from the control connection's address and keeps waiting for the right peer; one that no
 * transfer claims within the data timeout closes itself and gives its port back (an idle
 * client must not sit on a port of the range, nor on an accepted connection).
 *
 * @module
 */

import type { Addr, Conn, Net } from "../net/types.ts";
import { unmapIPv4 } from "../protocol/address.ts";
import type { PooledListener } from "./_port_pool.ts";

/** A prepared data connection, used by at most one transfer. */
export interface DataChannel {
  /** `"passive"` or `"active"`. */
  readonly mode: "passive" | "active";
  /**
   * Get the connection: the accepted one (passive) or a fresh one (active).
   *
   * @param signal Aborts the wait (ABOR, session end).
   * @param timeoutMs Longest wait; then it rejects with {@linkcode DataConnectionTimeout}.
   * @returns The connection; the caller owns it and must close it.
   */
  connect(signal: AbortSignal, timeoutMs: number): Promise<Conn>;
  /** Close everything not handed out yet. Idempotent. */
  close(): void;
}

/** The data connection did not come (passive) or could not be made (active) in time. */
export class DataConnectionTimeout extends Error {
  /** @param ms The timeout. */
  constructor(ms: number) {
    super(`no data connection within ${ms} ms`);
    this.name = "DataConnectionTimeout";
  }
}

/** Whether two numeric addresses are the same host (IPv4-mapped IPv6 counts as IPv4). */
export function sameHost(a: string, b: string): boolean {
  return unmapIPv4(a).toLowerCase() === unmapIPv4(b).toLowerCase();
}

/** Passive mode: listen and accept the first connection from the expected host. */
export class PassiveChannel implements DataChannel {
  readonly mode = "passive";
  /** The bound port. */
  readonly port: number;
  #pooled: PooledListener;
  #expected: string;
  #onRejected: (from: Addr) => void;
  #conn: Conn | undefined;
  #taken = false;
  #closed = false;
  #waiters = new Set<() => void>();
  #unclaimed: ReturnType<typeof setTimeout> | undefined;

  /**
   * @param pooled The listener (its release returns the port).
   * @param expectedHost The control connection's remote address.
   * @param onRejected Called for each connection from another address (it is closed).
   * @param unclaimedMs Closes itself when no transfer called `connect` within this time.
   */
  constructor(
    pooled: PooledListener,
    expectedHost: string,
    onRejected: (from: Addr) => void,
    unclaimedMs = Infinity,
  ) {
    this.#pooled = pooled;
    this.port = pooled.listener.addr.port;
    this.#expected = expectedHost;
    this.#onRejected = onRejected;
    if (Number.isFinite(unclaimedMs)) this.#unclaimed = setTimeout(() => this.close(), unclaimedMs);
    this.#acceptLoop();
  }

  async #acceptLoop(): Promise<void> {
    const it = this.#pooled.listener[Symbol.asyncIterator]();
    try {
      while (!this.#closed) {
        const next = await it.next();
        if (next.done) break;
        const conn = next.value;
        if (this.#closed || this.#conn || !sameHost(conn.remoteAddr.hostname, this.#expected)) {
          if (!this.#closed && !this.#conn) this.#onRejected(conn.remoteAddr);
          conn.close();
          continue;
        }
        this.#conn = conn;
        this.#pooled.release(); // one connection per channel: free the port now
        break;
      }
    } catch {
      // listener failed or closed: waiters see "closed"
    } finally {
      this.#pooled.release();
      for (const wake of this.#waiters) wake();
    }
  }

  connect(signal: AbortSignal, timeoutMs: number): Promise<Conn> {
    clearTimeout(this.#unclaimed);
    // The usual case: the client connected right after the 227/229 reply, before its
    // RETR/STOR/LIST arrived. No timer, no listeners.
    if (this.#conn && !this.#taken && !this.#closed && !signal.aborted) {
      this.#taken = true;
      return Promise.resolve(this.#conn);
    }
    return new Promise<Conn>((resolve, reject) => {
      let timedOut = false;
      const check = (): boolean => {
        if (this.#conn && !this.#taken) {
          this.#taken = true;
          resolve(this.#conn);
          return true;
        }
        if (signal.aborted) {
          reject(signal.reason);
          return true;
        }
        if (timedOut) {
          reject(new DataConnectionTimeout(timeoutMs));
          return true;
        }
        if (this.#closed || this.#taken) {
          reject(new Error("the passive data channel is closed"));
          return true;
        }
        return false;
      };
      if (check()) return;
      const wake = () => {
        if (check()) cleanup();
      };
      const timer = setTimeout(() => {
        timedOut = true;
        wake();
      }, timeoutMs);
      const cleanup = () => {
        clearTimeout(timer);
        this.#waiters.delete(wake);
        signal.removeEventListener("abort", wake);
      };
      this.#waiters.add(wake);
      signal.addEventListener("abort", wake);
    });
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    clearTimeout(this.#unclaimed);
    this.#pooled.release();
    if (this.#conn && !this.#taken) this.#conn.close();
    for (const wake of this.#waiters) wake();
  }
}

/** Active mode: connect to the address the client gave with PORT/EPRT. */
export class ActiveChannel implements DataChannel {
  readonly mode = "active";
  #net: Net;
  #target: { hostname: string; port: number };
  #used = false;
  #abort = new AbortController();

  /**
   * @param net The adapter.
   * @param target The client's data address (already checked against bounce attacks).
   */
  constructor(net: Net, target: { hostname: string; port: number }) {
    this.#net = net;
    this.#target = target;
  }

  async connect(signal: AbortSignal, timeoutMs: number): Promise<Conn> {
    if (this.#used) throw new Error("the active data channel was used already");
    this.#used = true;
    const timer = new AbortController();
    const timeout = setTimeout(() => timer.abort(new DataConnectionTimeout(timeoutMs)), timeoutMs);
    const all = AbortSignal.any([signal, this.#abort.signal, timer.signal]);
    try {
      return await this.#net.connect({ hostname: this.#target.hostname, port: this.#target.port, signal: all });
    } finally {
      clearTimeout(timeout);
    }
  }

  close(): void {
    this.#abort.abort(new Error("data channel closed"));
  }
}
