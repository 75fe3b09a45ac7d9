/**
 * The byte stream of a control connection as the command reader sees it: Telnet commands
 * (IAC …, e.g. the IP/Synch some clients send before ABOR) are removed, and a bare CR ends a
 * line like CRLF does. The latter matters for clients that send `ABOR\r\n` as TCP urgent
 * data (Python's ftplib): the receiver drops the urgent byte, the LF, and only `ABOR\r`
 * arrives.
 *
 * @module
 */

const IAC = 0xff;
const CR = 0x0d;
const LF = 0x0a;

/** A filtered view of a control connection's readable side. */
export class ControlInput {
  /** The filtered bytes. Pulls from the source only when read (no read-ahead). */
  readonly readable: ReadableStream<Uint8Array>;
  #reader: ReadableStreamDefaultReader<Uint8Array>;
  #iac: 0 | 1 | 2 = 0; // 1: after IAC, 2: after IAC WILL/WONT/DO/DONT (an option byte follows)
  #dropLF = false; // a CR ending the previous chunk was already turned into CRLF

  /** @param source The connection's readable; locked until {@linkcode ControlInput.detach}. */
  constructor(source: ReadableStream<Uint8Array>) {
    this.#reader = source.getReader();
    this.readable = new ReadableStream<Uint8Array>({
      pull: async (controller) => {
        while (true) {
          const { value, done } = await this.#reader.read();
          if (done) {
            controller.close();
            return;
          }
          const out = this.#filter(value);
          if (out.length > 0) {
            controller.enqueue(out);
            return;
          }
        }
      },
      cancel: (reason) => this.#reader.cancel(reason),
    }, { highWaterMark: 0 });
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
