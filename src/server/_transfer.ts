/**
 * The data-transfer machinery of a session: start a transfer on a prepared data channel,
 * secure it after PROT P, copy the bytes (throttled, converted for TYPE A, counted), answer
 * 226 or 425/426/451/552, let a finished download's connection linger until the client
 * closes it, and abort on ABOR, stall, shutdown or the session's end.
 *
 * @module
 */

import { PathIOError } from "../errors.ts";
import type { Conn } from "../net/types.ts";
import { fromCrlfStream, toCrlfStream } from "../protocol/ascii_stream.ts";
import { copyStream } from "../streams/copy.ts";
import type { DataChannel } from "./_data_channel.ts";
import { deadline } from "./_deadline.ts";
import { errorReply } from "./_error_reply.ts";
import type { SessionEventInit, SessionHost } from "./_session_host.ts";
import { resolveTlsRequirements } from "./tls_policy.ts";
import type { User } from "./user.ts";

/** Why a running transfer was aborted. */
export type AbortReason = "abor" | "stalled" | "shutdown" | "closed";

/** A running data transfer. */
export interface Transfer {
  readonly command: string;
  readonly direction: "download" | "upload";
  readonly path: string;
  bytes: number;
  readonly started: number;
  lastProgress: number;
  reason: AbortReason | undefined;
  /** `"setup"` until the data connection is up (and secured, after PROT P); then `"data"`. */
  phase: "setup" | "data";
  readonly controller: AbortController;
  /** The data connection once established (closed on abort to unblock pending writes). */
  conn: Conn | undefined;
  done: Promise<void>;
}

/** What a transfer command hands to {@linkcode TransferRunner.start}. */
export interface TransferSpec {
  readonly command: string;
  readonly path: string;
  /** The 150 reply text. */
  readonly preliminary: string;
  /** The 226 reply text. @default "Transfer complete." */
  readonly success?: string;
  /** Convert line endings (TYPE A file transfers). */
  readonly ascii: boolean;
  /** Download: where the bytes come from. */
  readonly source?: ReadableStream<Uint8Array>;
  /** Upload: where the bytes go. */
  readonly sink?: WritableStream<Uint8Array>;
  /** Upload: the size ALLO announced and the storage was told (a failed upload says so). */
  readonly announced?: number | undefined;
  /**
   * Called once when the transfer ends, before its final reply: `ok` is true when every byte
   * was copied (the reply would be 226). A rejection turns 226 into 451. Used to publish or
   * discard an upload written under a temporary name, and to release the file's lock.
   */
  readonly finish?: (ok: boolean) => Promise<void>;
}

/** What the runner needs from its session. */
export interface TransferOwner {
  readonly host: SessionHost;
  /** The session has ended or is ending: no more replies. */
  readonly closed: boolean;
  /** PROT P is in effect. */
  readonly protectData: boolean;
  readonly user: User | undefined;
  reply(code: string, text: string | readonly string[]): Promise<void>;
  emit(event: SessionEventInit): void;
}

const now = () => performance.now();

/** Runs a session's transfers, one at a time. */
export class TransferRunner {
  /** The running transfer, if any. */
  current: Transfer | undefined;
  #owner: TransferOwner;

  /** @param owner The session. */
  constructor(owner: TransferOwner) {
    this.#owner = owner;
  }

  /**
   * Start a transfer over `channel`. Replies 150 now; 226 (or 425/426/451/552) when it ends.
   * Returns at once: the command loop keeps reading (ABOR, STAT, NOOP).
   *
   * @param channel The prepared data channel (taken over: the transfer closes it).
   * @param spec What to transfer.
   * @returns When the 150 reply was sent.
   */
  async start(channel: DataChannel, spec: TransferSpec): Promise<void> {
    const t: Transfer = {
      command: spec.command,
      direction: spec.source ? "download" : "upload",
      path: spec.path,
      bytes: 0,
      started: now(),
      lastProgress: now(),
      reason: undefined,
      phase: "setup",
      controller: new AbortController(),
      conn: undefined,
      done: Promise.resolve(),
    };
    this.current = t;
    t.done = this.#run(t, channel, spec);
    await this.#owner.reply("150", spec.preliminary);
  }

  /**
   * Abort the running transfer (it replies 426 itself).
   *
   * @param reason Why.
   */
  abort(reason: AbortReason): void {
    const t = this.current;
    if (!t || t.controller.signal.aborted) return;
    t.reason = reason;
    t.controller.abort(new Error(`transfer aborted (${reason})`));
    // A write blocked on a client that does not read would hold the abort forever
    // (WritableStream.abort waits for the write in flight): tear the socket down.
    t.conn?.close();
  }

  /** Close the connections of finished downloads still waiting for the client to close. */
  closeLingering(): void {
    this.#owner.host.lingering.closeAll(this);
  }

  async #run(t: Transfer, channel: DataChannel, spec: TransferSpec): Promise<void> {
    // Let start's 150 go out first: this body runs after its reply is queued.
    await Promise.resolve();
    const owner = this.#owner;
    const config = owner.host.config;
    let conn: Conn | undefined;
    let code = "226";
    let error: unknown;
    try {
      try {
        conn = await channel.connect(t.controller.signal, config.dataTimeout);
        t.conn = conn; // an abort from here on tears it down
        if (owner.protectData && config.tls) {
          const limit = Math.min(config.dataTimeout, config.tlsHandshakeTimeout);
          const bound = deadline(t.controller.signal, limit, "the data connection's TLS handshake");
          try {
            // An upload cut by a FIN without close_notify is a truncation: 426, not 226.
            conn = await conn.startTls({ ...config.tls, role: "server" }, {
              signal: bound.signal,
              requireCloseNotify: t.direction === "upload",
            });
          } finally {
            bound.clear();
          }
          // A client that did not resume the control connection's session may be someone
          // else from the same address who connected first (where the runtime can tell).
          const { sessionReuse } = resolveTlsRequirements(config.requireTls, owner.user);
          if (sessionReuse && conn.tlsSessionReused?.() === false) {
            throw new SessionNotResumed();
          }
        }
      } catch (e) {
        error = e;
        code = t.controller.signal.aborted ? "426" : "425";
        await spec.source?.cancel().catch(() => {});
        await spec.sink?.abort().catch(() => {});
        await spec.finish?.(false).catch(() => {});
        if (!owner.closed) {
          await owner.reply(code, code === "426" ? abortText(t.reason) : setupFailureText(conn, e));
        }
        return;
      }
      t.phase = "data";
      t.lastProgress = now();
      t.conn = conn;
      if (t.controller.signal.aborted) conn.close();
      let copied = false;
      try {
        await this.#copy(t, conn, spec);
        copied = true;
        await spec.finish?.(true);
        if (!owner.closed) await owner.reply("226", spec.success ?? "Transfer complete.");
      } catch (e) {
        error = e;
        let text: string;
        if (!copied) await spec.finish?.(false).catch(() => {});
        if (copied) {
          code = "451";
          text = "Transfer complete but the file could not be stored: upload discarded.";
        } else if (t.controller.signal.aborted) {
          code = "426";
          text = abortText(t.reason);
        } else if (
          e instanceof PathIOError && e.kind === "io" && spec.announced !== undefined && t.bytes !== spec.announced
        ) {
          // The storage was told the size (ALLO) and refused another count (RFC 959: 552 for
          // exceeding the allocation). Failures of a known kind (a full disk, a quota, a
          // refusal) keep their own reply: they are not about the count.
          [code, text] = t.bytes > spec.announced
            ? ["552", `More bytes arrived than the ${spec.announced} announced by ALLO: upload discarded.`]
            : ["451", `${t.bytes} of the ${spec.announced} bytes announced by ALLO arrived: upload discarded.`];
        } else if (e instanceof PathIOError) {
          [code, text] = errorReply(e, spec.path);
        } else {
          code = "426";
          text = "Data connection closed: transfer aborted.";
        }
        if (!owner.closed) await owner.reply(code, text);
      }
    } finally {
      // Bounded in time and number (see _lingering.ts).
      if (conn && code === "226" && t.direction === "download") owner.host.lingering.add(this, conn);
      else conn?.close();
      channel.close();
      if (this.current === t) this.current = undefined;
      owner.emit({
        type: "transfer",
        command: t.command,
        direction: t.direction,
        path: t.path,
        bytes: t.bytes,
        durationMs: Math.round(now() - t.started),
        ok: code === "226",
        code,
        ...(error === undefined ? {} : { error }),
      });
    }
  }

  async #copy(t: Transfer, conn: Conn, spec: TransferSpec): Promise<void> {
    const signal = t.controller.signal;
    const throttles = this.#owner.host.throttles(this.#owner, t.direction, signal);
    const count = (chunk: Uint8Array) => {
      t.bytes += chunk.byteLength;
      t.lastProgress = now();
    };
    if (spec.source) {
      let s = spec.source;
      if (spec.ascii) s = s.pipeThrough(toCrlfStream());
      for (const th of throttles) s = s.pipeThrough(th);
      return await copyStream(s, conn.writable, { signal, onChunk: count });
    }
    let s = conn.readable;
    if (throttles.length === 0 && !spec.ascii) {
      return await copyStream(s, spec.sink!, { signal, onChunk: count });
    }
    // Uploads count bytes as they arrive from the client, before throttles and conversion.
    s = s.pipeThrough(new TransformStream({
      transform(chunk, controller) {
        count(chunk);
        controller.enqueue(chunk);
      },
    }));
    for (const th of throttles) s = s.pipeThrough(th);
    if (spec.ascii) s = s.pipeThrough(fromCrlfStream());
    await copyStream(s, spec.sink!, { signal });
  }
}

/** A PROT P data connection did not resume the control connection's TLS session. */
class SessionNotResumed extends Error {
  constructor() {
    super("the data connection did not resume the control connection's TLS session");
    this.name = "SessionNotResumed";
  }
}

/** The 425 text when the data connection did not come, or failed its TLS handshake. */
function setupFailureText(conn: Conn | undefined, error: unknown): string {
  if (!conn) return "Cannot open data connection (no connection from your address in time).";
  if (error instanceof SessionNotResumed) {
    return "TLS session reuse required on the data connection: use a client that resumes the " +
      "control connection's TLS session, or ask the operator to turn off sessionReuse.";
  }
  const timedOut = (error as { name?: string } | null)?.name === "TimeoutError";
  return timedOut
    ? "TLS handshake on the data connection did not complete in time: transfer not started."
    : "TLS handshake on the data connection failed: transfer not started.";
}

function abortText(reason: AbortReason | undefined): string {
  switch (reason) {
    case "stalled":
      return "Data connection stalled (no data within the idle timeout): transfer aborted.";
    case "shutdown":
      return "Server shutting down: transfer aborted.";
    case "abor":
      return "Transfer aborted.";
    default:
      return "Connection closed; transfer aborted.";
  }
}
