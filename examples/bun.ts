// Bun: bun add anyftp, then bun bun.ts. A server with one file, and a client that saves
// it with Bun.write; `await using` closes both.
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Client, MemoryPathIO, Server } from "anyftp";

const storage = new MemoryPathIO();
await storage.mkdir("/pub");
const sink = (await storage.openWrite("/pub/file.bin")).getWriter();
await sink.write(new Uint8Array(1024 * 1024).fill(42));
await sink.close();

await using server = new Server({ storage }); // anonymous, read-only
const { port } = await server.listen({ hostname: "127.0.0.1", port: 0 });

await using client = await Client.connect(`ftp://anonymous:guest@127.0.0.1:${port}`);
const copy = join(tmpdir(), `anyftp-copy-${process.pid}.bin`);
await Bun.write(copy, new Response(await client.downloadStream("/pub/file.bin")));
console.log(copy, Bun.file(copy).size); // 1048576
await Bun.file(copy).delete();
