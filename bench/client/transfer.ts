/**
 * Client throughput against vsftpd on loopback, beside curl as the reference:
 * `deno run -A bench/client/transfer.ts`, `bun bench/client/transfer.ts`, or on Node the
 * built `node dist/bench/client/transfer.js`. Size in MiB as the first argument (default 256).
 */
import { execFileSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import process from "node:process";
import { Client } from "../../src/client/mod.ts";
import { startVsftpd } from "../../tests/_client_servers.ts";

const mib = Number(process.argv[2] ?? 256);
const runtime = (globalThis as { Deno?: unknown }).Deno
  ? "deno"
  : (globalThis as { Bun?: unknown }).Bun
  ? "bun"
  : "node";
const server = await startVsftpd();
try {
  const data = new Uint8Array(mib * 1024 * 1024).map((_, i) => i * 7);
  writeFileSync(join(server.root, "bench.bin"), data);
  const rate = (ms: number) => `${((mib / 1024) / (ms / 1000) * 1024).toFixed(0)} MiB/s`;
  for (const mode of ["passive", "active"] as const) {
    await using client = await Client.connect(server.url, { mode });
    let t = performance.now();
    let n = 0;
    const reader = (await client.downloadStream("bench.bin")).getReader();
    for (let r = await reader.read(); !r.done; r = await reader.read()) n += r.value.byteLength;
    const down = performance.now() - t;
    if (n !== data.length) throw new Error(`short download ${n}`);
    t = performance.now();
    const sink = await client.uploadStream("bench-up.bin");
    const w = sink.getWriter();
    for (let i = 0; i < data.length; i += 1 << 20) await w.write(data.subarray(i, i + (1 << 20)));
    await w.close();
    const up = performance.now() - t;
    console.log(
      `anyftp client on ${runtime} (${mode}): download ${rate(down)}, upload ${rate(up)}`,
    );
  }
  const t = performance.now();
  execFileSync("curl", ["-s", "-o", "/dev/null", `${server.url}/bench.bin`]);
  console.log(`curl (passive): download ${rate(performance.now() - t)}`);
} finally {
  await server.close();
}
