// The Deno adapter's read buffers: an idle connection (a control connection waiting for its
// next command) has a read pending, and that read's buffer is allocated up front. It must
// be small; reads that fill their buffer grow the next one, for bulk transfers. Runs on
// every runtime: the adapter is driven through a scripted stand-in for a Deno.Conn (the
// real Deno sockets are covered by net_conformance.test.ts).
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { DenoConn } from "../src/net/deno/_conn.ts";
import type { DenoConnLike } from "../src/net/deno/_types.ts";

/** A conn whose reads fill `fills[i]` bytes (-1: fill the whole buffer), then end. */
function scripted(fills: number[]): { conn: DenoConnLike; sizes: number[] } {
  const sizes: number[] = [];
  let i = 0;
  const addr = { hostname: "127.0.0.1", port: 1, transport: "tcp" as const };
  const conn: DenoConnLike = {
    localAddr: addr,
    remoteAddr: addr,
    read(buffer) {
      sizes.push(buffer.length);
      const fill = fills[i++];
      if (fill === undefined) return Promise.resolve(null);
      return Promise.resolve(fill < 0 ? buffer.length : fill);
    },
    write: (b) => Promise.resolve(b.length),
    closeWrite: () => Promise.resolve(),
    close() {},
  };
  return { conn, sizes };
}

describe("Deno adapter read sizes", () => {
  it("starts small, doubles on full reads up to 256 KiB, and drops back after a short read", async () => {
    const fills = [-1, -1, -1, -1, -1, -1, -1, -1, -1, 100, 10];
    const { conn, sizes } = scripted(fills);
    const reader = new DenoConn(conn, false).readable.getReader();
    let total = 0;
    // Bounded: the script ends after fills.length reads.
    for (let r = await reader.read(); !r.done; r = await reader.read()) total += r.value.length;
    assert.deepEqual(sizes.slice(0, 11), [
      2048, 4096, 8192, 16384, 32768, 65536, 131072, 262144, 262144, 262144, 2048,
    ]);
    assert.equal(total, 2048 * (2 ** 8 - 1) + 262144 + 100 + 10);
  });
});
