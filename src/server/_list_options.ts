/**
 * LIST/NLST/STAT arguments: clients such as curl and lftp send `ls`-style options
 * (`LIST -a`, `LIST -la dir`); they are accepted and ignored.
 *
 * @module
 */

/**
 * Drop leading `-x` option words from a listing argument.
 *
 * @param arg The argument.
 * @returns The path part (may be empty).
 */
export function stripListOptions(arg: string): string {
  let rest = arg.trim();
  while (true) {
    const m = /^-[A-Za-z0-9]+(?:\s+|$)/.exec(rest);
    if (!m) return rest;
    rest = rest.slice(m[0].length);
  }
}
