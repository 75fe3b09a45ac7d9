/**
 * `ListenOptions.acceptors`: a listener may open several sockets on its port (SO_REUSEPORT)
 * so an event loop that accepts one connection per turn (libuv, Deno's node:net) accepts
 * faster under load (bench/soak.md). Checked here: where the runtime can share a port the
 * kernel lists that many listening sockets on the port (`ss`), where it cannot (Node before
 * 22.12) one; either way every connection of a burst is accepted, once, and closing the
 * listener frees the port. scripts/test.sh also runs this file on Node 24 (scripts/node_lts.sh),
 * so CI checks the four sockets on Node whatever the machine's node is.
 */
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { describe, it } from "node:test";
import { nodeNet } from "../src/net/node.ts";
import type { Conn, Net } from "../src/net/types.ts";
import { IN_CI, toolPresent } from "./_support/mod.ts";

const BURST = 60;
const hasSs = toolPresent("ss", ["-V"]);

/** Listening TCP sockets on `port`, per `ss`. */
function listeningSockets(port: number): number {
  const out = execFileSync("ss", ["-Hltn", `sport = :${port}`], { encoding: "utf8" });
  return out.split("\n").filter((line) => line.trim() !== "").length;
}

/** Whether this runtime's node:net can bind a port twice with reusePort. */
function sharesPorts(): boolean {
  const runtime = globalThis as { Deno?: unknown; Bun?: unknown; process?: { versions?: { node?: string } } };
  if (runtime.Deno !== undefined || runtime.Bun !== undefined) return true;
  const [major, minor] = (runtime.process?.versions?.node ?? "0.0").split(".").map(Number);
  return major! > 22 || (major === 22 && minor! >= 12);
}

function acceptors(name: string, net: Net, expected: number): void {
  describe(`listen acceptors: ${name}`, () => {
    it(`acceptors: 4 opens ${expected} listening socket(s) and accepts a burst of ${BURST}`, {
      skip: !hasSs && !IN_CI ? "ss not installed" : false,
    }, async () => {
      const listener = await net.listen({ hostname: "127.0.0.1", port: 0, acceptors: 4 });
      const port = listener.addr.port;
      try {
        assert.equal(listeningSockets(port), expected);
        const accepted: Conn[] = [];
        const accepting = (async () => {
          for await (const conn of listener) {
            accepted.push(conn);
            if (accepted.length === BURST) break;
          }
        })();
        // Bounded: BURST connects, each answered by the kernel.
        const dialled = await Promise.all(
          Array.from({ length: BURST }, () => net.connect({ hostname: "127.0.0.1", port })),
        );
        await accepting;
        assert.equal(accepted.length, BURST);
        const ports = new Set(accepted.map((c) => c.remoteAddr.port));
        assert.equal(ports.size, BURST, "each connection accepted once");
        for (const c of [...accepted, ...dialled]) c.close();
      } finally {
        listener.close();
      }
      assert.equal(listeningSockets(port), 0, "closing the listener frees every socket");
    });
  });
}

acceptors("node adapter", nodeNet, sharesPorts() ? 4 : 1);
const runtime = globalThis as { Deno?: unknown };
if (runtime.Deno !== undefined) {
  // denoNet's plain listeners are the Node adapter's (Deno's node:net).
  const { denoNet } = await import("../src/net/deno.ts");
  acceptors("deno adapter", denoNet, 4);
}
