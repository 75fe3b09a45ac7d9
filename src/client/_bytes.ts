/**
 * Joining byte chunks, shared by the listing reader and the download gatherer.
 *
 * @module
 */

/**
 * The parts as one buffer (no copy for a single part).
 *
 * @param parts The chunks.
 * @param total Their summed length, when the caller counted it.
 * @returns The bytes.
 */
export function concatBytes(
  parts: readonly Uint8Array[],
  total: number = parts.reduce((n, p) => n + p.byteLength, 0),
): Uint8Array {
  if (parts.length === 1) return parts[0]!;
  const out = new Uint8Array(total);
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.byteLength;
  }
  return out;
}
