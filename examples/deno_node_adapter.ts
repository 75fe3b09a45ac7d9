// Deno: deno run --allow-net deno_node_adapter.ts. Every Server and Client takes a `net`
// option; here both use Node's `node:net` adapter under Deno instead of Deno's own.
import { Client, Server } from "jsr:@anyftp/anyftp@^0.1.0";
import { nodeNet } from "jsr:@anyftp/anyftp@^0.1.0/net/node";

await using server = new Server({ net: nodeNet });
const { port } = await server.listen({ hostname: "127.0.0.1", port: 0 });

await using client = await Client.connect(`ftp://127.0.0.1:${port}`, { net: nodeNet });
console.log(await client.pwd()); // "/"
