/**
 * Node: stream a file over loopback to/from a peer process, through nodeNet or through
 * Node's classic pipe (`fs.createReadStream(…).pipe(socket)` / `socket.pipe(createWriteStream)`).
 *
 * @module
 */
import { createReadStream, createWriteStream, statSync } from "node:fs";
import { open } from "node:fs/promises";
import { connect } from "node:net";
import process from "node:process";
import { nodeNet } from "../../src/net/node.ts";
import { adapterRecv, adapterSend, type BenchArgs, parseArgs, report } from "./_common.ts";

const CHUNK = 1 << 20;

/** A file as a ReadableStream: fresh 1 MiB chunks (the adapter hands chunks to the socket uncopied). */
async function fileSource(path: string): Promise<ReadableStream<Uint8Array>> {
  const handle = await open(path, "r");
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      const buffer = new Uint8Array(CHUNK);
      const { bytesRead } = await handle.read(buffer, 0, CHUNK, null);
      if (bytesRead === 0) {
        await handle.close();
        controller.close();
      } else {
        controller.enqueue(bytesRead === CHUNK ? buffer : buffer.subarray(0, bytesRead));
      }
    },
  }, { highWaterMark: 0 });
}

/**
 * A file as a WritableStream over the same fs.WriteStream the plain path pipes into (which
 * batches queued chunks into one writev), waiting for 'drain' only when it asks to, as pipe does.
 */
function fileSink(path: string): WritableStream<Uint8Array> {
  const out = createWriteStream(path, { highWaterMark: CHUNK });
  return new WritableStream<Uint8Array>({
    write(chunk) {
      if (out.write(chunk)) return;
      return new Promise<void>((resolve) => out.once("drain", resolve));
    },
    close: () => new Promise<void>((resolve, reject) => out.end((error?: Error | null) => error ? reject(error) : resolve())),
  });
}

function plainSend(args: BenchArgs): Promise<number> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: "127.0.0.1", port: args.port, allowHalfOpen: true }, () => {
      createReadStream(args.file, { highWaterMark: CHUNK }).pipe(socket);
    });
    let ack = "";
    socket.on("data", (chunk) => (ack += chunk));
    socket.on("end", () => {
      socket.destroy();
      resolve(Number(ack));
    });
    socket.on("error", reject);
  });
}

function plainRecv(args: BenchArgs): Promise<void> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: "127.0.0.1", port: args.port }, () => {
      socket.pipe(createWriteStream(args.file, { highWaterMark: CHUNK }))
        .on("finish", resolve)
        .on("error", reject);
    });
    socket.on("error", reject);
  });
}

const args = parseArgs(process.argv.slice(2));
const start = performance.now();
let moved: number;
if (args.dir === "send") {
  moved = args.impl === "plain"
    ? await plainSend(args)
    : await adapterSend(nodeNet, args.port, await fileSource(args.file));
} else {
  if (args.impl === "plain") await plainRecv(args);
  else await adapterRecv(nodeNet, args.port, fileSink(args.file));
  moved = statSync(args.file).size;
}
report("node", args, (performance.now() - start) / 1000, moved);
