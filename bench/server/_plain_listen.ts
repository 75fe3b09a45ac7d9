/**
 * The plain-runtime ceiling for bench/server/session_memory.ts: a listener on 127.0.0.1 that
 * accepts connections, writes a one-line greeting and keeps a read pending on each, with the
 * runtime's own socket API (node:net, Deno.listen, Bun.listen) and no FTP at all. Prints
 * `{"port":N}`, then for each line on standard input collects garbage (as _gc_serve.ts) and prints `gc`.
 */
import process from "node:process";
import * as net from "node:net";

const greeting = new TextEncoder().encode("220 ready\r\n");
const g = globalThis as {
  gc?: () => void;
  Bun?: {
    gc(force: boolean): void;
    listen(o: unknown): { port: number };
  };
  Deno?: {
    listen(o: { hostname: string; port: number }): AsyncIterable<DenoConn> & { addr: { port: number } };
  };
};
interface DenoConn {
  read(b: Uint8Array): Promise<number | null>;
  write(b: Uint8Array): Promise<number>;
}
const held: unknown[] = [];

let port: number;
if (g.Deno) {
  const listener = g.Deno.listen({ hostname: "127.0.0.1", port: 0 });
  port = listener.addr.port;
  void (async () => {
    for await (const conn of listener) {
      held.push(conn);
      void conn.write(greeting);
      // read() into a small buffer: the least a Deno program can hold per pending read
      // (conn.readable reads into 64 KiB buffers).
      const buffer = new Uint8Array(1024);
      void (async () => {
        while ((await conn.read(buffer)) !== null) { /* discard */ }
      })().catch(() => {});
    }
  })();
} else if (g.Bun) {
  port = g.Bun.listen({
    hostname: "127.0.0.1",
    port: 0,
    socket: {
      open(s: { write(b: Uint8Array): number }) {
        held.push(s);
        s.write(greeting);
      },
      data() {},
      close() {},
    },
  }).port;
} else {
  const server = net.createServer((socket) => {
    held.push(socket);
    socket.on("data", () => {});
    socket.on("error", () => {});
    socket.write(greeting);
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", 4096, r));
  port = (server.address() as net.AddressInfo).port;
}

process.stdin.on("data", () => {
  for (let i = 0; i < 2; i++) {
    if (g.Bun) g.Bun.gc(true);
    else g.gc?.();
  }
  const { heapUsed, external } = process.memoryUsage();
  process.stdout.write(`gc ${JSON.stringify({ heapUsed, external })}\n`);
});
process.stdout.write(JSON.stringify({ port }) + "\n");
process.stdin.on("end", () => process.exit(0));
