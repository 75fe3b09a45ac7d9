// Pure parts of the client: the FIFO queue, path helpers, name safety, encodings, command
// checks, the list result and speed limits.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { Mutex } from "../src/client/_mutex.ts";
import { CommandQueue } from "../src/client/_command_queue.ts";
import { StalledStreamError } from "../src/client/stalled_stream_error.ts";
import {
  isSafeEntryName,
  joinRemote,
  remoteBasename,
  remoteDirname,
  remotePrefixes,
} from "../src/client/_remote_path.ts";
import { joinLocal, splitLocal } from "../src/client/_local.ts";
import { encodeText, textDecoder } from "../src/client/_encoding.ts";
import { assertSafeCommand } from "../src/client/_control.ts";
import { speedLimiter } from "../src/client/_speed.ts";
import { ListResult } from "../src/client/list_result.ts";
import type { RemoteEntry } from "../src/client/options.ts";
import { FtpTimeoutError, InvalidCommandError } from "../src/errors.ts";
import { IdleDeadline } from "../src/client/_timeout.ts";

describe("Mutex", () => {
  it("serves waiters in FIFO order, one at a time", async () => {
    const m = new Mutex();
    const order: number[] = [];
    let inside = 0;
    let peak = 0;
    await Promise.all(Array.from({ length: 20 }, async (_, i) => {
      const release = await m.acquire();
      inside++;
      peak = Math.max(peak, inside);
      order.push(i);
      await new Promise((r) => setTimeout(r, i % 3));
      inside--;
      release();
      release(); // a second release is ignored
    }));
    assert.deepEqual(order, Array.from({ length: 20 }, (_, i) => i));
    assert.equal(peak, 1);
    assert.equal(m.held, false);
  });
});

describe("Mutex: giving up", () => {
  it("a waiter whose signal aborts leaves the queue; the others keep their order", async () => {
    const m = new Mutex();
    const first = await m.acquire();
    const ac = new AbortController();
    const order: string[] = [];
    const a = m.acquire().then((r) => (order.push("a"), r));
    const quitter = m.acquire(ac.signal);
    const b = m.acquire().then((r) => (order.push("b"), r));
    ac.abort(new Error("gave up"));
    await assert.rejects(quitter, /gave up/);
    first();
    (await a)();
    (await b)();
    assert.deepEqual(order, ["a", "b"]);
    assert.equal(m.held, false);
    await assert.rejects(m.acquire(AbortSignal.abort(new Error("late"))), /late/);
  });
});

describe("CommandQueue", () => {
  type Holder = { command: string; idleMs(): number };
  const holder = (idleMs: () => number): Holder => ({ command: "RETR x", idleMs });
  it("fails a waiter behind a holder that stays idle for the stall limit", async () => {
    let current: Holder | undefined;
    const q = new CommandQueue({ stallTimeout: 40, holder: () => current });
    const release = await q.acquire();
    const idleSince = performance.now();
    current = holder(() => performance.now() - idleSince);
    const err = await q.acquire().then(() => undefined, (e) => e);
    assert.ok(err instanceof StalledStreamError, String(err));
    assert.equal(err.transferCommand, "RETR x");
    assert.equal(err.timeoutMs, 40);
    assert.match(err.message, /RETR x/);
    // The failed waiter left the queue: the next one gets the lock once it is released.
    current = undefined;
    release();
    (await q.acquire())();
  });
  for (
    const [what, current] of [
      ["a holder that keeps moving", holder(() => 0)],
      ["an ordinary command (no stream)", undefined],
    ] as const
  ) {
    it(`waits as long as it takes behind ${what}`, async () => {
      const q = new CommandQueue({ stallTimeout: 20, holder: () => current });
      const release = await q.acquire();
      const waiting = q.acquire();
      await new Promise((r) => setTimeout(r, 100)); // several stall limits
      release();
      (await waiting)();
    });
  }
  it("a stall limit of Infinity never fails a waiter", async () => {
    const q = new CommandQueue({ stallTimeout: Infinity, holder: () => holder(() => 1e9) });
    const release = await q.acquire();
    const waiting = q.acquire();
    await new Promise((r) => setTimeout(r, 20));
    release();
    (await waiting)();
  });
});

describe("remote paths", () => {
  it("join, basename, dirname, prefixes", () => {
    assert.equal(joinRemote("", "a"), "a");
    assert.equal(joinRemote("/", "a"), "/a");
    assert.equal(joinRemote("/x", "a"), "/x/a");
    assert.equal(joinRemote("x/", "a"), "x/a");
    assert.equal(remoteBasename("/a/b.txt"), "b.txt");
    assert.equal(remoteBasename("/a/dir/"), "dir");
    assert.equal(remoteBasename("/"), "");
    assert.equal(remoteDirname("/a/b"), "/a");
    assert.equal(remoteDirname("/a"), "/");
    assert.equal(remoteDirname("a"), "");
    assert.deepEqual(remotePrefixes("/a/b/c"), ["/a", "/a/b", "/a/b/c"]);
    assert.deepEqual(remotePrefixes("a//b/./c/"), ["a", "a/b", "a/b/c"]);
  });
  it("listed names that could escape a directory are unsafe", () => {
    for (
      const bad of [
        "",
        ".",
        "..",
        "../x",
        "a/b",
        "/etc/passwd",
        "a\\b",
        "..\\x",
        "a\0b",
        "a\nb",
        "C:x",
        "c:\\x",
      ]
    ) {
      assert.equal(isSafeEntryName(bad), false, JSON.stringify(bad));
    }
    for (const good of ["a", ".hidden", "..dots", "a b", "ünïcødé", "x..y", "-rf"]) {
      assert.equal(isSafeEntryName(good), true, good);
    }
  });
});

describe("local paths", () => {
  it("split and join POSIX and Windows paths", () => {
    assert.deepEqual(splitLocal("/tmp/a.txt"), { parent: "/tmp", name: "a.txt" });
    assert.deepEqual(splitLocal("/a"), { parent: "/", name: "a" });
    assert.deepEqual(splitLocal("a"), { parent: ".", name: "a" });
    assert.deepEqual(splitLocal("dir/sub/"), { parent: "dir", name: "sub" });
    assert.deepEqual(splitLocal("C:\\x\\y.bin"), { parent: "C:\\x", name: "y.bin" });
    assert.deepEqual(splitLocal("C:\\y.bin"), { parent: "C:\\", name: "y.bin" });
    assert.equal(joinLocal("/tmp", "a"), "/tmp/a");
    assert.equal(joinLocal("/tmp/", "a"), "/tmp/a");
  });
});

describe("encodings", () => {
  it("UTF-8 and real Latin-1 both ways", () => {
    assert.deepEqual([...encodeText("é", "utf-8")], [0xc3, 0xa9]);
    assert.deepEqual([...encodeText("é€", "latin1")], [0xe9, 0x3f]);
    const bytes = new Uint8Array(256).map((_, i) => i);
    const text = textDecoder("latin1")(bytes);
    assert.equal(text.length, 256);
    assert.equal(text.charCodeAt(0x80), 0x80); // not windows-1252's €
    assert.deepEqual(encodeText(text, "latin1"), bytes);
    assert.equal(textDecoder("utf-8")(encodeText("ünï", "utf-8")), "ünï");
  });
});

describe("command checks", () => {
  it("refuses CR, LF and NUL, censoring passwords", () => {
    assert.doesNotThrow(() => assertSafeCommand("RETR a b.txt"));
    for (const bad of ["RETR a\r\nDELE b", "RETR a\n", "RETR \r", "MKD a\0b"]) {
      assert.throws(() => assertSafeCommand(bad), InvalidCommandError);
    }
    assert.throws(
      () => assertSafeCommand("PASS secret\r\nDELE x"),
      (e) => e instanceof InvalidCommandError && !e.message.includes("secret"),
    );
  });
});

describe("ListResult", () => {
  const entries: RemoteEntry[] = [
    { name: "a", path: "a", type: "file", facts: {} },
    { name: "b", path: "b", type: "dir", facts: {} },
  ];
  it("is awaitable and iterable, each use starting afresh", async () => {
    let runs = 0;
    const r = new ListResult(async function* () {
      runs++;
      yield* entries;
    });
    assert.deepEqual(await r, entries);
    const seen: string[] = [];
    for await (const e of r) seen.push(e.name);
    assert.deepEqual(seen, ["a", "b"]);
    assert.equal(runs, 2);
  });
  it("awaiting rejects when the listing fails", async () => {
    const r = new ListResult(async function* () {
      yield entries[0]!;
      throw new Error("boom");
    });
    await assert.rejects(async () => await r, /boom/);
  });
});

describe("speed limiter", () => {
  it("no limit means no pacing", () => {
    assert.equal(speedLimiter(Infinity), undefined);
    assert.equal(speedLimiter(0), undefined);
    assert.equal(speedLimiter(undefined), undefined);
    assert.equal(typeof speedLimiter(1000), "function");
  });
});

describe("IdleDeadline", () => {
  const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

  it("rejects a wait that outlives its limit, then undoes the operation", async () => {
    let undone = 0;
    const d = new IdleDeadline(() => undone++);
    const never = new Promise<never>(() => {});
    await assert.rejects(d.wait(never, 20, "Waiting for nothing"), (e: unknown) => {
      assert.ok(e instanceof FtpTimeoutError);
      assert.match((e as Error).message, /Waiting for nothing/);
      return true;
    });
    assert.equal(undone, 1);
    d.dispose();
  });

  it("limits each wait, not their sum, and passes values and errors through", async () => {
    let undone = 0;
    const d = new IdleDeadline(() => undone++);
    // 12 waits of 10 ms under a 40 ms limit: 120 ms in all, none times out.
    for (let i = 0; i < 12; i++) {
      assert.equal(await d.wait(sleep(10).then(() => i), 40, "step"), i);
    }
    await assert.rejects(d.wait(Promise.reject(new Error("boom")), 40, "step"), /boom/);
    // A later wait that stalls is still caught by the same timer.
    await assert.rejects(d.wait(new Promise(() => {}), 30, "stalled"), FtpTimeoutError);
    assert.equal(undone, 1);
    d.dispose();
  });

  it("does not arm a timer for unlimited waits", async () => {
    const d = new IdleDeadline();
    assert.equal(await d.wait(Promise.resolve(7), 0, "x"), 7);
    assert.equal(await d.wait(Promise.resolve(8), Infinity, "x"), 8);
    d.dispose();
  });
});
