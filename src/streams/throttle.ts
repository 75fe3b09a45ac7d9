/**
 * Bandwidth limits as shareable token buckets. One {@linkcode Throttle} can be shared by any
 * number of transfers (server-wide, per user, per connection; client read and write limits);
 * {@linkcode throttleStream} passes a byte stream through several of them at once.
 *
 * The bucket keeps an account rather than a timer: every transfer books the bytes it is about
 * to send and waits until the bucket's allowance covers its booking. Bookings are served in
 * order, and since streams book small pieces one at a time, transfers sharing a throttle take
 * turns and split the bandwidth evenly. Limits can change at any time; waiting transfers
 * re-plan at once. Only `setTimeout` and `performance.now` are used (web globals).
 *
 * @module
 */

/**
 * Time source of a {@linkcode Throttle}; injectable so tests can run on virtual time.
 *
 * @example
 * ```ts
 * import { Throttle, type ThrottleClock } from "./throttle.ts";
 * let now = 0;
 * const clock: ThrottleClock = { now: () => now, sleep: (ms) => Promise.resolve(void (now += ms)) };
 * const t = new Throttle({ bytesPerSecond: 1000, burst: 0, clock });
 * await t.take(500);
 * console.log(now); // 500
 * ```
 */
export interface ThrottleClock {
  /** Current time in milliseconds (monotonic). */
  now(): number;
  /** Resolve after `ms` milliseconds, or reject with the signal's reason when it aborts first. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

/**
 * The real clock: `performance.now()` and `setTimeout`.
 *
 * @example
 * ```ts
 * import { realClock } from "./throttle.ts";
 * await realClock.sleep(5);
 * console.log(realClock.now() > 0); // true
 * ```
 */
export const realClock: ThrottleClock = {
  now: () => performance.now(),
  sleep(ms, signal) {
    return new Promise((resolve, reject) => {
      if (signal?.aborted) return reject(signal.reason);
      const onAbort = () => {
        clearTimeout(timer);
        reject(signal!.reason);
      };
      const timer = setTimeout(() => {
        signal?.removeEventListener("abort", onAbort);
        resolve();
      }, Math.max(0, ms));
      signal?.addEventListener("abort", onAbort, { once: true });
    });
  },
};

/**
 * Options for {@linkcode Throttle}.
 *
 * @example
 * ```ts
 * import { Throttle, type ThrottleOptions } from "./throttle.ts";
 * const options: ThrottleOptions = { bytesPerSecond: 5 * 1024 * 1024, burst: 256 * 1024 };
 * const perUser = new Throttle(options);
 * ```
 */
export interface ThrottleOptions {
  /** The limit in bytes per second; `0` or `undefined` means unlimited. @default 0 */
  readonly bytesPerSecond?: number | undefined;
  /**
   * Bytes that may go at once after an idle period (the bucket size). Kept small so a limit
   * holds over short windows too. @default one tenth of a second's worth (`bytesPerSecond / 10`)
   */
  readonly burst?: number | undefined;
  /** Time source. @default realClock */
  readonly clock?: ThrottleClock | undefined;
}

/**
 * A token bucket that any number of transfers can share.
 *
 * @example
 * ```ts
 * import { Throttle, throttleStream } from "./throttle.ts";
 * const serverWide = new Throttle({ bytesPerSecond: 10_000_000 });
 * const perConnection = new Throttle({ bytesPerSecond: 1_000_000 });
 * const source = new Blob([new Uint8Array(100_000)]).stream();
 * const limited = source.pipeThrough(throttleStream([perConnection, serverWide]));
 * await limited.pipeTo(new WritableStream());
 * perConnection.bytesPerSecond = 0; // lift the limit at runtime
 * ```
 */
export class Throttle {
  #rate: number;
  #burst: number;
  #burstOption: number | undefined;
  #clock: ThrottleClock;
  /** Bytes booked since creation. */
  #booked = 0;
  /** Booked bytes given back by cancelled waits. */
  #refunded = 0;
  /** Bytes the bucket has allowed since creation (may run ahead of `#booked` by `#burst`). */
  #allowance: number;
  #last: number;
  #waiters = new Set<() => void>();

  /**
   * Create a Throttle.
   *
   * @param options The limit, burst size and clock.
   */
  constructor(options: ThrottleOptions = {}) {
    this.#clock = options.clock ?? realClock;
    this.#rate = checkRate(options.bytesPerSecond);
    this.#burstOption = options.burst === undefined ? undefined : checkRate(options.burst);
    this.#burst = this.#burstFor(this.#rate);
    this.#allowance = this.#burst; // start with a full bucket
    this.#last = this.#clock.now();
  }

  /** The limit in bytes per second (`0` = unlimited). Setting it re-plans waiting transfers. */
  get bytesPerSecond(): number {
    return this.#rate;
  }

  set bytesPerSecond(value: number) {
    const rate = checkRate(value);
    this.#refill(); // credit the time so far at the old rate
    this.#rate = rate;
    this.#burst = this.#burstFor(rate);
    if (rate === 0) this.#allowance = Math.max(this.#allowance, this.#booked);
    this.#allowance = Math.min(this.#allowance, this.#booked + this.#burst);
    this.#wakeAll();
  }

  /** The bucket size in bytes. */
  get burst(): number {
    return this.#burst;
  }

  /** Bytes that went (or are booked to go) through this throttle since it was created. */
  get totalBytes(): number {
    return this.#booked - this.#refunded;
  }

  /** Bytes booked but not yet covered by the allowance: how far behind the limit is. */
  get backlog(): number {
    this.#refill();
    return Math.max(0, this.#booked - this.#allowance);
  }

  /**
   * Book `bytes` now and say how long the caller must wait before sending them. For callers
   * that run their own timers; {@linkcode Throttle.take} does the waiting.
   *
   * @param bytes How many bytes are about to be sent.
   * @returns Milliseconds to wait (`0` = send now).
   *
   * @example
   * ```ts
   * import { Throttle } from "./throttle.ts";
   * const t = new Throttle({ bytesPerSecond: 1000, burst: 0 });
   * console.log(t.reserve(500)); // 500
   * ```
   */
  reserve(bytes: number): number {
    this.#refill();
    this.#booked += checkBytes(bytes);
    if (this.#rate === 0) {
      this.#allowance = Math.max(this.#allowance, this.#booked);
      return 0;
    }
    return Math.max(0, ((this.#booked - this.#allowance) / this.#rate) * 1000);
  }

  /**
   * Book `bytes` and wait until the limit allows sending them. When `signal` aborts, the
   * booking is given back (others sharing the throttle go sooner) and the promise rejects
   * with the signal's reason.
   *
   * @param bytes How many bytes are about to be sent.
   * @param options `signal` to stop waiting.
   * @returns When the bytes may be sent.
   *
   * @example
   * ```ts
   * import { Throttle } from "./throttle.ts";
   * const t = new Throttle({ bytesPerSecond: 1_000_000 });
   * await t.take(10_000);
   * ```
   */
  async take(bytes: number, options: { signal?: AbortSignal | undefined } = {}): Promise<void> {
    const { signal } = options;
    signal?.throwIfAborted();
    if (this.reserve(bytes) === 0) return;
    const target = this.#booked;
    try {
      for (;;) {
        this.#refill();
        // (a relative epsilon: float rounding must not leave a sub-nanosecond wait forever)
        if (this.#rate === 0 || target - this.#allowance <= 1e-9 * (1 + target)) return;
        await this.#sleep(((target - this.#allowance) / this.#rate) * 1000, signal);
        signal?.throwIfAborted();
      }
    } catch (e) {
      // Unsent bytes must not hold back the transfers booked after them.
      this.#allowance = Math.min(this.#allowance + bytes, this.#booked + this.#burst);
      this.#refunded += bytes;
      this.#wakeAll();
      throw e;
    }
  }

  #burstFor(rate: number): number {
    return this.#burstOption ?? rate / 10;
  }

  #refill(): void {
    const now = this.#clock.now();
    const elapsed = now - this.#last;
    this.#last = now;
    if (this.#rate > 0 && elapsed > 0) {
      this.#allowance = Math.min(
        this.#allowance + (this.#rate * elapsed) / 1000,
        this.#booked + this.#burst,
      );
    }
  }

  /** Sleep, woken early by a limit change or the caller's signal (the caller re-checks). */
  async #sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
    const wake = new AbortController();
    const onWake = () => wake.abort();
    this.#waiters.add(onWake);
    signal?.addEventListener("abort", onWake, { once: true });
    try {
      await this.#clock.sleep(ms, wake.signal);
    } catch {
      // woken early: the loop in take() decides what to do
    } finally {
      this.#waiters.delete(onWake);
      signal?.removeEventListener("abort", onWake);
    }
  }

  #wakeAll(): void {
    for (const wake of [...this.#waiters]) wake();
  }
}

/**
 * Options for {@linkcode throttleStream}.
 *
 * @example
 * ```ts
 * import { Throttle, throttleStream, type ThrottleStreamOptions } from "./throttle.ts";
 * const abort = new AbortController();
 * const options: ThrottleStreamOptions = { signal: abort.signal };
 * const limited = throttleStream([new Throttle({ bytesPerSecond: 1000 })], options);
 * ```
 */
export interface ThrottleStreamOptions {
  /** Stops waiting (the stream errors with the signal's reason), e.g. on ABOR. */
  readonly signal?: AbortSignal | undefined;
}

/**
 * A pass-through stream that holds every chunk to all the given throttles. Large chunks are
 * split (without copying) into pieces of about 1/16 s at the strictest limit, so limits hold
 * smoothly and transfers sharing a throttle interleave. When every throttle is unlimited,
 * chunks pass whole and are only counted.
 *
 * Each piece is booked on every throttle at once and goes when the slowest allows it, so no
 * throttle is ever exceeded and a shared one is not left idle while a piece waits on another.
 *
 * @param throttles The throttles every byte must pass (any may be unlimited).
 * @param options An abort signal.
 * @returns The transform stream.
 *
 * @example
 * ```ts
 * import { Throttle, throttleStream } from "./throttle.ts";
 * const limit = new Throttle({ bytesPerSecond: 50_000 });
 * const data = new Blob([new Uint8Array(10_000)]).stream();
 * await data.pipeThrough(throttleStream([limit])).pipeTo(new WritableStream());
 * console.log(limit.totalBytes); // 10000
 * ```
 */
export function throttleStream(
  throttles: readonly Throttle[],
  options: ThrottleStreamOptions = {},
): TransformStream<Uint8Array, Uint8Array> {
  const list = [...throttles];
  const { signal } = options;
  return new TransformStream<Uint8Array, Uint8Array>({
    async transform(chunk, controller) {
      let offset = 0;
      while (offset < chunk.byteLength) {
        const rate = strictestRate(list);
        if (rate === 0) {
          const rest = offset === 0 ? chunk : chunk.subarray(offset);
          for (const t of list) t.reserve(rest.byteLength);
          controller.enqueue(rest);
          return;
        }
        const size = pieceSize(rate);
        const piece = offset === 0 && chunk.byteLength <= size
          ? chunk
          : chunk.subarray(offset, offset + size);
        // Book every throttle at once and wait for the slowest: waiting for them one after
        // another would let the shared ones idle while a piece waits on its own limit.
        await Promise.all(list.map((t) => t.take(piece.byteLength, { signal })));
        controller.enqueue(piece);
        offset += piece.byteLength;
      }
    },
  });
}

/**
 * The piece size {@linkcode throttleStream} uses for a limit: about 1/16 s worth, between
 * 256 bytes and 64 KiB.
 *
 * @param bytesPerSecond The strictest active limit (> 0).
 * @returns Bytes per piece.
 *
 * @example
 * ```ts
 * import { pieceSize } from "./throttle.ts";
 * pieceSize(1_000_000); // 62500
 * ```
 */
export function pieceSize(bytesPerSecond: number): number {
  return Math.min(65536, Math.max(256, Math.floor(bytesPerSecond / 16)));
}

function strictestRate(throttles: readonly Throttle[]): number {
  let min = 0;
  for (const t of throttles) {
    const rate = t.bytesPerSecond;
    if (rate > 0 && (min === 0 || rate < min)) min = rate;
  }
  return min;
}

function checkRate(value: number | undefined): number {
  const rate = value ?? 0;
  if (!Number.isFinite(rate) || rate < 0) {
    throw new RangeError(`A byte rate must be a finite number ≥ 0 (0 = unlimited), got ${value}.`);
  }
  return rate;
}

function checkBytes(value: number): number {
  if (!Number.isFinite(value) || value < 0) {
    throw new RangeError(`A byte count must be a finite number ≥ 0, got ${value}.`);
  }
  return value;
}
