import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { LineReader } from "../src/streams/line_reader.ts";

/** A stream that yields the given chunks, counting how many were pulled. */
function chunks(parts: (string | Uint8Array)[]): { stream: ReadableStream<Uint8Array>; pulled: () => number } {
  let i = 0;
  const enc = new TextEncoder();
  const stream = new ReadableStream<Uint8Array>({
    pull(c) {
      if (i >= parts.length) return c.close();
      const p = parts[i++]!;
      c.enqueue(typeof p === "string" ? enc.encode(p) : p);
    },
  }, { highWaterMark: 0 });
  return { stream, pulled: () => i };
}

describe("LineReader", () => {
  it("splits CRLF and bare LF lines across chunk boundaries", async () => {
    const r = new LineReader(chunks(["US", "ER a\r", "\nPASS b\nNO", "OP\r\n"]).stream);
    assert.deepEqual(await r.readLine(), { kind: "line", line: "USER a" });
    assert.deepEqual(await r.readLine(), { kind: "line", line: "PASS b" });
    assert.deepEqual(await r.readLine(), { kind: "line", line: "NOOP" });
    assert.deepEqual(await r.readLine(), { kind: "end" });
  });
  it("decodes UTF-8 split inside a character only at line level", async () => {
    const bytes = new TextEncoder().encode("CWD é\r\n");
    const r = new LineReader(chunks([bytes.subarray(0, 5), bytes.subarray(5)]).stream);
    assert.deepEqual(await r.readLine(), { kind: "line", line: "CWD é" });
  });
  it("reports an overlong line, discards it, and reads the next one", async () => {
    const r = new LineReader(chunks(["A".repeat(10), "\r\nOK\r\n"]).stream, { maxLineLength: 5 });
    assert.deepEqual(await r.readLine(), { kind: "too-long", length: 10 });
    assert.deepEqual(await r.readLine(), { kind: "line", line: "OK" });
  });
  it("keeps memory bounded when a peer never sends a newline", async () => {
    const big = new Uint8Array(64 * 1024).fill(65);
    const parts: Uint8Array[] = Array.from({ length: 256 }, () => big); // 16 MiB, no newline
    const source = chunks([...parts, "\nNOOP\n"]);
    const r = new LineReader(source.stream, { maxLineLength: 1024 });
    const first = await r.readLine();
    assert.equal(first.kind, "too-long");
    assert.equal(first.kind === "too-long" && first.length, 16 * 1024 * 1024);
    assert.deepEqual(await r.readLine(), { kind: "line", line: "NOOP" });
  });
  it("returns unread bytes on release so a TLS upgrade loses nothing", async () => {
    const r = new LineReader(chunks(["AUTH TLS\r\nextra"]).stream);
    assert.deepEqual(await r.readLine(), { kind: "line", line: "AUTH TLS" });
    assert.deepEqual(new TextDecoder().decode(r.release()), "extra");
  });
  it("reports a trailing overlong fragment at end of stream", async () => {
    const r = new LineReader(chunks(["x".repeat(100)]).stream, { maxLineLength: 10 });
    assert.equal((await r.readLine()).kind, "too-long");
    assert.deepEqual(await r.readLine(), { kind: "end" });
  });
});
