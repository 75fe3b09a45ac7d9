/**
 * Runs the exported adapter conformance suite (`anyftp/testing`) for every adapter the
 * running runtime has: Deno → deno + node, Bun → bun + node, Node → node; memory everywhere.
 */
import { createMemoryNet } from "../src/net/memory.ts";
import { nodeNet } from "../src/net/node.ts";
import { netConformance } from "../src/testing/mod.ts";
import { TEST_CERT, TEST_KEY } from "./_support/mod.ts";

const runtime = globalThis as { Deno?: unknown; Bun?: unknown };
const tls = { cert: TEST_CERT, key: TEST_KEY };

netConformance("memory", () => createMemoryNet(), { tls, handshake: false });

if (runtime.Deno !== undefined) {
  const { denoNet } = await import("../src/net/deno.ts");
  netConformance("deno", () => denoNet, { tls, sessionReuse: false });
  // Deno's node:tls cannot resume TLS sessions.
  netConformance("node (on deno)", () => nodeNet, { tls, sessionReuse: false });
} else if (runtime.Bun !== undefined) {
  const { bunNet } = await import("../src/net/bun.ts");
  netConformance("bun", () => bunNet, { tls });
  netConformance("node (on bun)", () => nodeNet, { tls });
} else {
  netConformance("node", () => nodeNet, { tls });
}
