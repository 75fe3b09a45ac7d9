/**
 * FTP replies: formatting on the server side, assembling multi-line replies on the client
 * side (RFC 959 section 4.2).
 *
 * @module
 */

/** One complete reply. */
export interface Reply {
  /** Three-digit code, e.g. `"226"`. */
  readonly code: string;
  /** Text lines without the code prefix; a single-line reply has one entry. */
  readonly lines: readonly string[];
}

/**
 * Format a reply for the wire, multi-line when the text has several lines. Lines of a
 * multi-line reply that start with digits are indented with a space, so none can be taken
 * for the terminating line (RFC 959 section 4.2).
 *
 * @param code Three-digit reply code.
 * @param text One line, or several (array, or text with newlines).
 * @returns The reply with CRLF line endings.
 *
 * @example
 * ```ts
 * import { formatReply } from "./reply.ts";
 * formatReply("211", ["Features:", " MLST type*;size*;", "End"]);
 * // "211-Features:\r\n MLST type*;size*;\r\n211 End\r\n"
 * ```
 */
export function formatReply(code: string, text: string | readonly string[]): string {
  const lines = (typeof text === "string" ? [text] : text)
    .flatMap((t) => t.split(/\r?\n/))
    .map((l) => l.replace(/[\r\n\0]/g, ""));
  if (lines.length === 0) lines.push("");
  if (lines.length === 1) return `${code} ${lines[0]}\r\n`;
  const first = `${code}-${lines[0]}\r\n`;
  // A middle line that starts like "211 " would end the reply early: indent it.
  const middle = lines.slice(1, -1).map((l) => (/^\d{3}/.test(l) ? ` ${l}` : l) + "\r\n").join("");
  return `${first}${middle}${code} ${lines[lines.length - 1]}\r\n`;
}

/** Limits for {@linkcode ReplyAssembler}. */
export interface ReplyAssemblerOptions {
  /** Most lines one reply may have before it is refused. @default 10000 */
  readonly maxLines?: number;
}

/** Result of feeding a line to {@linkcode ReplyAssembler.push}. */
export type ReplyPushResult =
  | { readonly kind: "more" }
  | { readonly kind: "reply"; readonly reply: Reply }
  | { readonly kind: "invalid"; readonly reason: string };

/**
 * Assembles replies from lines: `123 text` is complete; `123-text` opens a multi-line
 * reply that ends at the next line starting with `123 `.
 *
 * @example
 * ```ts
 * import { ReplyAssembler } from "./reply.ts";
 * const a = new ReplyAssembler();
 * a.push("211-Features:");
 * a.push(" UTF8");
 * console.log(a.push("211 End")); // { kind: "reply", reply: { code: "211", lines: ["Features:", " UTF8", "End"] } }
 * ```
 */
export class ReplyAssembler {
  #code: string | undefined;
  #lines: string[] = [];
  #maxLines: number;

  /**
   * Create an assembler for one connection's replies.
   *
   * @param options Size limits.
   */
  constructor(options: ReplyAssemblerOptions = {}) {
    this.#maxLines = options.maxLines ?? 10_000;
  }

  /**
   * Feed one line (without CRLF).
   *
   * @param line The line.
   * @returns Whether a reply is complete, more lines are needed, or the input is not FTP.
   */
  push(line: string): ReplyPushResult {
    if (this.#code === undefined) {
      const m = /^(\d{3})([ -]?)(.*)$/.exec(line);
      if (!m) return { kind: "invalid", reason: `not a reply line: ${JSON.stringify(line.slice(0, 80))}` };
      const [, code, sep, text] = m as unknown as [string, string, string, string];
      if (sep === "-") {
        this.#code = code;
        this.#lines = [text];
        return { kind: "more" };
      }
      return { kind: "reply", reply: { code, lines: [text] } };
    }
    if (line.startsWith(`${this.#code} `) || line === this.#code) {
      const reply = { code: this.#code, lines: [...this.#lines, line.slice(4)] };
      this.#code = undefined;
      this.#lines = [];
      return { kind: "reply", reply };
    }
    if (this.#lines.length >= this.#maxLines) {
      return { kind: "invalid", reason: `multi-line reply longer than ${this.#maxLines} lines` };
    }
    this.#lines.push(line);
    return { kind: "more" };
  }
}
