// Deno: deno run --allow-net deno.ts (anyftp comes from JSR). An anonymous server on an
// in-memory storage, and a client round trip; `await using` closes both.
import { Client, MemoryPathIO, Server } from "jsr:@anyftp/anyftp@^0.1.0";

await using server = new Server({
  users: [{ anonymous: true, permissions: [{ path: "/", writable: true }] }],
  storage: new MemoryPathIO(),
});
const { port } = await server.listen({ hostname: "127.0.0.1", port: 0 });

await using client = await Client.connect(`ftp://127.0.0.1:${port}`); // anonymous login
await client.uploadData("hello from Deno\n", "/hello.txt");
console.log(new TextDecoder().decode(await client.downloadData("/hello.txt")));
