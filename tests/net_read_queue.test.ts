/**
 * The shared read queue of the adapters (src/net/_core/read_queue.ts), on its own: the
 * end/reset/EPIPE rules and the pause/resume bounds that the Node, Bun and Deno connections
 * rely on, without a socket.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ConnectionClosedError } from "../src/errors.ts";
import { ReadQueue } from "../src/net/_core/read_queue.ts";

/** A source that records pause/resume calls. */
function source() {
  const calls: string[] = [];
  return { calls, pause: () => void calls.push("pause"), resume: () => void calls.push("resume") };
}

const bytes = (...values: number[]) => new Uint8Array(values);

describe("net read queue", () => {
  it("bytes received before a reset reach the reader, then the stream fails as closed", async () => {
    const queue = new ReadQueue({ limit: 1024, onCancel: () => {} });
    queue.attach(source());
    queue.push(bytes(1, 2));
    queue.push(bytes(3));
    queue.close(Object.assign(new Error("reset"), { code: "ECONNRESET" }));
    const reader = queue.readable.getReader();
    assert.deepEqual((await reader.read()).value, bytes(1, 2));
    assert.deepEqual((await reader.read()).value, bytes(3));
    const error = await reader.read().then(() => undefined, (e) => e);
    assert.ok(error instanceof ConnectionClosedError, `got ${error}`);
    assert.equal((error.cause as { code?: string }).code, "ECONNRESET");
  });

  it("an error after the peer's end, or our own EPIPE, ends the stream cleanly", async () => {
    for (const late of [true, false]) {
      const queue = new ReadQueue({ limit: 1024, onCancel: () => {} });
      queue.attach(source());
      queue.push(bytes(7));
      if (late) {
        queue.end();
        queue.close(new Error("reset after FIN"));
      } else {
        queue.close(Object.assign(new Error("broken pipe"), { code: "EPIPE" }));
      }
      const reader = queue.readable.getReader();
      assert.deepEqual((await reader.read()).value, bytes(7));
      assert.equal((await reader.read()).done, true);
    }
  });

  it("pauses the source once `limit` bytes wait unread and resumes it when the reader catches up", async () => {
    const flow = source();
    const queue = new ReadQueue({ limit: 4, onCancel: () => {} });
    queue.attach(flow);
    assert.deepEqual(flow.calls, ["pause"]); // nothing is read until the reader pulls
    const reader = queue.readable.getReader();
    const first = reader.read();
    await Promise.resolve();
    assert.deepEqual(flow.calls, ["pause", "resume"]);
    queue.push(bytes(1)); // straight to the waiting read
    assert.deepEqual((await first).value, bytes(1));
    queue.push(bytes(1, 2));
    queue.push(bytes(3, 4)); // 4 bytes wait: pause
    assert.deepEqual(flow.calls, ["pause", "resume", "pause"]);
    assert.deepEqual((await reader.read()).value, bytes(1, 2)); // 2 left: below the limit
    assert.deepEqual(flow.calls, ["pause", "resume", "pause", "resume"]);
  });

  it("limit 0 keeps every byte in the source until a read asks for it", async () => {
    const flow = source();
    const queue = new ReadQueue({ limit: 0, onCancel: () => {} });
    queue.attach(flow);
    const reader = queue.readable.getReader();
    const read = reader.read();
    await Promise.resolve();
    queue.push(bytes(9));
    assert.deepEqual((await read).value, bytes(9));
    assert.deepEqual(flow.calls, ["pause", "resume", "pause"]);
  });

  it("cancel drops what waits and what comes, and calls onCancel once", async () => {
    let cancelled = 0;
    const queue = new ReadQueue({ limit: 1024, onCancel: () => void cancelled++ });
    queue.attach(source());
    queue.push(bytes(1));
    await queue.readable.cancel();
    queue.push(bytes(2));
    queue.end();
    assert.equal(cancelled, 1);
    assert.equal(queue.length, 0);
  });

  it("handOver returns the unread chunks and ends the stream", async () => {
    const queue = new ReadQueue({ limit: 1024, onCancel: () => {} });
    queue.attach(source());
    queue.push(bytes(1));
    queue.push(bytes(2));
    assert.deepEqual(queue.handOver(), [bytes(1), bytes(2)]);
    queue.push(bytes(3)); // dropped: the stream was handed over
    assert.equal((await queue.readable.getReader().read()).done, true);
  });
});
