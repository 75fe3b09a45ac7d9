/**
 * Deno: stream a file over loopback to/from a peer process, through denoNet or through
 * Deno's own streams (`file.readable.pipeTo(conn.writable)`, `conn.readable.pipeTo(file.writable)`).
 *
 * @module
 */
import { denoNet } from "../../src/net/deno.ts";
import { adapterRecv, adapterSend, type BenchArgs, parseArgs, report } from "./_common.ts";

// Deno's types are unknown to tsc, which also builds bench/: reach them untyped.
const D = (globalThis as any).Deno;

/**
 * The file as 1 MiB chunks for the adapter. Deno's `file.readable` gives 64 KiB chunks and, read
 * from JavaScript, tops out near 1.2 GB/s by itself (the plain path escapes that: Deno pipes
 * two native streams without JavaScript in between), so it would measure the file, not us.
 */
async function fileSource(path: string): Promise<ReadableStream<Uint8Array>> {
  const file = await D.open(path);
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      const buffer = new Uint8Array(1 << 20);
      const n = await file.read(buffer);
      if (n === null) {
        file.close();
        controller.close();
      } else {
        controller.enqueue(buffer.subarray(0, n));
      }
    },
  }, { highWaterMark: 0 });
}

async function plainSend(args: BenchArgs): Promise<number> {
  const conn = await D.connect({ hostname: "127.0.0.1", port: args.port });
  const file = await D.open(args.file);
  // preventClose: closing conn.writable would close the whole conn before the peer's reply.
  await file.readable.pipeTo(conn.writable, { preventClose: true });
  await conn.closeWrite();
  const buffer = new Uint8Array(64);
  let text = "";
  for (let n = await conn.read(buffer); n !== null; n = await conn.read(buffer)) {
    text += new TextDecoder().decode(buffer.subarray(0, n));
  }
  conn.close();
  return Number(text);
}

async function plainRecv(args: BenchArgs): Promise<void> {
  const conn = await D.connect({ hostname: "127.0.0.1", port: args.port });
  const file = await D.open(args.file, { write: true, create: true, truncate: true });
  await conn.readable.pipeTo(file.writable);
}

const args = parseArgs(D.args);
const start = performance.now();
let moved: number;
if (args.dir === "send") {
  moved = args.impl === "plain"
    ? await plainSend(args)
    : await adapterSend(denoNet, args.port, await fileSource(args.file));
} else {
  if (args.impl === "plain") await plainRecv(args);
  else {
    const file = await D.open(args.file, { write: true, create: true, truncate: true });
    await adapterRecv(denoNet, args.port, file.writable);
  }
  moved = (await D.stat(args.file)).size;
}
report("deno", args, (performance.now() - start) / 1000, moved);
