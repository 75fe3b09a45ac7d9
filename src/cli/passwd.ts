/**
 * `anyftp passwd`: print a password hash for a users file. The password comes from a
 * prompt on a terminal (asked twice), or from the first line of standard input in scripts
 * (`echo "$PW" | anyftp passwd`), never from the command line (it would show in `ps`).
 *
 * @module
 */

import { parseArgs, UsageError } from "./args.ts";
import type { CliIO } from "./io.ts";
import { hashPassword } from "./password_hash.ts";

/**
 * Usage text of `anyftp passwd`.
 *
 * @example
 * ```ts
 * import { PASSWD_USAGE } from "./passwd.ts";
 * console.log(PASSWD_USAGE);
 * ```
 */
export const PASSWD_USAGE = `Usage: anyftp passwd [--pbkdf2]

Print a hash of a password for the "password" field of a users file
(anyftp serve --users-file FILE). On a terminal it asks for the password twice; otherwise it
reads the first line of standard input:  echo "$PW" | anyftp passwd

Options:
  --pbkdf2     PBKDF2-SHA256 (600000 iterations) instead of scrypt (N=2^15, r=8, p=1)
  -h, --help   show this help`;

const SPECS = {
  pbkdf2: { type: "boolean" },
  help: { type: "boolean", short: "h" },
} as const;

/**
 * Run `anyftp passwd`.
 *
 * @param argv The arguments after `passwd`.
 * @param io The process.
 * @returns The exit status: 0, 1 when the passwords differ or are empty, 2 on bad usage.
 *
 * @example
 * ```ts
 * import { runPasswd } from "./passwd.ts";
 * import { processIO } from "./_runtime.ts";
 * await runPasswd([], processIO());
 * ```
 */
export async function runPasswd(argv: readonly string[], io: CliIO): Promise<number> {
  let values;
  try {
    const parsed = parseArgs(argv, SPECS);
    if (parsed.positionals.length > 0) {
      throw new UsageError("passwd takes no arguments: the password is read from the terminal or standard input");
    }
    values = parsed.values;
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    io.err(`anyftp passwd: ${e.message}`);
    return 2;
  }
  if (values.help) {
    io.out(PASSWD_USAGE);
    return 0;
  }
  let password: string;
  if (io.prompt) {
    password = await io.prompt("Password: ");
    if ((await io.prompt("Again: ")) !== password) {
      io.err("anyftp passwd: the passwords differ; nothing written");
      return 1;
    }
  } else {
    password = ((await io.readStdin?.()) ?? "").split(/\r?\n/)[0] ?? "";
  }
  if (password === "") {
    io.err("anyftp passwd: empty password; give one on standard input or at the prompt");
    return 1;
  }
  io.out(await hashPassword(password, values.pbkdf2 ? "pbkdf2-sha256" : "scrypt"));
  return 0;
}
