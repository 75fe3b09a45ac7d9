import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { setImmediate } from "node:timers";
import {
  pieceSize,
  realClock,
  Throttle,
  type ThrottleClock,
  throttleStream,
} from "../src/streams/throttle.ts";

/** Virtual time: sleeps resolve only when the test advances the clock. */
class FakeClock implements ThrottleClock {
  t = 0;
  #timers: { at: number; resolve: () => void }[] = [];

  now(): number {
    return this.t;
  }

  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    return new Promise((resolve, reject) => {
      if (signal?.aborted) return reject(signal.reason);
      const timer = {
        at: this.t + Math.max(0, ms),
        resolve: () => {
          signal?.removeEventListener("abort", onAbort);
          resolve();
        },
      };
      const onAbort = () => {
        this.#timers = this.#timers.filter((x) => x !== timer);
        reject(signal!.reason);
      };
      signal?.addEventListener("abort", onAbort, { once: true });
      this.#timers.push(timer);
    });
  }

  get pendingTimers(): number {
    return this.#timers.length;
  }

  /** Let promise chains and stream internals run (real macrotask turns). */
  async settle(): Promise<void> {
    for (let i = 0; i < 2; i++) await new Promise((r) => setImmediate(r));
  }

  /** Fire due timers until `done()` or until virtual time passes `limit` ms. */
  async run(done: () => boolean, limit = 1e7): Promise<void> {
    for (let steps = 0; steps < 100_000; steps++) {
      await this.settle();
      if (done()) return;
      if (this.#timers.length === 0) throw new Error("nothing to wait for, but not done");
      this.#timers.sort((a, b) => a.at - b.at);
      const next = this.#timers.shift()!;
      if (next.at > limit) throw new Error(`virtual time limit ${limit} passed`);
      this.t = Math.max(this.t, next.at);
      next.resolve();
    }
    throw new Error("too many steps");
  }

  /** Advance to `until`, firing the timers due on the way. */
  async advanceTo(until: number): Promise<void> {
    for (let steps = 0; steps < 100_000; steps++) {
      await this.settle();
      this.#timers.sort((a, b) => a.at - b.at);
      const next = this.#timers[0];
      if (next === undefined || next.at > until) {
        this.t = until;
        await this.settle();
        return;
      }
      this.#timers.shift();
      this.t = Math.max(this.t, next.at);
      next.resolve();
    }
  }
}

function source(bytes: number, chunk = bytes): ReadableStream<Uint8Array> {
  let sent = 0;
  return new ReadableStream({
    pull(c) {
      if (sent >= bytes) return c.close();
      const n = Math.min(chunk, bytes - sent);
      c.enqueue(new Uint8Array(n).fill(sent & 0xff));
      sent += n;
    },
  });
}

/** A sink that records how many bytes arrived and when (virtual time). */
function sink(clock: FakeClock) {
  const log: { t: number; n: number }[] = [];
  let total = 0;
  let done = false;
  return {
    log,
    get total() {
      return total;
    },
    get done() {
      return done;
    },
    writable: new WritableStream<Uint8Array>({
      write(c) {
        total += c.byteLength;
        log.push({ t: clock.now(), n: c.byteLength });
      },
      close() {
        done = true;
      },
    }),
  };
}

describe("Throttle accounting", () => {
  it("reserve gives the wait from the rate once the burst is used", () => {
    const clock = new FakeClock();
    const t = new Throttle({ bytesPerSecond: 1000, burst: 100, clock });
    assert.equal(t.reserve(100), 0); // the full bucket
    assert.equal(t.reserve(500), 500);
    assert.equal(t.reserve(500), 1000);
    assert.equal(t.backlog, 1000);
    clock.t = 400;
    assert.equal(t.backlog, 600);
    assert.equal(t.reserve(0), 600);
    assert.equal(t.totalBytes, 1100);
  });

  it("idle time refills only up to the burst", () => {
    const clock = new FakeClock();
    const t = new Throttle({ bytesPerSecond: 1000, burst: 200, clock });
    clock.t = 60_000; // a minute idle
    assert.equal(t.reserve(200), 0);
    assert.equal(t.reserve(1000), 1000);
  });

  it("the default burst is a tenth of a second", () => {
    const t = new Throttle({ bytesPerSecond: 5000, clock: new FakeClock() });
    assert.equal(t.burst, 500);
    t.bytesPerSecond = 10_000;
    assert.equal(t.burst, 1000);
    const fixed = new Throttle({ bytesPerSecond: 5000, burst: 7, clock: new FakeClock() });
    fixed.bytesPerSecond = 9000;
    assert.equal(fixed.burst, 7);
  });

  it("unlimited throttles never wait but still count", () => {
    const t = new Throttle({ clock: new FakeClock() });
    assert.equal(t.bytesPerSecond, 0);
    assert.equal(t.reserve(1e9), 0);
    assert.equal(t.reserve(1e9), 0);
    assert.equal(t.totalBytes, 2e9);
    assert.equal(t.backlog, 0);
  });

  it("changing the rate re-plans the backlog at the new rate", () => {
    const clock = new FakeClock();
    const t = new Throttle({ bytesPerSecond: 1000, burst: 0, clock });
    assert.equal(t.reserve(1000), 1000);
    clock.t = 500; // 500 bytes covered at the old rate
    t.bytesPerSecond = 100;
    assert.equal(t.reserve(0), 5000); // 500 left at 100 B/s
    t.bytesPerSecond = 0;
    assert.equal(t.reserve(0), 0);
    assert.equal(t.backlog, 0);
    t.bytesPerSecond = 1000; // limited again: no debt carried over from the unlimited time
    assert.equal(t.reserve(1000), 1000);
  });

  it("rejects invalid rates and byte counts", () => {
    assert.throws(() => new Throttle({ bytesPerSecond: -1 }), RangeError);
    assert.throws(() => new Throttle({ bytesPerSecond: NaN }), RangeError);
    const t = new Throttle({ bytesPerSecond: 1 });
    assert.throws(() => (t.bytesPerSecond = Infinity), RangeError);
    assert.throws(() => t.reserve(-5), RangeError);
  });

  it("pieceSize is about 1/16 s, within 256 B .. 64 KiB", () => {
    assert.equal(pieceSize(1_000_000), 62_500);
    assert.equal(pieceSize(100), 256);
    assert.equal(pieceSize(1e12), 65_536);
  });
});

describe("Throttle.take on virtual time", () => {
  it("waits exactly the planned time", async () => {
    const clock = new FakeClock();
    const t = new Throttle({ bytesPerSecond: 1000, burst: 0, clock });
    let done = false;
    const p = t.take(2500).then(() => (done = true));
    await clock.run(() => done);
    await p;
    assert.equal(clock.t, 2500);
  });

  it("a rate change wakes waiters, who re-plan (lifting the limit releases them now)", async () => {
    const clock = new FakeClock();
    const t = new Throttle({ bytesPerSecond: 10, burst: 0, clock });
    let done = false;
    const p = t.take(1000).then(() => (done = true)); // 100 s at 10 B/s
    await clock.advanceTo(1000);
    assert.equal(done, false);
    t.bytesPerSecond = 0;
    await clock.settle();
    assert.equal(done, true);
    assert.equal(clock.t, 1000);
    await p;
  });

  it("raising the rate mid-wait shortens it", async () => {
    const clock = new FakeClock();
    const t = new Throttle({ bytesPerSecond: 100, burst: 0, clock });
    let done = false;
    const p = t.take(1000).then(() => (done = true)); // 10 s at 100 B/s
    await clock.advanceTo(2000); // 200 bytes covered
    t.bytesPerSecond = 800; // 800 left → 1 s more
    await clock.run(() => done);
    await p;
    assert.equal(clock.t, 3000);
  });

  it("an aborted wait rejects with the reason and gives its booking back", async () => {
    const clock = new FakeClock();
    const t = new Throttle({ bytesPerSecond: 100, burst: 0, clock });
    const ac = new AbortController();
    const first = t.take(1000, { signal: ac.signal }); // would end at 10 s
    let secondDone = false;
    const second = t.take(100).then(() => (secondDone = true)); // queued behind: 11 s
    await clock.advanceTo(500);
    ac.abort(new Error("ABOR"));
    await assert.rejects(first, /ABOR/);
    await clock.run(() => secondDone);
    await second;
    assert.equal(clock.t, 1000); // 100 bytes at 100 B/s from 0, not 11 s
    assert.equal(t.totalBytes, 100);
    assert.equal(clock.pendingTimers, 0);
    await assert.rejects(t.take(1, { signal: ac.signal }), /ABOR/);
  });
});

describe("throttleStream on virtual time", () => {
  it("a limited stream delivers everything at the limit, in small pieces", async () => {
    const clock = new FakeClock();
    const t = new Throttle({ bytesPerSecond: 1000, burst: 0, clock });
    const out = sink(clock);
    const piping = source(10_000, 4000).pipeThrough(throttleStream([t])).pipeTo(out.writable);
    await clock.run(() => out.done);
    await piping;
    assert.equal(out.total, 10_000);
    assert.equal(clock.t, 10_000);
    assert.ok(out.log.every((e) => e.n <= pieceSize(1000)));
    // never ahead of the limit at any moment
    let sum = 0;
    for (const e of out.log) {
      sum += e.n;
      assert.ok(sum <= (e.t / 1000) * 1000 + pieceSize(1000), `${sum} bytes by ${e.t} ms`);
    }
  });

  it("two streams sharing a throttle split it evenly", async () => {
    const clock = new FakeClock();
    const shared = new Throttle({ bytesPerSecond: 2000, burst: 0, clock });
    const a = sink(clock);
    const b = sink(clock);
    const pa = source(20_000, 8192).pipeThrough(throttleStream([shared])).pipeTo(a.writable);
    const pb = source(20_000, 8192).pipeThrough(throttleStream([shared])).pipeTo(b.writable);
    await clock.advanceTo(10_000);
    // 10 s at 2000 B/s = 20000 bytes in total, about half each
    const piece = pieceSize(2000);
    assert.ok(Math.abs(a.total + b.total - 20_000) <= 2 * piece, `${a.total} + ${b.total}`);
    assert.ok(Math.abs(a.total - b.total) <= 2 * piece, `${a.total} vs ${b.total}`);
    await clock.run(() => a.done && b.done);
    await Promise.all([pa, pb]);
    assert.equal(clock.t, 20_000);
  });

  it("several throttles: the strictest wins, and a shared one caps the sum", async () => {
    const clock = new FakeClock();
    const global = new Throttle({ bytesPerSecond: 1500, burst: 0, clock });
    const connA = new Throttle({ bytesPerSecond: 1000, burst: 0, clock });
    const connB = new Throttle({ bytesPerSecond: 1000, burst: 0, clock });
    const a = sink(clock);
    const b = sink(clock);
    const pa = source(15_000).pipeThrough(throttleStream([connA, global])).pipeTo(a.writable);
    const pb = source(15_000).pipeThrough(throttleStream([connB, global])).pipeTo(b.writable);
    await clock.advanceTo(10_000);
    const sum = a.total + b.total;
    assert.ok(sum <= 15_000 + 2 * pieceSize(1000), `global cap exceeded: ${sum}`);
    assert.ok(sum >= 15_000 - 4 * pieceSize(1000), `global under-used: ${sum}`);
    assert.ok(a.total <= 10_000 + pieceSize(1000));
    assert.ok(b.total <= 10_000 + pieceSize(1000));
    await clock.run(() => a.done && b.done);
    await Promise.all([pa, pb]);
    assert.equal(global.totalBytes, 30_000);
    assert.equal(connA.totalBytes, 15_000);
  });

  it("unlimited throttles pass chunks whole and count them", async () => {
    const clock = new FakeClock();
    const t = new Throttle({ clock });
    const out = sink(clock);
    await source(1_000_000, 300_000).pipeThrough(throttleStream([t])).pipeTo(out.writable);
    assert.deepEqual(out.log.map((e) => e.n), [300_000, 300_000, 300_000, 100_000]);
    assert.equal(t.totalBytes, 1_000_000);
    assert.equal(clock.t, 0);
  });

  it("a limit set mid-stream takes effect for the rest", async () => {
    const clock = new FakeClock();
    const t = new Throttle({ clock });
    const out = sink(clock);
    const piping = source(20_000, 1000).pipeThrough(throttleStream([t])).pipeTo(out.writable);
    // unlimited: everything could pass at t=0, so set the limit before the first pull completes
    t.bytesPerSecond = 1000;
    await clock.run(() => out.done);
    await piping;
    assert.ok(clock.t >= 18_000, `finished at ${clock.t}`);
  });

  it("an abort signal errors the stream", async () => {
    const clock = new FakeClock();
    const t = new Throttle({ bytesPerSecond: 100, burst: 0, clock });
    const ac = new AbortController();
    const out = sink(clock);
    const piping = source(10_000).pipeThrough(throttleStream([t], { signal: ac.signal }))
      .pipeTo(out.writable);
    await clock.advanceTo(3000);
    ac.abort(new Error("transfer aborted"));
    await assert.rejects(piping, /transfer aborted/);
    assert.ok(out.total < 10_000);
  });

  it("works on the real clock (no timing asserted)", async () => {
    const t = new Throttle({ bytesPerSecond: 2_000_000, clock: realClock });
    const parts: number[] = [];
    await source(200_000, 65536).pipeThrough(throttleStream([t])).pipeTo(
      new WritableStream({ write: (c) => void parts.push(c.byteLength) }),
    );
    assert.equal(parts.reduce((a, b) => a + b, 0), 200_000);
    assert.equal(t.totalBytes, 200_000);
    assert.ok(Math.max(...parts) <= pieceSize(2_000_000));
  });
});
