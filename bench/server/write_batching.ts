/**
 * Experiment behind a finding in bench/server/README.md: on Node, `LocalPathIO`'s file sink
 * issues one `FileHandle.write` (a libuv thread-pool round trip) per incoming socket chunk
 * (64 KiB on Node), and the pipe waits for each. Gathering chunks into 1 MiB writes shows what
 * that costs, for the server (STOR of a BENCH_MIB file by curl) and for the client (download
 * of the same file from vsftpd through `Client.download` with a custom `localFs`).
 *
 * `node bench/results/bench-build/bench/server/write_batching.js` (after the build that
 * bench/server/throughput.ts makes), `deno run -A bench/server/write_batching.ts`,
 * `bun bench/server/write_batching.ts`. Prints MiB/s of 3 runs each, as is and batched.
 *
 * @module
 */
import { execFile } from "node:child_process";
import { closeSync, mkdtempSync, openSync, rmSync, writeSync } from "node:fs";
import { join } from "node:path";
import process from "node:process";
import { Client } from "../../src/client/client.ts";
import { LocalPathIO } from "../../src/fs/local_path_io.ts";
import type { OpenWriteOptions, PathIO } from "../../src/fs/path_io.ts";
import { Server } from "../../src/server/server.ts";
import { startVsftpd } from "../../tests/_client_servers.ts";

const MIB = Number(process.env.BENCH_MIB ?? 512);
const BATCH = 1 << 20;

/** A PathIO whose file sinks gather chunks into writes of at least `size` bytes. */
function batched(fs: PathIO, size: number): PathIO {
  return new Proxy(fs, {
    get(target, key) {
      if (key !== "openWrite") {
        const value = Reflect.get(target, key, target);
        return typeof value === "function" ? value.bind(target) : value;
      }
      return async (path: string, options?: OpenWriteOptions) => {
        const inner = (await target.openWrite(path, options)).getWriter();
        let parts: Uint8Array[] = [];
        let n = 0;
        const flush = async () => {
          if (n === 0) return;
          const buf = new Uint8Array(n);
          let at = 0;
          for (const p of parts) {
            buf.set(p, at);
            at += p.byteLength;
          }
          parts = [];
          n = 0;
          await inner.write(buf);
        };
        return new WritableStream<Uint8Array>({
          async write(chunk) {
            parts.push(chunk);
            n += chunk.byteLength;
            if (n >= size) await flush();
          },
          async close() {
            await flush();
            await inner.close();
          },
          abort: (e) => inner.abort(e),
        }, new ByteLengthQueuingStrategy({ highWaterMark: size }));
      };
    },
  });
}

function curl(args: string[]): Promise<number> {
  return new Promise((resolve, reject) =>
    execFile(
      "curl",
      ["-sS", "--max-time", "300", "-w", "%{time_total}", ...args],
      (e, out) => e ? reject(e) : resolve(Number(out)),
    )
  );
}

const dir = mkdtempSync(join("/dev/shm", "anyftp-batching-"));
const src = join(dir, "src.bin");
const block = new Uint8Array(1 << 20).map((_, i) => i * 7);
const fd = openSync(src, "w");
for (let i = 0; i < MIB; i++) writeSync(fd, block);
closeSync(fd);
const runtime = "Deno" in globalThis ? "deno" : "Bun" in globalThis ? "bun" : "node";
const vsftpd = await startVsftpd();
try {
  const big = join(vsftpd.root, "big.bin");
  const bfd = openSync(big, "w");
  for (let i = 0; i < MIB; i++) writeSync(bfd, block);
  closeSync(bfd);
  for (const mode of ["as is", "batched 1 MiB"]) {
    const wrap = (fs: PathIO) => mode === "as is" ? fs : batched(fs, BATCH);
    const root = mkdtempSync(join(dir, "root-"));
    const server = new Server({
      users: [{ anonymous: true, permissions: [{ path: "/", writable: true }] }],
      storage: wrap(new LocalPathIO({ root })),
    });
    const { port } = await server.listen({ hostname: "127.0.0.1", port: 0 });
    const stor: string[] = [];
    const down: string[] = [];
    try {
      for (let i = 0; i < 3; i++) {
        stor.push((MIB / await curl(["-T", src, `ftp://127.0.0.1:${port}/up.bin`])).toFixed(0));
        await using client = await Client.connect(vsftpd.url, {
          localFs: (r) => wrap(new LocalPathIO({ root: r })),
        });
        const t = performance.now();
        await client.download("big.bin", join(dir, "down.bin"), { writeInto: true });
        down.push((MIB / ((performance.now() - t) / 1000)).toFixed(0));
      }
    } finally {
      await server.close({ timeout: 1000 });
    }
    console.log(
      `${runtime} ${mode.padEnd(13)} server STOR ${stor.join(", ")} MiB/s | client download ${
        down.join(", ")
      } MiB/s`,
    );
  }
} finally {
  await vsftpd.close();
  rmSync(dir, { recursive: true, force: true });
}
