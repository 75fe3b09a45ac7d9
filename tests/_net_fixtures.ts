/**
 * Test-only TLS material and byte-stream helpers for the network tests.
 *
 * @module
 */
import { createHash } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import type { Conn } from "../src/net/types.ts";

/** Find a fixture from `tests/` (Deno, Bun) or from the built `dist/tests/` (Node). */
function fixture(name: string): string {
  for (const base of ["./fixtures/tls/", "../../tests/fixtures/tls/"]) {
    const path = fileURLToPath(new URL(base + name, import.meta.url));
    if (existsSync(path)) return readFileSync(path, "utf8");
  }
  throw new Error(`fixture ${name} not found`);
}

/** Self-signed test certificate for localhost, 127.0.0.1 and ::1 (PEM). */
export const TEST_CERT: string = fixture("cert.pem");
/** Its private key (PEM). Test-only: it is public. */
export const TEST_KEY: string = fixture("key.pem");

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** Write `text` through a short-lived writer. */
export async function writeText(conn: Conn, text: string): Promise<void> {
  const writer = conn.writable.getWriter();
  try {
    await writer.write(encoder.encode(text));
  } finally {
    writer.releaseLock();
  }
}

/** Read exactly `length` bytes (fails at end of stream) and decode them. */
export async function readText(conn: Conn, length: number): Promise<string> {
  const reader = conn.readable.getReader();
  const parts: Uint8Array[] = [];
  let got = 0;
  try {
    // Bounded: every round consumes at least one byte or ends.
    while (got < length) {
      const { value, done } = await reader.read();
      if (done) throw new Error(`stream ended after ${got} of ${length} bytes`);
      parts.push(value);
      got += value.byteLength;
    }
  } finally {
    reader.releaseLock();
  }
  if (got !== length) throw new Error(`read ${got} bytes, wanted ${length} (read ahead)`);
  return decoder.decode(concat(parts));
}

/** Join byte chunks. */
export function concat(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.byteLength, 0));
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.byteLength;
  }
  return out;
}

/** Read a stream to its end (at most `limit` bytes); resolves to byte count and SHA-256. */
export async function drain(
  readable: ReadableStream<Uint8Array>,
  limit: number,
): Promise<{ bytes: number; sha256: string }> {
  const hash = createHash("sha256");
  let bytes = 0;
  const reader = readable.getReader();
  try {
    // Bounded by `limit`.
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      hash.update(value);
      bytes += value.byteLength;
      if (bytes > limit) throw new Error(`more than ${limit} bytes arrived`);
    }
  } finally {
    reader.releaseLock();
  }
  return { bytes, sha256: hash.digest("hex") };
}

/**
 * Write `total` bytes of pseudo-random data in fresh `chunkSize` chunks (adapters may keep a
 * reference to a written chunk), then close. Resolves to the SHA-256 of what was written.
 */
export async function pump(
  writable: WritableStream<Uint8Array>,
  total: number,
  chunkSize = 1 << 20,
): Promise<{ bytes: number; sha256: string }> {
  const hash = createHash("sha256");
  const pattern = new Uint8Array(chunkSize);
  for (let i = 0; i < chunkSize; i++) pattern[i] = (i * 2654435761) >>> 24;
  const writer = writable.getWriter();
  let bytes = 0;
  for (let n = 0; bytes < total; n++) {
    const chunk = pattern.slice(0, Math.min(chunkSize, total - bytes));
    new DataView(chunk.buffer).setUint32(0, n); // no two chunks alike
    hash.update(chunk);
    bytes += chunk.byteLength;
    await writer.write(chunk);
  }
  await writer.close();
  return { bytes, sha256: hash.digest("hex") };
}
