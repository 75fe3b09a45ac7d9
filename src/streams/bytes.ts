/**
 * Byte helpers shared by the client, the server and the line reader.
 *
 * @module
 */

/**
 * Join chunks into one array (no copy when there is only one).
 *
 * @param chunks The parts, in order.
 * @param total Their total length, when the caller counted it already.
 * @returns The joined bytes.
 *
 * @example
 * ```ts
 * import { concatBytes } from "./bytes.ts";
 * concatBytes([new Uint8Array([1]), new Uint8Array([2, 3])]); // Uint8Array [1, 2, 3]
 * ```
 */
export function concatBytes(chunks: readonly Uint8Array[], total?: number): Uint8Array {
  if (chunks.length === 1 && (total === undefined || total === chunks[0]!.byteLength)) return chunks[0]!;
  const size = total ?? chunks.reduce((n, c) => n + c.byteLength, 0);
  const out = new Uint8Array(size);
  let at = 0;
  for (const chunk of chunks) {
    out.set(chunk, at);
    at += chunk.byteLength;
  }
  return out;
}
