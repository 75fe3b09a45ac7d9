/**
 * The error a command gets instead of waiting forever behind a transfer stream that nobody
 * reads or writes.
 *
 * @module
 */

import { FtpError } from "../errors.ts";

/**
 * A command waited in a client's queue behind a transfer stream (from
 * {@linkcode Client.downloadStream}, {@linkcode Client.uploadStream} or
 * {@linkcode Client.appendStream}) that made no progress for `dataTimeout`: the stream holds
 * the control connection until it is consumed or cancelled, so the command could never run.
 * Nothing was sent for the failed command; the stream itself is left as it was and may still
 * be read, written, closed or cancelled.
 *
 * @example
 * ```ts
 * import { Client, StalledStreamError } from "anyftp";
 * await using client = await Client.connect("ftp://127.0.0.1:2121", { dataTimeout: 5000 });
 * const stream = await client.downloadStream("/big.iso");
 * try {
 *   await client.size("/other.txt"); // the stream is not being read: this cannot run
 * } catch (e) {
 *   if (e instanceof StalledStreamError) await stream.cancel(); // frees the client
 * }
 * ```
 */
export class StalledStreamError extends FtpError {
  /** The transfer command of the stream that holds the client, e.g. `"RETR big.iso"`. */
  readonly transferCommand: string;
  /** How long the stream had made no progress, in milliseconds (the `dataTimeout`). */
  readonly timeoutMs: number;

  /**
   * Make the error for a command that waited behind a stalled stream.
   *
   * @param transferCommand The command of the stream that holds the client.
   * @param timeoutMs The `dataTimeout` that elapsed.
   */
  constructor(transferCommand: string, timeoutMs: number) {
    super(
      `A command waited behind the open transfer stream of "${transferCommand}", which made no progress for ${timeoutMs} ms (dataTimeout): the stream holds the connection until it is read to its end (download) or closed (upload), or cancelled/aborted. Consume or cancel it before sending other commands on this client, or use a second client (ClientPool) for them.`,
    );
    this.transferCommand = transferCommand;
    this.timeoutMs = timeoutMs;
  }
}
