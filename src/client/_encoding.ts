/**
 * The client's view of the shared control-connection encodings (`protocol/encoding.ts`).
 *
 * @module
 */

import { type FtpEncoding, textDecoder as decoderFor, textEncoder } from "../protocol/encoding.ts";

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
export type ClientEncoding = FtpEncoding;

/**
 * Encode text for the wire.
 *
 * @param text The text.
 * @param encoding The encoding.
 * @returns The bytes; Latin-1 maps characters above U+00FF to `?`.
 */
export function encodeText(text: string, encoding: ClientEncoding): Uint8Array {
  return textEncoder(encoding)(text);
}

/**
 * A decoder for the encoding (Latin-1 proper, not windows-1252).
 *
 * @param encoding The encoding.
 * @returns A function from bytes to text.
 */
export function textDecoder(encoding: ClientEncoding): (bytes: Uint8Array) => string {
  return decoderFor(encoding);
}
