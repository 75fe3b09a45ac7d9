// Node 20+: npm install anyftp, then node node.mjs. A server for one user on a temporary
// directory, and a client that uploads, lists and downloads. Node 20 has no `await using`,
// so everything is closed in `finally`.
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Client, LocalPathIO, Server } from "anyftp";

const dir = await mkdtemp(join(tmpdir(), "anyftp-example-"));
await writeFile(join(dir, "report.txt"), "quarterly numbers\n");
const server = new Server({
  users: [{ login: "alice", password: "secret", permissions: [{ path: "/", writable: true }] }],
  storage: new LocalPathIO({ root: dir }),
});
try {
  const { port } = await server.listen({ hostname: "127.0.0.1", port: 0 }); // 0: any free port
  const client = await Client.connect(`ftp://alice:secret@127.0.0.1:${port}`);
  try {
    await client.uploadData("hello\n", "/hello.txt");
    await client.mkdir("/reports");
    await client.upload(join(dir, "report.txt"), "/reports"); // → /reports/report.txt (aioftp semantics)
    for await (const entry of client.list("/", { recursive: true })) {
      console.log(entry.path, entry.type, entry.size);
    }
    const readable = await client.downloadStream("/hello.txt"); // a Web ReadableStream
    console.log(await new Response(readable).text()); // "hello\n"
  } finally {
    await client.quit();
  }
} finally {
  await server.close();
  await rm(dir, { recursive: true, force: true });
}
