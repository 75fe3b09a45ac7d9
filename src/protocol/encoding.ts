/**
 * Text encodings of the control connection and listings, for both sides: UTF-8 (RFC 2640,
 * the default) or Latin-1 for old peers. `TextEncoder` only does UTF-8, and
 * `TextDecoder("latin1")` is really windows-1252 (0x80–0x9f become other characters), so
 * Latin-1 is done by hand, the same way in both directions.
 *
 * @module
 */

/**
 * Encodings the client and server speak on the control connection and in listings.
 *
 * @example
 * ```ts
 * import type { FtpEncoding } from "./encoding.ts";
 * const encoding: FtpEncoding = "latin1"; // an old peer without UTF-8
 * ```
 */
export type FtpEncoding = "utf-8" | "latin1";

const utf8 = new TextEncoder();

/**
 * An encoder from text to bytes.
 *
 * @param encoding The encoding.
 * @returns A function from text to bytes; Latin-1 maps characters above U+00FF to `?`.
 *
 * @example
 * ```ts
 * import { textEncoder } from "./encoding.ts";
 * textEncoder("latin1")("café"); // Uint8Array [0x63, 0x61, 0x66, 0xe9]
 * ```
 */
export function textEncoder(encoding: FtpEncoding): (text: string) => Uint8Array {
  if (encoding === "utf-8") return (text) => utf8.encode(text);
  return (text) => {
    const out = new Uint8Array(text.length);
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i);
      out[i] = c <= 0xff ? c : 0x3f;
    }
    return out;
  };
}

/**
 * A decoder from bytes to text (Latin-1 proper: every byte is the code point of its value).
 *
 * @param encoding The encoding.
 * @returns A function from bytes to text; invalid UTF-8 becomes U+FFFD.
 *
 * @example
 * ```ts
 * import { textDecoder } from "./encoding.ts";
 * textDecoder("latin1")(new Uint8Array([0x80])); // "\u0080" (windows-1252 would give "€")
 * ```
 */
export function textDecoder(encoding: FtpEncoding): (bytes: Uint8Array) => string {
  return encoding === "utf-8" ? decodeUtf8 : decodeLatin1;
}

// One decoder for every caller: decode() without `stream` keeps no state between calls, and
// a TextDecoder per session would cost each session a converter (native memory on Node).
const utf8Decoder = new TextDecoder("utf-8");
const decodeUtf8 = (bytes: Uint8Array): string => utf8Decoder.decode(bytes);
function decodeLatin1(bytes: Uint8Array): string {
  let s = "";
  for (let i = 0; i < bytes.length; i += 4096) {
    s += String.fromCharCode(...bytes.subarray(i, i + 4096));
  }
  return s;
}
