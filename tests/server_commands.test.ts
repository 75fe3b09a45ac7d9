import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { bytes, Control, getFile, putFile, startServer, text } from "./_server_helpers.ts";

describe("server: login and basics", () => {
  it("greets with 220, logs in anonymously, PWD is /", async () => {
    await using srv = await startServer();
    const { control: c, greeting } = await Control.open(srv.port);
    try {
      assert.equal(greeting.code, "220");
      assert.equal((await c.cmd("USER anonymous")).code, "331");
      assert.equal((await c.cmd("PASS me@example.com")).code, "230");
      const pwd = await c.cmd("PWD");
      assert.equal(pwd.code, "257");
      assert.match(pwd.lines[0]!, /^"\/" /);
      assert.equal((await c.cmd("QUIT")).code, "221");
    } finally {
      c.close();
    }
  });

  it("round-trips a file with STOR and RETR", async () => {
    await using srv = await startServer({ users: [{ login: "u", password: "p" }] });
    const c = await Control.login(srv.port, "u", "p");
    try {
      await c.expect("TYPE I", "200");
      const up = await c.upload("STOR a.bin", bytes("hello world"));
      assert.equal(up.final.code, "226");
      assert.equal(text(await getFile(srv.storage, "/a.bin")), "hello world");
      const down = await c.download("RETR a.bin");
      assert.equal(down.final.code, "226");
      assert.equal(text(down.data), "hello world");
      await putFile(srv.storage, "/b.txt", "x");
      const list = await c.download("LIST");
      assert.equal(list.final.code, "226");
      assert.match(text(list.data), /a\.bin\r\n/);
      assert.match(text(list.data), /b\.txt\r\n/);
    } finally {
      c.close();
    }
  });
});
