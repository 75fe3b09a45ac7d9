/**
 * The table of every command the server implements.
 *
 * @module
 */

import type { CommandSpec } from "./_command_spec.ts";
import { ACCESS_COMMANDS } from "./_commands_access.ts";
import { DATA_COMMANDS } from "./_commands_data.ts";
import { FILE_COMMANDS } from "./_commands_files.ts";
import { INFO_COMMANDS } from "./_commands_info.ts";
import { TRANSFER_COMMANDS } from "./_commands_transfer.ts";

/** Command verb (upper case) → handler. */
export const COMMANDS: ReadonlyMap<string, CommandSpec> = new Map([
  ...ACCESS_COMMANDS,
  ...INFO_COMMANDS,
  ...FILE_COMMANDS,
  ...DATA_COMMANDS,
  ...TRANSFER_COMMANDS,
]);
