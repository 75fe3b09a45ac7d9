/**
 * The command table's row builders, bound to the server's session types: what every
 * `_commands_*.ts` file uses to declare its verbs.
 *
 * @module
 */

import type { CommandFlags, CommandSpec as GenericSpec, CommandTable } from "./_command_table.ts";
import type { LoggedInSession, ServerSession } from "./_session.ts";

/** One row of the server's command table. */
export type CommandSpec = GenericSpec<ServerSession, LoggedInSession>;

/** The server's command table. */
export type ServerCommands = CommandTable<ServerSession, LoggedInSession>;

/**
 * A row for a command that works before login (USER, FEAT, AUTH, …).
 *
 * @param verb The verb, upper case.
 * @param flags Syntax, FEAT line and rules.
 * @param run The handler; it sends the reply (or starts a transfer that does).
 * @returns The row.
 */
export function openCommand(
  verb: string,
  flags: CommandFlags<ServerSession>,
  run: (session: ServerSession, arg: string) => Promise<void>,
): CommandSpec {
  return { verb, ...flags, login: false, run };
}

/**
 * A row for a command that needs a logged-in user (530 before it runs otherwise).
 *
 * @param verb The verb, upper case.
 * @param flags Syntax, FEAT line and rules.
 * @param run The handler, given the session with its user and storage.
 * @returns The row.
 */
export function loginCommand(
  verb: string,
  flags: CommandFlags<ServerSession>,
  run: (session: LoggedInSession, arg: string) => Promise<void>,
): CommandSpec {
  return { verb, ...flags, login: true, run };
}
