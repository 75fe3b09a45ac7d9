/**
 * The byte stream of a control connection as the command reader sees it: Telnet commands
 * (IAC …, e.g. the IP/Synch some clients send before ABOR) are removed, and a bare CR ends a
 * line like CRLF does. The latter matters for clients that send `ABOR\r\n` as TCP urgent
 * data (Python's ftplib): the receiver drops the urgent byte, the LF, and only `ABOR\r`
 * arrives.
 *
 * It also bounds an unterminated line: once more bytes than the line limit (plus CRLF) came
 * without a newline, the stream errors with {@linkcode UnterminatedLineError} and the session
 * closes the connection (as vsftpd does), instead of discarding bytes until the idle timeout.
 *
 * @module
 */

import type { ChunkSource } from "../streams/line_reader.ts";

const IAC = 0xff;
const CR = 0x0d;
const LF = 0x0a;

/** More bytes than the line limit arrived without a newline. */
export class UnterminatedLineError extends Error {
  /** @param limit The line limit in bytes. */
  constructor(limit: number) {
    super(`command line longer than ${limit} bytes without a newline`);
    this.name = "UnterminatedLineError";
  }
}

/**
 * A filtered view of a control connection's readable side, read as a stream reader is (see
 * {@linkcode ChunkSource}): no stream of its own, so an idle session holds no second stream,
 * controller and pending pull on top of the connection's.
 */
export class ControlInput implements ChunkSource {
  #reader: ReadableStreamDefaultReader<Uint8Array>;
  #iac: 0 | 1 | 2 = 0; // 1: after IAC, 2: after IAC WILL/WONT/DO/DONT (an option byte follows)
  #dropLF = false; // a CR ending the previous chunk was already turned into CRLF
  #maxRun: number;
  #run = 0; // bytes since the last LF
  #failed: UnterminatedLineError | undefined;

  /**
   * @param source The connection's readable; locked until {@linkcode ControlInput.detach}.
   * @param maxLineLength The line limit (terminator excluded): a longer run of bytes without
   *   a newline fails the read.
   */
  constructor(source: ReadableStream<Uint8Array>, maxLineLength = Infinity) {
    this.#maxRun = maxLineLength + 2;
    this.#reader = source.getReader();
  }

  /**
   * The next filtered bytes (pulls from the source only when called: no read-ahead).
   *
   * @returns A non-empty chunk, or `done` at the source's end.
   * @throws {UnterminatedLineError} Once more than the line limit arrived without a newline
   *   (the source is cancelled; every later read throws it again).
   */
  async read(): Promise<ReadableStreamReadResult<Uint8Array>> {
    // Bounded: each round consumes one chunk of the source, which ends or fails eventually.
    while (true) {
      if (this.#failed) throw this.#failed;
      const { value, done } = await this.#reader.read();
      if (done) return { done: true, value: undefined };
      const out = this.#filter(value);
      const lf = out.lastIndexOf(LF);
      this.#run = lf < 0 ? this.#run + out.length : out.length - lf - 1;
      if (this.#run > this.#maxRun) {
        this.#failed = new UnterminatedLineError(this.#maxRun - 2);
        await this.#reader.cancel().catch(() => {});
        throw this.#failed;
      }
      if (out.length > 0) return { done: false, value: out };
    }
  }

  /** Nothing to release here: the source stays locked until {@linkcode ControlInput.detach}. */
  releaseLock(): void {}

  /**
   * Cancel the source.
   *
   * @param reason Why.
   * @returns When cancelled.
   */
  cancel(reason?: unknown): Promise<void> {
    return this.#reader.cancel(reason);
  }

  /** Release the source (before a TLS upgrade); this view must not be read afterwards. */
  detach(): void {
    this.#reader.releaseLock();
  }

  #filter(chunk: Uint8Array): Uint8Array {
    if (this.#iac === 0 && !this.#dropLF && chunk.indexOf(IAC) < 0) {
      const cr = chunk.indexOf(CR);
      if (cr < 0) return chunk;
      // Fast path for the usual single CRLF-terminated line(s).
      let ok = true;
      for (let i = cr; i >= 0; i = chunk.indexOf(CR, i + 1)) {
        if (chunk[i + 1] !== LF) {
          ok = false;
          break;
        }
      }
      if (ok) return chunk;
    }
    const out = new Uint8Array(chunk.length * 2);
    let o = 0;
    for (let i = 0; i < chunk.length; i++) {
      const b = chunk[i]!;
      if (this.#iac === 1) {
        this.#iac = b >= 0xfb && b <= 0xfe ? 2 : 0;
        if (b === IAC) out[o++] = IAC; // escaped 0xFF data byte
        if (b >= 0xf0) continue; // a Telnet command (IP, DM, …): dropped
        // Not a Telnet command: the IAC was alone (its DM went out as urgent data and was
        // lost, as with lftp's "IAC IP IAC <urgent DM>"), so this byte is ordinary data.
      }
      if (this.#iac === 2) {
        this.#iac = 0;
        continue;
      }
      if (b === IAC) {
        this.#iac = 1;
        continue;
      }
      if (this.#dropLF) {
        this.#dropLF = false;
        if (b === LF) continue;
      }
      out[o++] = b;
      if (b === CR) {
        if (i + 1 < chunk.length) {
          if (chunk[i + 1] !== LF) out[o++] = LF;
        } else {
          out[o++] = LF;
          this.#dropLF = true;
        }
      }
    }
    return out.subarray(0, o);
  }
}
