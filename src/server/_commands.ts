/**
 * The table of every command the server implements, assembled from the rows of each
 * command family. FEAT, HELP and the session's rules are derived from it.
 *
 * @module
 */

import type { ServerCommands } from "./_command_rows.ts";
import { commandTable } from "./_command_table.ts";
import { ACCESS_COMMANDS } from "./_commands_access.ts";
import { DATA_COMMANDS } from "./_commands_data.ts";
import { FILE_COMMANDS } from "./_commands_files.ts";
import { INFO_COMMANDS } from "./_commands_info.ts";
import { TRANSFER_COMMANDS } from "./_commands_transfer.ts";

/** Every command, by verb and alias. */
export const COMMANDS: ServerCommands = commandTable([
  ...ACCESS_COMMANDS,
  ...INFO_COMMANDS,
  ...FILE_COMMANDS,
  ...DATA_COMMANDS,
  ...TRANSFER_COMMANDS,
]);
