/**
 * TYPE A (ASCII) line-ending conversion for data connections (RFC 959 section 3.1.1.1): the
 * network form ends lines with CRLF, the stored form with LF. Both transforms are streaming
 * (a CR split across chunks is handled) and pass chunks through untouched when there is
 * nothing to convert.
 *
 * @module
 */

const CR = 0x0d;
const LF = 0x0a;

/**
 * A transform from stored text to the network form: every LF not already preceded by CR
 * becomes CRLF (existing CRLF pairs stay as they are).
 *
 * @returns The transform stream.
 *
 * @example
 * ```ts
 * import { toCrlfStream } from "./ascii_stream.ts";
 * const out = new Blob([new TextEncoder().encode("a\nb\r\n")]).stream().pipeThrough(toCrlfStream());
 * console.log(await new Response(out).text()); // "a\r\nb\r\n"
 * ```
 */
export function toCrlfStream(): TransformStream<Uint8Array, Uint8Array> {
  let prevCR = false; // whether the previous chunk ended with CR
  return new TransformStream({
    transform(chunk, controller) {
      if (chunk.length === 0) return;
      const before = prevCR;
      const bare = (i: number) => !(i === 0 ? before : chunk[i - 1] === CR);
      let extra = 0;
      for (let i = chunk.indexOf(LF); i >= 0; i = chunk.indexOf(LF, i + 1)) if (bare(i)) extra++;
      prevCR = chunk[chunk.length - 1] === CR;
      if (extra === 0) {
        controller.enqueue(chunk);
        return;
      }
      const out = new Uint8Array(chunk.length + extra);
      let o = 0;
      let start = 0;
      for (let i = chunk.indexOf(LF); i >= 0; i = chunk.indexOf(LF, i + 1)) {
        if (!bare(i)) continue;
        out.set(chunk.subarray(start, i), o);
        o += i - start;
        out[o++] = CR;
        start = i; // the LF itself is copied with the next segment
      }
      out.set(chunk.subarray(start), o);
      controller.enqueue(out);
    },
  });
}

/**
 * A transform from the network form to stored text: every CRLF becomes LF; a CR not followed
 * by LF is kept.
 *
 * @returns The transform stream.
 *
 * @example
 * ```ts
 * import { fromCrlfStream } from "./ascii_stream.ts";
 * const out = new Blob([new TextEncoder().encode("a\r\nb\rc")]).stream().pipeThrough(fromCrlfStream());
 * console.log(JSON.stringify(await new Response(out).text())); // "\"a\\nb\\rc\""
 * ```
 */
export function fromCrlfStream(): TransformStream<Uint8Array, Uint8Array> {
  let pendingCR = false;
  return new TransformStream({
    transform(chunk, controller) {
      if (chunk.length === 0) return;
      if (!pendingCR && chunk.indexOf(CR) < 0) {
        controller.enqueue(chunk);
        return;
      }
      const out = new Uint8Array(chunk.length + 1);
      let o = 0;
      let i = 0;
      if (pendingCR) {
        pendingCR = false;
        if (chunk[0] !== LF) out[o++] = CR;
      }
      const last = chunk.length - 1;
      for (; i < chunk.length; i++) {
        const b = chunk[i]!;
        if (b === CR) {
          if (i === last) {
            pendingCR = true; // decided by the next chunk
            continue;
          }
          if (chunk[i + 1] === LF) continue;
        }
        out[o++] = b;
      }
      if (o > 0) controller.enqueue(out.subarray(0, o));
    },
    flush(controller) {
      if (pendingCR) controller.enqueue(new Uint8Array([CR]));
    },
  });
}
