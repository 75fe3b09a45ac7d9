/**
 * Text encodings of the control channel and listings: UTF-8 (RFC 2640, the default) or
 * Latin-1 for old servers. `TextEncoder` only does UTF-8, so Latin-1 is done by hand.
 *
 * @module
 */

/**
 * Encodings the client speaks on the control channel and in listings.
 *
 * @example
 * ```ts
 * import { Client, type ClientEncoding } from "anyftp";
 * const encoding: ClientEncoding = "latin1"; // an old server without UTF-8
 * await using client = await Client.connect("ftp://127.0.0.1:2121", { encoding });
 * ```
 */
export type ClientEncoding = "utf-8" | "latin1";

const utf8 = new TextEncoder();

/**
 * Encode text for the wire.
 *
 * @param text The text.
 * @param encoding The encoding.
 * @returns The bytes; Latin-1 maps characters above U+00FF to `?`.
 */
export function encodeText(text: string, encoding: ClientEncoding): Uint8Array {
  if (encoding === "utf-8") return utf8.encode(text);
  const out = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    out[i] = c > 0xff ? 0x3f : c;
  }
  return out;
}

/**
 * A decoder for the encoding (Latin-1 proper, not windows-1252 as `TextDecoder("latin1")` is).
 *
 * @param encoding The encoding.
 * @returns A function from bytes to text.
 */
export function textDecoder(encoding: ClientEncoding): (bytes: Uint8Array) => string {
  if (encoding === "utf-8") {
    const d = new TextDecoder("utf-8");
    return (bytes) => d.decode(bytes);
  }
  return (bytes) => {
    let s = "";
    for (let i = 0; i < bytes.length; i += 4096) {
      s += String.fromCharCode(...bytes.subarray(i, i + 4096));
    }
    return s;
  };
}
