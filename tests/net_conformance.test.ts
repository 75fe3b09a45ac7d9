/**
 * Runs the adapter conformance suite for every adapter the running runtime has:
 * Deno → deno + node, Bun → bun + node, Node → node; memory everywhere.
 */
import { createMemoryNet } from "../src/net/memory.ts";
import { nodeNet } from "../src/net/node.ts";
import { conformance } from "./_net_conformance.ts";

const runtime = globalThis as { Deno?: unknown; Bun?: unknown };

conformance("memory", createMemoryNet(), { handshake: false });

if (runtime.Deno !== undefined) {
  const { denoNet } = await import("../src/net/deno.ts");
  conformance("deno", denoNet, { sessionReuse: false });
  // Deno's node:tls cannot resume TLS sessions.
  conformance("node (on deno)", nodeNet, { sessionReuse: false });
} else if (runtime.Bun !== undefined) {
  const { bunNet } = await import("../src/net/bun.ts");
  conformance("bun", bunNet);
  conformance("node (on bun)", nodeNet);
} else {
  conformance("node", nodeNet);
}
