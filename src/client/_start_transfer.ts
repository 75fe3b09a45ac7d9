/**
 * Starting a transfer: data connection, REST, the command and its 1xx, then a
 * {@linkcode Transfer} registered with the session (so `abort()` finds it) and wrapped in the
 * stream its caller reads or writes.
 *
 * @module
 */

import type { Conn } from "../net/types.ts";
import type { Reply } from "../protocol/reply.ts";
import { fromCrlfStream, toCrlfStream } from "../protocol/ascii_stream.ts";
import { censorCommand } from "../protocol/command.ts";
import { closeEndpoint, connectData, openDataEndpoint } from "./_data_connection.ts";
import { FtpError } from "../errors.ts";
import { unexpectedReply } from "./_replies.ts";
import { Transfer, transferRefusal } from "./_transfer.ts";
import type { ClientSession } from "./_session.ts";
import { downloadReadable, uploadWritable } from "./_transfer_streams.ts";
import type { TransferOptions } from "./options.ts";

/**
 * Throw the signal's reason when it is aborted.
 *
 * @param signal The signal, if any.
 */
export function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) {
    throw signal.reason ?? new DOMException("The operation was aborted", "AbortError");
  }
}

/** Options of {@linkcode startTransfer}. */
export interface StartOptions {
  /** REST offset, sent when above 0. */
  readonly offset?: number | undefined;
  /** Aborts the transfer (ABOR). */
  readonly signal?: AbortSignal | undefined;
  /** Called when the transfer is over (the caller's bookkeeping, e.g. freeing the queue). */
  readonly done?: (() => void) | undefined;
  /**
   * The stream goes to the client's caller, holding the queue until it is consumed: commands
   * queued behind it fail when it stalls (see `_command_queue.ts`). @default false
   */
  readonly handedOut?: boolean | undefined;
  /**
   * Awaited once the data endpoint is ready, before the command is sent: lets the caller
   * prepare its side (open a local file) during the EPSV/PASV round trip. When it rejects,
   * the command is not sent and its error is thrown.
   */
  readonly ready?: Promise<unknown> | undefined;
}

/**
 * Start a transfer command (RETR, STOR, APPE, LIST, MLSD…) with the queue held.
 *
 * @param s The session.
 * @param command The command line.
 * @param options REST offset, abort signal, end callback.
 * @returns The transfer; its data connection is open unless the server finished at once.
 */
export async function startTransfer(
  s: ClientSession,
  command: string,
  options: StartOptions = {},
): Promise<Transfer> {
  throwIfAborted(options.signal);
  const control = s.control;
  const endpoint = await openDataEndpoint(s);
  const shown = censorCommand(command);
  let conn: Conn | undefined;
  let final: Reply | undefined;
  let preliminary = false;
  try {
    if (options.ready) await options.ready;
    if (options.offset && options.offset > 0) {
      await s.execute(`REST ${options.offset}`, ["350"]);
    }
    await control.send(command);
    const reply = await control.readReply(s.options.socketTimeout, `"${shown}"`);
    if (reply.code.startsWith("2")) {
      final = reply;
      closeEndpoint(endpoint);
    } else if (!reply.code.startsWith("1")) {
      throw reply.code === "522" ? transferRefusal(reply, shown, s.reuseMissingOn) : unexpectedReply(reply, ["1xx"], shown);
    } else {
      preliminary = true;
      conn = await connectData(s, endpoint);
    }
  } catch (e) {
    closeEndpoint(endpoint);
    conn?.close();
    // After a 1xx the server owes a final reply (425/426): read it so the next command
    // does not take it for its own; if it does not come, the channel is lost.
    if (preliminary) {
      const late = await control.readReply(s.options.socketTimeout, `"${shown}"`).catch(() => control.close());
      if (late?.code === "522" && s.reuseMissingOn !== undefined) throw transferRefusal(late, shown, s.reuseMissingOn);
    }
    throw e;
  }
  const signal = options.signal;
  const onAbort = () => void s.transfer?.abort(signal!.reason);
  const t = new Transfer(
    {
      control,
      socketTimeout: s.options.socketTimeout,
      dataTimeout: s.options.dataTimeout,
      reuseMissingOn: s.reuseMissingOn,
      done: () => {
        if (s.transfer === t) s.transfer = undefined;
        signal?.removeEventListener("abort", onAbort);
        options.done?.();
      },
      handedOut: options.handedOut,
    },
    conn,
    shown,
    final,
  );
  s.transfer = t;
  signal?.addEventListener("abort", onAbort, { once: true });
  return t;
}

/** Options of {@linkcode openRetrieve} and {@linkcode openStore}. */
export interface OpenOptions extends StartOptions {
  /** Called after each chunk. */
  readonly onProgress?: TransferOptions["onProgress"];
  /** Expected size of what is moved, for progress. */
  readonly total?: number | undefined;
  /** TYPE A with CRLF conversion instead of TYPE I. */
  readonly ascii?: boolean | undefined;
  /** Downloads: most bytes accepted (the announced size with `stopAtSize`, or `maxSize`). */
  readonly limit?: number | undefined;
  /** Why `limit` is what it is, for the error: `"announced"` or `"maxSize"`. */
  readonly limitKind?: "announced" | "maxSize" | undefined;
}

/**
 * The byte limit of a download: `maxSize`, or the announced size with `stopAtSize`,
 * whichever is smaller.
 *
 * @param maxSize The caller's maximum, if any.
 * @param announced The size the server announced for what is downloaded, if known.
 * @param stopAtSize Whether to hold the server to `announced`.
 * @returns Options for {@linkcode openRetrieve}.
 */
export function downloadLimit(
  maxSize: number | undefined,
  announced: number | undefined,
  stopAtSize: boolean | undefined,
): Pick<OpenOptions, "limit" | "limitKind"> {
  const max = maxSize ?? Infinity;
  if (stopAtSize && announced !== undefined && announced <= max) {
    return { limit: announced, limitKind: "announced" };
  }
  return max === Infinity ? {} : { limit: max, limitKind: "maxSize" };
}

/**
 * RETR a file (after REST for an offset) as a stream, with the client's read speed limit.
 *
 * @param s The session (queue held).
 * @param path The remote file.
 * @param options Offset, signal, progress, end callback.
 * @returns The file's bytes.
 */
export async function openRetrieve(
  s: ClientSession,
  path: string,
  options: OpenOptions,
): Promise<ReadableStream<Uint8Array>> {
  await s.setType(options.ascii ? "A" : "I");
  const t = await startTransfer(s, `RETR ${path}`, options);
  const { limit, limitKind } = options;
  const stream = downloadReadable(t, s.options.dataTimeout, {
    onProgress: options.onProgress,
    total: options.total,
    throttle: s.readLimit,
    limit,
    limitError: () =>
      new FtpError(
        limitKind === "announced"
          ? `The server sent more of "${path}" than the ${limit} bytes it announced: the download was stopped (stopAtSize).`
          : `"${path}" is larger than ${limit} bytes: the download was stopped. Raise maxSize, or stream it with downloadStream().`,
      ),
  });
  return options.ascii ? stream.pipeThrough(fromCrlfStream()) : stream;
}

/**
 * Start an upload command (STOR, APPE) as a sink, with the client's write speed limit.
 *
 * @param s The session (queue held).
 * @param command The command line.
 * @param options Offset, signal, progress, end callback.
 * @returns The sink for the bytes.
 */
export async function openStore(
  s: ClientSession,
  command: string,
  options: OpenOptions,
): Promise<WritableStream<Uint8Array>> {
  await s.setType(options.ascii ? "A" : "I");
  const t = await startTransfer(s, command, options);
  const sink = uploadWritable(t, s.options.dataTimeout, {
    onProgress: options.onProgress,
    total: options.total,
    throttle: s.writeLimit,
  });
  return options.ascii ? writeThrough(toCrlfStream(), sink) : sink;
}

/**
 * A sink that passes its chunks through `transform` into `sink`, and whose `close()`
 * resolves only once `sink` closed (so an upload still ends with the server's verdict).
 */
function writeThrough(
  transform: TransformStream<Uint8Array, Uint8Array>,
  sink: WritableStream<Uint8Array>,
): WritableStream<Uint8Array> {
  const piped = transform.readable.pipeTo(sink);
  piped.catch(() => {}); // Reported by the writes and the close.
  const writer = transform.writable.getWriter();
  return new WritableStream<Uint8Array>({
    write: (chunk) => writer.write(chunk),
    async close() {
      await writer.close();
      await piped;
    },
    async abort(reason) {
      await writer.abort(reason);
      await piped.catch(() => {});
    },
  });
}
