/**
 * Passive data ports: either any free port or a configured range, handed out round-robin and
 * returned when the passive listener closes.
 *
 * "Any free port" does not bind to port 0 for every transfer: each data connection of a
 * download is closed by the server first, so its port sits in TIME_WAIT for a minute, and
 * with thousands of those around the kernel's search for a port that no socket holds costs
 * milliseconds per bind (measured: 21 µs with 3,800 TIME_WAIT sockets, 1.5 ms with 12,000,
 * 5 ms with 10,000 plus other load). Instead the pool remembers the ports it got from port 0
 * and, once it has a few dozen, binds the one freed longest ago again: address reuse lets a
 * listener bind a port that only TIME_WAIT sockets hold (as vsftpd does with its range), and
 * rotating over many ports keeps each port's TIME_WAIT list short. A remembered port that
 * someone else took meanwhile fails to bind and is forgotten.
 *
 * In a range, ports are chosen unpredictably (a client must not guess the next client's data
 * port): random ports are tried first, then the range is scanned from a random place. Each
 * client address may hold only so many passive ports at once, so that one client cannot take
 * the whole range.
 *
 * @module
 */

import { ConnectError, NoAvailablePortError } from "../errors.ts";
import type { Listener, Net } from "../net/types.ts";

/** A passive listener and the function that gives its port back. */
export interface PooledListener {
  /** The bound listener. */
  readonly listener: Listener;
  /** Close the listener and return its port to the pool. Idempotent. */
  release(): void;
}

/** Ports the OS chose that rotate before a remembered one is bound again (spreads TIME_WAIT). */
const REUSE_MIN = 32;
/** Most remembered ports per local address. */
const REUSE_MAX = 256;
/** Remembered ports tried per open before falling back to a fresh port from the OS. */
const REUSE_TRIES = 3;
/** Most local addresses with remembered ports (a server has a few). */
const MAX_ADDRESSES = 16;

/** A client address already holds as many passive ports as it may. */
export class PassivePortsPerIpError extends Error {
  /** @param limit The per-address maximum. */
  constructor(limit: number) {
    super(`this address already holds ${limit} passive ports`);
    this.name = "PassivePortsPerIpError";
  }
}

/** Random ports tried in a range before scanning it. */
const RANDOM_TRIES = 8;

/** A random integer in `[0, n)`. */
function randomBelow(n: number): number {
  return crypto.getRandomValues(new Uint32Array(1))[0]! % n;
}

/** Hands out passive listeners, bounded by an optional port range. */
export class PortPool {
  #min: number;
  #max: number;
  #ranged: boolean;
  #used = new Set<number>();
  /** Without a range: per local address, ports the OS gave us, freed longest ago first. */
  #freed = new Map<string, number[]>();
  #perClient = new Map<string, number>();
  #maxPerClient: number;

  /**
   * @param range Inclusive port range, or `undefined` for any free port.
   * @param maxPerClient Most ports one client address holds at once.
   */
  constructor(range?: { readonly min: number; readonly max: number }, maxPerClient = Infinity) {
    this.#maxPerClient = maxPerClient;
    this.#ranged = range !== undefined;
    this.#min = range?.min ?? 0;
    this.#max = range?.max ?? 0;
    if (this.#ranged && !(this.#min >= 1 && this.#max <= 65535 && this.#min <= this.#max)) {
      throw new RangeError(`Bad passive port range ${this.#min}-${this.#max}: use 1 <= min <= max <= 65535.`);
    }
  }

  /** Ports currently handed out (only counted with a range). */
  get inUse(): number {
    return this.#used.size;
  }

  /**
   * Bind a passive listener.
   *
   * @param net The adapter.
   * @param hostname The address to bind (the control connection's local address).
   * @param client The client's address (counted against the per-client maximum).
   * @returns The listener and its release function.
   * @throws {NoAvailablePortError} When every port of the range is taken or cannot be bound.
   * @throws {PassivePortsPerIpError} When `client` holds the most ports it may.
   */
  async open(net: Net, hostname: string, client = ""): Promise<PooledListener> {
    const held = this.#perClient.get(client) ?? 0;
    if (held >= this.#maxPerClient) throw new PassivePortsPerIpError(this.#maxPerClient);
    // Counted before the bind, so concurrent opens of one client cannot pass the limit.
    this.#perClient.set(client, held + 1);
    let counted = true;
    const uncount = () => {
      if (!counted) return;
      counted = false;
      const n = (this.#perClient.get(client) ?? 1) - 1;
      if (n <= 0) this.#perClient.delete(client);
      else this.#perClient.set(client, n);
    };
    let pooled: PooledListener;
    try {
      pooled = this.#ranged ? await this.#openInRange(net, hostname) : await this.#openAny(net, hostname);
    } catch (e) {
      uncount();
      throw e;
    }
    return {
      listener: pooled.listener,
      release: () => {
        pooled.release();
        uncount();
      },
    };
  }

  async #openAny(net: Net, hostname: string): Promise<PooledListener> {
    const freed = this.#freed.get(hostname);
    let listener: Listener | undefined;
    for (let tries = 0; !listener && freed && freed.length >= REUSE_MIN && tries < REUSE_TRIES; tries++) {
      try {
        listener = await net.listen({ hostname, port: freed.shift()!, backlog: 16 });
      } catch (e) {
        if (!(e instanceof ConnectError)) throw e; // taken by someone else: forget it
      }
    }
    listener ??= await net.listen({ hostname, port: 0, backlog: 16 });
    const bound = listener;
    let done = false;
    return {
      listener: bound,
      release: () => {
        if (done) return;
        done = true;
        bound.close();
        this.#remember(hostname, bound.addr.port);
      },
    };
  }

  #remember(hostname: string, port: number): void {
    let freed = this.#freed.get(hostname);
    if (!freed) {
      if (this.#freed.size >= MAX_ADDRESSES) return;
      freed = [];
      this.#freed.set(hostname, freed);
    }
    if (freed.length < REUSE_MAX) freed.push(port);
  }

  async #openInRange(net: Net, hostname: string): Promise<PooledListener> {
    const size = this.#max - this.#min + 1;
    const start = randomBelow(size);
    for (let tries = 0; tries < size + RANDOM_TRIES; tries++) {
      const port = this.#min + (tries < RANDOM_TRIES ? randomBelow(size) : (start + tries) % size);
      if (this.#used.has(port)) continue;
      let listener: Listener;
      this.#used.add(port); // before the bind: a concurrent open skips it meanwhile
      try {
        listener = await net.listen({ hostname, port, backlog: 16 });
      } catch (e) {
        this.#used.delete(port);
        if (e instanceof ConnectError) continue; // in use by someone else: try another
        throw e;
      }
      let done = false;
      return {
        listener,
        release: () => {
          if (done) return;
          done = true;
          listener.close();
          this.#used.delete(port);
        },
      };
    }
    throw new NoAvailablePortError(`${this.#min}-${this.#max}`);
  }
}
