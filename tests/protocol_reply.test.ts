import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { formatReply, ReplyAssembler } from "../src/protocol/reply.ts";
import { censorCommand, parseCommandLine } from "../src/protocol/command.ts";

describe("formatReply", () => {
  it("formats a single line", () => {
    assert.equal(formatReply("200", "OK"), "200 OK\r\n");
  });
  it("formats a multi-line reply and indents digit-leading middle lines", () => {
    assert.equal(
      formatReply("211", ["Features:", " UTF8", "226 looks like an end", "End"]),
      "211-Features:\r\n UTF8\r\n 226 looks like an end\r\n211 End\r\n",
    );
  });
  it("splits text with newlines and strips CR, LF and NUL so no reply can be injected", () => {
    assert.equal(formatReply("550", "a\nb"), "550-a\r\n550 b\r\n");
    assert.equal(formatReply("550", ["x\0y"]), "550 xy\r\n");
  });
});

describe("ReplyAssembler", () => {
  it("returns a single-line reply at once", () => {
    const a = new ReplyAssembler();
    assert.deepEqual(a.push("220 ready"), { kind: "reply", reply: { code: "220", lines: ["ready"] } });
  });
  it("assembles multi-line replies and ignores inner lines that only look like codes", () => {
    const a = new ReplyAssembler();
    assert.deepEqual(a.push("211-Features:"), { kind: "more" });
    assert.deepEqual(a.push("226-not the end"), { kind: "more" });
    assert.deepEqual(a.push("211End"), { kind: "more" });
    assert.deepEqual(a.push("211 End"), {
      kind: "reply",
      reply: { code: "211", lines: ["Features:", "226-not the end", "211End", "End"] },
    });
  });
  it("accepts a bare code line", () => {
    assert.deepEqual(new ReplyAssembler().push("200"), { kind: "reply", reply: { code: "200", lines: [""] } });
  });
  it("refuses lines that are not replies", () => {
    assert.equal(new ReplyAssembler().push("hello").kind, "invalid");
    assert.equal(new ReplyAssembler().push("99 x").kind, "invalid");
  });
  it("bounds the number of lines of one reply", () => {
    const a = new ReplyAssembler({ maxLines: 3 });
    a.push("211-a");
    a.push("b");
    a.push("c");
    assert.equal(a.push("d").kind, "invalid");
  });
});

describe("command lines", () => {
  it("upper-cases the verb and keeps the argument verbatim", () => {
    assert.deepEqual(parseCommandLine("stor  two  spaces.txt"), { name: "STOR", arg: " two  spaces.txt" });
    assert.deepEqual(parseCommandLine("noop"), { name: "NOOP", arg: "" });
  });
  it("censors PASS and ACCT only", () => {
    assert.equal(censorCommand("PASS s3cret word"), "PASS ********");
    assert.equal(censorCommand("pass x"), "pass ********");
    assert.equal(censorCommand("ACCT money"), "ACCT ********");
    assert.equal(censorCommand("PASV"), "PASV");
    assert.equal(censorCommand("USER bob"), "USER bob");
  });
});
