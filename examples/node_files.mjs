// Node 20+: node node_files.mjs. upload/download follow aioftp (the destination is a
// directory, the source lands inside it under its own name); with `writeInto: true` the
// destination is the target itself, as `cp` and `curl -o` behave. `ascii: true` is TYPE A.
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Client } from "anyftp";
import { startTestServer } from "anyftp/testing";

const local = await mkdtemp(join(tmpdir(), "anyftp-files-"));
const server = await startTestServer({
  files: { "/report.pdf": "%PDF-1.7", "/readme.txt": "line 1\r\nline 2\r\n", "/pub/site/index.html": "<h1>hi</h1>" },
  users: [{ login: "alice", password: "secret", permissions: [{ path: "/", writable: true }] }],
});
const client = await Client.connect(server.url);
try {
  await client.download("/report.pdf", join(local, "downloads")); // → downloads/report.pdf
  await client.download("/report.pdf", join(local, "out.pdf"), { writeInto: true }); // → out.pdf
  await writeFile(join(local, "notes.txt"), "notes\n");
  await client.upload(join(local, "notes.txt"), "/docs/2024.txt", { writeInto: true }); // → /docs/2024.txt
  await client.download("/pub/site", join(local, "site"), { writeInto: true }); // /pub/site/* → site/*
  const text = new TextDecoder().decode(await client.downloadData("/readme.txt", { ascii: true })); // CRLF → LF
  console.log(await readFile(join(local, "downloads", "report.pdf"), "utf8"), await readFile(join(local, "site", "index.html"), "utf8"));
  console.log(JSON.stringify(text), (await client.stat("/docs/2024.txt")).size, "bytes uploaded");
} finally {
  await client.close();
  await server.close();
  await rm(local, { recursive: true, force: true });
}
