/**
 * A bounded soak: many concurrent client sessions, each logging in and mixing listings,
 * uploads and downloads (data checked), against one server on loopback. Zero errors, every
 * server socket closed afterwards, and the process's file descriptors back to their start
 * level (Linux: /proc/self/fd). Small by default so CI runs it in seconds; `SOAK_SESSIONS`
 * and `SOAK_ROUNDS` make it bigger (the 500 × 3 run and its numbers: bench/soak.md),
 * `SOAK_REPEATS` runs it again in the same process and `SOAK_SETTLE_S` idles before memory is
 * read (whether memory keeps growing from run to run is the leak question). It prints one
 * line of numbers; nothing about time is asserted. scripts/test.sh also runs it on Node 24.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { existsSync, readdirSync } from "node:fs";
import { Client } from "../src/client/client.ts";
import { countingNet, guard, settle, startServer, waitFor } from "./_support/mod.ts";

const env =
  (globalThis as { process?: { env: Record<string, string | undefined> } }).process?.env ?? {};
const SESSIONS = Math.min(Number(env.SOAK_SESSIONS ?? 100), 2000);
const ROUNDS = Math.min(Number(env.SOAK_ROUNDS ?? 2), 1000);
/** Soaks one after another in this process: memory that keeps growing per run would be a leak. */
const REPEATS = Math.min(Number(env.SOAK_REPEATS ?? 1), 10);
/** Seconds of idling before memory is measured after a run (and at the start). */
const SETTLE_S = Math.min(Number(env.SOAK_SETTLE_S ?? 0), 120);

/** Open file descriptors of this process, or -1 where /proc is missing. */
function fds(): number {
  return existsSync("/proc/self/fd") ? readdirSync("/proc/self/fd").length : -1;
}

/** Resident memory in MiB, where the runtime tells. */
function rssMiB(): number {
  const p = (globalThis as { process?: { memoryUsage?: () => { rss: number } } }).process;
  try {
    return Math.round((p?.memoryUsage?.().rss ?? 0) / 2 ** 20);
  } catch {
    return 0;
  }
}

/** The runtime and its version, for the numbers line (bench/soak.md records them). */
/**
 * Resident memory and the live JavaScript heap (MiB) after a full collection, where the runtime
 * offers one (Bun, or `gc` exposed by `--expose-gc`); `undefined` without one.
 */
async function afterGc(): Promise<{ rss: number; heapUsed: number } | undefined> {
  const g = globalThis as {
    Bun?: { gc(full: boolean): void };
    gc?: (options?: { type: string; execution: string; flavor: string }) => void;
    process?: { memoryUsage?: () => { heapUsed: number } };
  };
  // V8's "last resort" collection also gives the freed heap pages back (the regular one keeps
  // them until the memory reducer runs, 5 s to never after the soak).
  const collect = g.Bun
    ? () => g.Bun!.gc(true)
    : g.gc && (() => g.gc!({ type: "major", execution: "sync", flavor: "last-resort" }));
  if (!collect) return undefined;
  for (let i = 0; i < 3; i++) {
    collect();
    await new Promise((r) => setTimeout(r, 200));
  }
  return { rss: rssMiB(), heapUsed: Math.round((g.process?.memoryUsage?.().heapUsed ?? 0) / 2 ** 20) };
}

/**
 * The numbers after a full collection, for the log line: the live heap says whether anything is
 * still held; the rest of RSS is what the engine and the allocator keep for reuse.
 */
function gcNumbers(start: { rss: number; heapUsed: number } | undefined, end: typeof start): string {
  if (!start || !end) return "";
  return `; after a full GC${SETTLE_S > 0 ? ` and ${SETTLE_S} s idle` : ""}: rss ${start.rss} → ${end.rss} MiB, JS heap used ${start.heapUsed} → ${end.heapUsed} MiB`;
}

function runtimeName(): string {
  const g = globalThis as {
    Deno?: { version: { deno: string } };
    Bun?: { version: string };
    process?: { version?: string };
  };
  if (g.Deno) return `Deno ${g.Deno.version.deno}`;
  if (g.Bun) return `Bun ${g.Bun.version}`;
  return `Node ${g.process?.version ?? "?"}`;
}

function payload(session: number, round: number): Uint8Array {
  const size = 1000 + ((session * 7919 + round * 104729) % 60_000);
  const out = new Uint8Array(size);
  for (let i = 0; i < size; i++) out[i] = (i * 31 + session + round) & 255;
  return out;
}

/**
 * Runs the sessions against one server and closes it (a function of its own, so that the test
 * can run it again and measure in between with none of its objects in scope).
 */
async function soak(): Promise<{ fdPeak: number; ms: number }> {
  const { net, open } = await countingNet();
  let fdPeak = fds();
  const t0 = performance.now();
  {
    await using srv = await startServer({
      users: [{ login: "u", password: "p" }, { anonymous: true }],
      net,
      maxConnections: SESSIONS + 16,
    });
    const url = `ftp://u:p@127.0.0.1:${srv.port}`;
    const session = async (n: number) => {
      await using client = await Client.connect(
        n % 5 === 4 ? `ftp://127.0.0.1:${srv.port}` : url,
      );
      for (let r = 0; r < ROUNDS; r++) {
        const list = await client.list("/");
        assert.ok(Array.isArray(list));
        if (n % 5 === 4) continue; // anonymous: read-only, listings only
        const data = payload(n, r);
        const path = `/s${n}-${r}`;
        await client.uploadData(data, path);
        const back = await client.downloadData(path);
        assert.ok(
          back.length === data.length && back.every((x, i) => x === data[i]),
          `${path} came back different`,
        );
        fdPeak = Math.max(fdPeak, fds());
      }
      await client.quit();
    };
    const results = await guard(
      Promise.allSettled(Array.from({ length: SESSIONS }, (_, n) => session(n))),
      "soak sessions",
      120_000 + SESSIONS * ROUNDS * 200,
    );
    const failed = results.filter((x) => x.status === "rejected").map((x) =>
      String((x as PromiseRejectedResult).reason)
    );
    assert.deepEqual(failed.slice(0, 5), [], `${failed.length} sessions failed`);
    await waitFor(() => srv.server.connections === 0, "every session ended");
    assert.deepEqual(srv.events.filter((e) => e.type === "error"), []);
  }
  await waitFor(() => open.size === 0, `server sockets closed (${open.size} open)`);
  return { fdPeak, ms: Math.round(performance.now() - t0) };
}

/**
 * The after-collection numbers once the process has been idle for `SETTLE_S` seconds: the
 * engines give their grown heaps back only after some idle time (V8's memory reducer took
 * 5–15 s here, Bun about 5 s).
 */
async function settledMemory(): Promise<ReturnType<typeof afterGc>> {
  if (SETTLE_S > 0) await new Promise((r) => setTimeout(r, SETTLE_S * 1000));
  return await afterGc();
}

describe("server soak: concurrent sessions mixing logins, listings, uploads, downloads", () => {
  it(`${SESSIONS} sessions × ${ROUNDS} rounds${REPEATS > 1 ? ` × ${REPEATS} runs` : ""}: zero errors, sockets and fds back to the start`, async () => {
    const fdStart = fds();
    const gcStart = await settledMemory();
    const rssStart = rssMiB();
    for (let run = 1; run <= REPEATS; run++) {
      const { fdPeak, ms } = await soak();
      if (fdStart < 0) continue;
      const fdEnd = await settle(fds, 50, 6);
      // A few descriptors of the runtime's own may come and go; the sessions' must not stay.
      assert.ok(fdEnd <= fdStart + 8, `fds: ${fdStart} before, ${fdEnd} after`);
      const rssEnd = rssMiB();
      const gcEnd = await settledMemory();
      console.log(
        `soak (${runtimeName()}${REPEATS > 1 ? `, run ${run} of ${REPEATS}` : ""}): ${SESSIONS} sessions × ${ROUNDS} rounds in ${ms} ms; fds ${fdStart} → peak ${fdPeak} → ${fdEnd}; ` +
          `rss ${rssStart} → ${rssEnd} MiB${gcNumbers(gcStart, gcEnd)}`,
      );
    }
  });
});
