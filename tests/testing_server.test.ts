/**
 * `startTestServer` of `anyftp/testing`: seeded files, users and the login URL, the default
 * writable anonymous account, the memory network, and `await using` closing the server.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { Client } from "../src/client/client.ts";
import { ConnectError, StatusCodeError } from "../src/errors.ts";
import { MemoryPathIO } from "../src/fs/memory_path_io.ts";
import { startTestServer } from "../src/testing/mod.ts";
import { guard } from "./_support/mod.ts";

const text = (bytes: Uint8Array) => new TextDecoder().decode(bytes);

describe("startTestServer", () => {
  it("serves the given files to the first user through its URL", async () => {
    await using server = await startTestServer({
      files: { "/a.txt": "hi", "/docs/deep/b.bin": new Uint8Array([1, 2, 3]), "/empty/": "" },
      users: [{ login: "al ice", password: "p@ss:word" }, { login: "bob", password: "pw" }],
    });
    assert.equal(server.url, `ftp://al%20ice:p%40ss%3Aword@127.0.0.1:${server.port}`);
    assert.equal(server.hostname, "127.0.0.1");
    await using client = await guard(Client.connect(server.url), "connect");
    assert.equal(text(await client.downloadData("/a.txt")), "hi");
    assert.deepEqual([...await client.downloadData("/docs/deep/b.bin")], [1, 2, 3]);
    assert.equal(await client.isDir("/empty"), true);
    const names = (await client.list("/")).map((e) => e.name).sort();
    assert.deepEqual(names, ["a.txt", "docs", "empty"]);
    await client.uploadData("new", "/c.txt");
    assert.equal((await server.storage.stat("/c.txt")).size, 3);
    // The other user logs in too; a wrong password is refused.
    await using bob = await Client.connect(`ftp://bob:pw@127.0.0.1:${server.port}`);
    assert.equal(await bob.exists("/a.txt"), true);
    await assert.rejects(Client.connect(`ftp://bob:wrong@127.0.0.1:${server.port}`), StatusCodeError);
  });

  it("defaults to a writable anonymous account and an empty MemoryPathIO", async () => {
    await using server = await startTestServer();
    assert.equal(server.url, `ftp://127.0.0.1:${server.port}`);
    assert.ok(server.storage instanceof MemoryPathIO);
    await using client = await Client.connect(server.url);
    assert.deepEqual(await client.list("/"), []);
    await client.uploadData("x", "/up.txt");
    assert.equal(await server.storage.isFile("/up.txt"), true);
  });

  it("a given storage is seeded and served", async () => {
    const storage = new MemoryPathIO();
    await using server = await startTestServer({ storage, files: { "/x/y.txt": "y" } });
    assert.equal(server.storage, storage);
    assert.equal(await storage.isFile("/x/y.txt"), true);
  });

  it("runs on an in-memory network: clients connect through server.net", async () => {
    await using server = await startTestServer({ net: "memory", files: { "/m.txt": "memory" } });
    assert.equal(server.net.name, "memory");
    await using client = await Client.connect(server.url, { net: server.net });
    assert.equal(text(await client.downloadData("/m.txt")), "memory");
  });

  it("await using closes the server and frees the port", async () => {
    let port = 0;
    {
      await using server = await startTestServer();
      port = server.port;
    }
    const error = await Client.connect(`ftp://127.0.0.1:${port}`).then((c) => (c.close(), "connected"), (e) => e);
    assert.ok(error instanceof ConnectError, `got ${error}`);
  });

  it("passes server options through (disabled commands)", async () => {
    await using server = await startTestServer({ disabledCommands: ["MKD"] });
    await using client = await Client.connect(server.url);
    await assert.rejects(client.mkdir("/d"), (e) => e instanceof StatusCodeError && e.received === "502");
  });
});
