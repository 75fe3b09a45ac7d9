/**
 * Storage helpers of the tests: put and get a file, the upload target of a temporary
 * upload name, and an instrumented in-memory storage (virtual big files, gated uploads).
 *
 * @module
 */

import { MemoryPathIO } from "../../src/fs/memory_path_io.ts";
import type { PathIO } from "../../src/fs/path_io.ts";
import { bytes, readAll } from "./bytes.ts";

/**
 * The upload target a storage path is written for: a temporary upload name
 * (`/dir/.name.anyftp-upload-<hex>`, the default "rename" upload policy) maps to `/dir/name`,
 * anything else to itself. Test storages that act on a target path use it.
 */
export function uploadTarget(path: string): string {
  const m = /^(.*\/)\.(.+)\.anyftp-upload-[0-9a-f]{16}$/s.exec(path);
  return m ? m[1]! + m[2]! : path;
}

/** Put a file into a storage. */
export async function putFile(storage: PathIO, path: string, data: Uint8Array | string): Promise<void> {
  const parent = path.slice(0, path.lastIndexOf("/"));
  if (parent) await storage.mkdir(parent, { parents: true });
  const w = (await storage.openWrite(path)).getWriter();
  await w.write(typeof data === "string" ? bytes(data) : data);
  await w.close();
}

/** Get a file from a storage. */
export async function getFile(storage: PathIO, path: string): Promise<Uint8Array> {
  return await readAll(await storage.openRead(path));
}

/**
 * A storage with "virtual" big files generated on demand (byte i is `i & 255`), counting how
 * many bytes the server pulled from them, and "gated" upload targets whose writes wait until
 * released, counting what arrived. Everything else goes to a MemoryPathIO.
 */
export class InstrumentedPathIO extends MemoryPathIO {
  #virtual = new Map<string, number>();
  #gates = new Map<string, { open: boolean; waiters: (() => void)[] }>();
  /** Bytes pulled from virtual files. */
  pulled = 0;
  /** Bytes accepted by gated sinks. */
  received = 0;
  /** Open read streams of virtual files not yet ended or cancelled. */
  openReads = 0;

  /** Add a generated file of `size` bytes. */
  addVirtual(path: string, size: number): void {
    this.#virtual.set(path, size);
  }

  /** Make writes to `path` wait until {@linkcode release}. */
  gate(path: string): void {
    this.#gates.set(path, { open: false, waiters: [] });
  }

  /** Let writes to `path` proceed. */
  release(path: string): void {
    const g = this.#gates.get(path);
    if (!g) return;
    g.open = true;
    for (const w of g.waiters.splice(0)) w();
  }

  override stat(path: string) {
    const size = this.#virtual.get(path);
    if (size !== undefined) return Promise.resolve({ type: "file" as const, size, mtime: new Date(0), mode: 0o644 });
    return super.stat(path);
  }

  override openRead(path: string, options: { offset?: number } = {}): Promise<ReadableStream<Uint8Array>> {
    const size = this.#virtual.get(path);
    if (size === undefined) return super.openRead(path, options);
    let pos = options.offset ?? 0;
    this.openReads++;
    let open = true;
    const done = () => {
      if (open) this.openReads--;
      open = false;
    };
    const chunk = 64 * 1024;
    return Promise.resolve(
      new ReadableStream<Uint8Array>({
        pull: (controller) => {
          if (pos >= size) {
            done();
            controller.close();
            return;
          }
          const n = Math.min(chunk, size - pos);
          const out = new Uint8Array(n);
          for (let i = 0; i < n; i++) out[i] = (pos + i) & 255;
          pos += n;
          this.pulled += n;
          controller.enqueue(out);
        },
        cancel: () => done(),
      }, { highWaterMark: 0 }),
    );
  }

  override openWrite(path: string, options = {}): Promise<WritableStream<Uint8Array>> {
    const g = this.#gates.get(uploadTarget(path));
    if (!g) return super.openWrite(path, options);
    // The file exists (empty), so an upload policy may rename it; the bytes are only counted.
    return super.openWrite(path, options).then((w) => w.close()).then(() =>
      new WritableStream<Uint8Array>({
        write: async (chunk) => {
          if (!g.open) await new Promise<void>((r) => g.waiters.push(r));
          this.received += chunk.byteLength;
        },
      })
    );
  }
}
