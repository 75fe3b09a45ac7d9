/**
 * A benchmark server child: anyftp's Server on 127.0.0.1 (free port) over a LocalPathIO of the
 * directory given as the first argument, anonymous with write access. Prints one JSON line
 * `{"port":…}` when ready and runs until its standard input closes.
 *
 * Run by bench/server/memory.ts: `deno run -A bench/server/serve.ts DIR`, `bun bench/server/serve.ts DIR`,
 * `node dist/bench/server/serve.js DIR`.
 */
import process from "node:process";
import { LocalPathIO } from "../../src/fs/local_path_io.ts";
import { Server } from "../../src/server/server.ts";

const root = process.argv[2];
if (!root) throw new Error("usage: serve.ts DIR");
const server = new Server({
  users: [{ anonymous: true, permissions: [{ path: "/" }] }],
  storage: new LocalPathIO({ root }),
});
const { port } = await server.listen({ hostname: "127.0.0.1", port: 0 });
process.stdout.write(JSON.stringify({ port }) + "\n");
process.stdin.resume();
process.stdin.on("end", () => void server.close({ timeout: 1000 }).then(() => process.exit(0)));
process.stdin.on("close", () => void server.close({ timeout: 1000 }).then(() => process.exit(0)));
