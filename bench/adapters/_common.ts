/**
 * Shared parts of the adapter benchmarks: arguments, the adapter-based transfers (identical
 * for every runtime, so only the adapter differs), and the result line.
 *
 * @module
 */
import type { Net } from "../../src/net/types.ts";

/** One benchmark run, from the command line. */
export interface BenchArgs {
  /** `send`: file → socket (a server's RETR); `recv`: socket → file (STOR). */
  readonly dir: "send" | "recv";
  /** `adapter`: through our Net; `plain`: the runtime's own fastest path. */
  readonly impl: "adapter" | "plain";
  /** The file to send, or to write received bytes to. */
  readonly file: string;
  /** The peer process's port on 127.0.0.1. */
  readonly port: number;
  /** Bytes expected to travel. */
  readonly bytes: number;
}

/** Parse `<send|recv> <adapter|plain> <file> <port> <bytes>`. */
export function parseArgs(argv: readonly string[]): BenchArgs {
  const [dir, impl, file, port, bytes] = argv;
  if ((dir !== "send" && dir !== "recv") || (impl !== "adapter" && impl !== "plain") || !file) {
    throw new Error("usage: <send|recv> <adapter|plain> <file> <port> <bytes>");
  }
  return { dir, impl, file, port: Number(port), bytes: Number(bytes) };
}

/** Read a whole (small) stream as text. */
export async function readAllText(readable: ReadableStream<Uint8Array>): Promise<string> {
  let text = "";
  const decoder = new TextDecoder();
  const reader = readable.getReader();
  for (let r = await reader.read(); !r.done; r = await reader.read()) {
    text += decoder.decode(r.value, { stream: true });
  }
  return text + decoder.decode();
}

/** file → socket through the adapter; resolves to the byte count the peer confirmed. */
export async function adapterSend(
  net: Net,
  port: number,
  source: ReadableStream<Uint8Array>,
): Promise<number> {
  const conn = await net.connect({ hostname: "127.0.0.1", port });
  await source.pipeTo(conn.writable); // ends with writable.close(): a half-close
  const ack = Number(await readAllText(conn.readable));
  conn.close();
  return ack;
}

/** socket → file through the adapter. */
export async function adapterRecv(
  net: Net,
  port: number,
  sink: WritableStream<Uint8Array>,
): Promise<void> {
  const conn = await net.connect({ hostname: "127.0.0.1", port });
  await conn.readable.pipeTo(sink);
  conn.close();
}

/** Print one JSON result line (run.sh collects them). */
export function report(runtime: string, args: BenchArgs, seconds: number, moved: number): void {
  if (moved !== args.bytes) throw new Error(`moved ${moved} bytes, expected ${args.bytes}`);
  const gbps = moved / seconds / 1e9;
  console.log(JSON.stringify({ runtime, dir: args.dir, impl: args.impl, bytes: moved, seconds, gbps }));
}
