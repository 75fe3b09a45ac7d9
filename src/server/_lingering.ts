/**
 * Data connections of finished downloads that wait for the client to close its side. The
 * server already closed its writing side (FIN, or TLS close_notify); tearing the socket down
 * at once can cut a TLS peer still reading the last records, so it lingers, but briefly and
 * in bounded numbers: a client that loops RETR and never closes its ends must not pile up
 * sockets (and file descriptors). Each lingers at most the data connection timeout (the data
 * may still be in flight in kernel buffers on a slow link, and closing a socket with unread
 * input resets it); past the per-session or the server-wide cap, the oldest is closed at once.
 *
 * @module
 */

import type { Conn } from "../net/types.ts";

/** Most lingering connections per session. */
export const LINGER_PER_SESSION = 4;
/** Most lingering connections in the whole server. */
export const LINGER_TOTAL = 256;

/** The server-wide set of lingering data connections. */
export class LingeringConns {
  /** Every lingering connection, oldest first, with its session. */
  #all = new Map<Conn, object>();
  #perOwner = new Map<object, Set<Conn>>();
  #perSession: number;
  #total: number;
  #lingerMs: number;

  /**
   * @param lingerMs Longest linger (the server's data connection timeout).
   * @param perSession Most per session.
   * @param total Most in all.
   */
  constructor(lingerMs: number, perSession = LINGER_PER_SESSION, total = LINGER_TOTAL) {
    this.#lingerMs = lingerMs;
    this.#perSession = perSession;
    this.#total = total;
  }

  /** Connections lingering now. */
  get size(): number {
    return this.#all.size;
  }

  /**
   * Let a connection linger until the client closes it, the time is up, or the caps push it
   * out.
   *
   * @param owner The session it belongs to.
   * @param conn The data connection (its writing side closed).
   */
  add(owner: object, conn: Conn): void {
    // Make room first: a drop can empty and forget this owner's set, so look it up after.
    const before = this.#perOwner.get(owner);
    while (before && before.size >= this.#perSession) this.#drop(before.values().next().value!);
    while (this.#all.size >= this.#total) this.#drop(this.#all.keys().next().value!);
    let mine = this.#perOwner.get(owner);
    if (!mine) {
      mine = new Set();
      this.#perOwner.set(owner, mine);
    }
    mine.add(conn);
    this.#all.set(conn, owner);
    // Read (and drop) whatever the client still sends: a socket nobody reads never reports
    // the client's FIN, so without this every linger would last until its timer.
    if (!conn.readable.locked) void conn.readable.pipeTo(new WritableStream()).catch(() => {});
    const timer = setTimeout(() => this.#drop(conn), this.#lingerMs);
    void conn.closed.then(() => {
      clearTimeout(timer);
      this.#drop(conn);
    }, () => {
      clearTimeout(timer);
      this.#drop(conn);
    });
  }

  /**
   * Close every lingering connection of a session (it ended).
   *
   * @param owner The session.
   */
  closeAll(owner: object): void {
    for (const conn of [...(this.#perOwner.get(owner) ?? [])]) this.#drop(conn);
  }

  #drop(conn: Conn): void {
    conn.close();
    const owner = this.#all.get(conn);
    if (owner === undefined) return;
    this.#all.delete(conn);
    const mine = this.#perOwner.get(owner);
    mine?.delete(conn);
    if (mine?.size === 0) this.#perOwner.delete(owner);
  }
}
