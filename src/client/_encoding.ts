/**
 * The client's view of the shared control-connection encodings (`protocol/encoding.ts`).
 *
 * @module
 */

import { type FtpEncoding, textEncoder } from "../protocol/encoding.ts";

/** Decoders come straight from the shared module. */
export { textDecoder } from "../protocol/encoding.ts";

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
