/**
 * The shape of a command handler entry.
 *
 * @module
 */

import type { Session } from "./_session.ts";

/** One FTP command the server implements. */
export interface CommandSpec {
  /** Whether the command needs a logged-in user (otherwise 530). */
  readonly auth: boolean;
  /** Syntax shown by `HELP <command>`. */
  readonly syntax: string;
  /** The handler; it sends the reply (or starts a transfer that does). */
  readonly run: (session: Session, arg: string) => Promise<void>;
}

/** Shorthand for building command tables. */
export function cmd(
  auth: boolean,
  syntax: string,
  run: (session: Session, arg: string) => Promise<void>,
): CommandSpec {
  return { auth, syntax, run };
}
