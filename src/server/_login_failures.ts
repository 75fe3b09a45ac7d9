/**
 * Failed logins per client address, across sessions (as Pure-FTPd does): each failure from
 * an address doubles the delay before its next failure is answered, and an address with too
 * many recent failures is refused outright until they are old enough to be forgotten. One
 * session's limit alone allows a hundred parallel sessions a hundred guesses per second.
 *
 * @module
 */

/** Longest growth of the delay: at most this many times the base delay. */
const MAX_DELAY_FACTOR = 16;
/** Most addresses remembered (the oldest entry is forgotten past it). */
const MAX_ADDRESSES = 10_000;

/** Recent failed logins per address. */
export class LoginFailures {
  #baseDelay: number;
  #maxPerIp: number;
  #windowMs: number;
  #now: () => number;
  /** Address → times of its recent failures, oldest first. */
  #byIp = new Map<string, number[]>();
  /** Address → passwords being checked now (they count, so parallel guesses are bounded too). */
  #pending = new Map<string, number>();

  /**
   * @param baseDelay Delay after a first failure (ms).
   * @param maxPerIp Failures within the window after which the address is refused.
   * @param windowMs How long a failure counts (ms).
   * @param now Clock (ms).
   */
  constructor(
    baseDelay: number,
    maxPerIp: number,
    windowMs: number,
    now: () => number = () => performance.now(),
  ) {
    this.#baseDelay = baseDelay;
    this.#maxPerIp = maxPerIp;
    this.#windowMs = windowMs;
    this.#now = now;
  }

  #recent(ip: string): number[] {
    const list = this.#byIp.get(ip);
    if (!list) return [];
    const cutoff = this.#now() - this.#windowMs;
    while (list.length > 0 && list[0]! <= cutoff) list.shift();
    if (list.length === 0) this.#byIp.delete(ip);
    return list;
  }

  /**
   * Start checking a password from `ip`, unless the address is refused now (too many recent
   * failures, counting the checks still running once it has failed). Call
   * {@linkcode LoginFailures.end} after.
   *
   * @param ip Client address.
   * @returns False when refused (then do not call `end`).
   */
  begin(ip: string): boolean {
    const pending = this.#pending.get(ip) ?? 0;
    const recent = this.#recent(ip).length;
    // Checks in flight count only once the address has failed (many good parallel logins
    // from one address are fine; parallel guesses after a failure are not).
    if (recent + (recent > 0 ? pending : 0) >= this.#maxPerIp) return false;
    this.#pending.set(ip, pending + 1);
    return true;
  }

  /**
   * A password check started with {@linkcode LoginFailures.begin} is over.
   *
   * @param ip Client address.
   */
  end(ip: string): void {
    const n = (this.#pending.get(ip) ?? 1) - 1;
    if (n <= 0) this.#pending.delete(ip);
    else this.#pending.set(ip, n);
  }

  /**
   * Record a failure and get how long to wait before answering it.
   *
   * @param ip Client address.
   * @returns The delay in ms: the base delay doubled for each earlier recent failure, capped.
   */
  record(ip: string): number {
    const list = this.#recent(ip);
    const delay = this.#baseDelay * Math.min(2 ** list.length, MAX_DELAY_FACTOR);
    list.push(this.#now());
    if (!this.#byIp.has(ip)) {
      if (this.#byIp.size >= MAX_ADDRESSES) this.#byIp.delete(this.#byIp.keys().next().value!);
      this.#byIp.set(ip, list);
    }
    return delay;
  }
}
