// A test of your own code against a real FTP server, in memory. Runs as it stands with
// node --test, bun test and deno test -A (node:test is built into all three).
import assert from "node:assert/strict";
import { test } from "node:test";
import { Client } from "anyftp";
import { startTestServer } from "anyftp/testing";

test("my code downloads the report", async () => {
  const server = await startTestServer({
    files: { "/reports/q1.csv": "region,total\nnorth,12\n" },
    users: [{ login: "alice", password: "secret" }],
  });
  try {
    const client = await Client.connect(server.url); // ftp://alice:secret@127.0.0.1:<port>
    try {
      const csv = new TextDecoder().decode(await client.downloadData("/reports/q1.csv"));
      assert.equal(csv.split("\n")[1], "north,12");
    } finally {
      await client.quit();
    }
  } finally {
    await server.close();
  }
});
