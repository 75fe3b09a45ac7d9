/**
 * Bun: stream a file over loopback to/from a peer process, through bunNet or through raw
 * Bun sockets (`socket.write` + `drain`, `data` callback into a FileSink).
 *
 * @module
 */
import { bunNet } from "../../src/net/bun.ts";
import { adapterRecv, adapterSend, type BenchArgs, parseArgs, report } from "./_common.ts";

// Bun's namespace, untyped: keeps this file independent of which runtime types are loaded.
const B = (globalThis as any).Bun;

/** The same file sink for both paths: Bun's FileSink. */
function fileSink(path: string) {
  return B.file(path).writer({ highWaterMark: 1 << 20 });
}

async function plainSend(args: BenchArgs): Promise<number> {
  let ack = "";
  let drained: (() => void) | undefined;
  let done!: (n: number) => void;
  const finished = new Promise<number>((resolve) => (done = resolve));
  const socket = await B.connect({
    hostname: "127.0.0.1",
    port: args.port,
    allowHalfOpen: true,
    socket: {
      data: (_s: unknown, chunk: Uint8Array) => (ack += new TextDecoder().decode(chunk)),
      drain: () => drained?.(),
      close: () => done(Number(ack)),
    },
  });
  const reader = (B.file(args.file).stream() as ReadableStream<Uint8Array>).getReader();
  for (let r = await reader.read(); !r.done; r = await reader.read()) {
    const chunk = r.value;
    for (let at = 0; at < chunk.byteLength;) {
      const n = socket.write(chunk, at, chunk.byteLength - at);
      if (n < 0) throw new Error("socket closed");
      at += n;
      if (at < chunk.byteLength) await new Promise<void>((resolve) => (drained = resolve));
    }
  }
  socket.shutdown();
  return await finished;
}

async function plainRecv(args: BenchArgs): Promise<void> {
  const sink = fileSink(args.file);
  let done!: () => void;
  const finished = new Promise<void>((resolve) => (done = resolve));
  await B.connect({
    hostname: "127.0.0.1",
    port: args.port,
    socket: {
      data: (_s: unknown, chunk: Uint8Array) => sink.write(chunk),
      close: () => done(),
    },
  });
  await finished;
  await sink.end();
}

const args = parseArgs(B.argv.slice(2));
const start = performance.now();
let moved: number;
if (args.dir === "send") {
  moved = args.impl === "plain"
    ? await plainSend(args)
    : await adapterSend(bunNet, args.port, B.file(args.file).stream());
} else {
  if (args.impl === "plain") await plainRecv(args);
  else {
    const sink = fileSink(args.file);
    await adapterRecv(
      bunNet,
      args.port,
      new WritableStream<Uint8Array>({
        write: (chunk) => void sink.write(chunk),
        close: async () => void await sink.end(),
      }),
    );
  }
  moved = B.file(args.file).size;
}
report("bun", args, (performance.now() - start) / 1000, moved);
