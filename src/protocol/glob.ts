/**
 * Shell-style name patterns (`*.txt`, `report-??.csv`) as `NLST`/`LIST` arguments use them,
 * matched in bounded time. A backtracking RegExp built from `*a*a*a*b` takes exponential
 * time on a long name (seconds for 14 bytes of pattern); this matcher never backtracks more
 * than one segment: the pattern is cut at its `*`s, the first piece must start the name, the
 * last must end it, and each piece between is taken at its leftmost place (which is always
 * right for `*`-patterns). That costs at most `name length × pattern length` character
 * comparisons, and a work budget caps even that.
 *
 * @module
 */

/** Options for {@linkcode globMatcher}. */
export interface GlobOptions {
  /**
   * Most character comparisons one name may cost; a name that needs more is treated as not
   * matching. @default 10000
   */
  readonly maxSteps?: number;
}

/** Whether a pattern has wildcards (`*` or `?`). */
export function hasGlob(pattern: string): boolean {
  return /[*?]/.test(pattern);
}

/**
 * A matcher for a shell-style pattern: `*` is any run of characters (also none), `?` exactly
 * one character (a Unicode code point); everything else is literal (no `[…]` classes, no
 * escapes, as FTP servers commonly do).
 *
 * @param pattern The pattern.
 * @param options The work budget per name.
 * @returns A function telling whether a name matches.
 *
 * @example
 * ```ts
 * import { globMatcher } from "./glob.ts";
 * const txt = globMatcher("*.txt");
 * console.log(txt("notes.txt"), txt("notes.md")); // true false
 * console.log(globMatcher("a?c")("abc")); // true
 * ```
 */
export function globMatcher(pattern: string, options: GlobOptions = {}): (name: string) => boolean {
  const budget = options.maxSteps ?? 10_000;
  const pieces = pattern.split("*").map((p) => [...p]);
  if (pieces.length === 1) {
    const only = pieces[0]!;
    return (name) => {
      const chars = [...name];
      return chars.length === only.length && at(only, chars, 0, { left: budget });
    };
  }
  const first = pieces[0]!;
  const last = pieces[pieces.length - 1]!;
  const middle = pieces.slice(1, -1).filter((p) => p.length > 0);
  return (name) => {
    const chars = [...name];
    const work = { left: budget };
    if (first.length + last.length > chars.length) return false;
    if (!at(first, chars, 0, work)) return false;
    const end = chars.length - last.length;
    if (!at(last, chars, end, work)) return false;
    let pos = first.length;
    for (const piece of middle) {
      const found = find(piece, chars, pos, end, work);
      if (found < 0) return false;
      pos = found + piece.length;
    }
    return true;
  };
}

/** Whether `piece` matches `chars` at `pos` (`?` matches any one character). */
function at(
  piece: readonly string[],
  chars: readonly string[],
  pos: number,
  work: { left: number },
): boolean {
  for (let i = 0; i < piece.length; i++) {
    if (--work.left < 0) return false;
    const p = piece[i]!;
    if (p !== "?" && p !== chars[pos + i]) return false;
  }
  return true;
}

/** The leftmost position in `[from, to)` where `piece` fits wholly before `to`, or -1. */
function find(
  piece: readonly string[],
  chars: readonly string[],
  from: number,
  to: number,
  work: { left: number },
): number {
  for (let pos = from; pos + piece.length <= to; pos++) {
    if (at(piece, chars, pos, work)) return pos;
    if (work.left < 0) return -1;
  }
  return -1;
}
