/**
 * The shape of the server's command table: one row per verb with every rule about it, so
 * FEAT, HELP, the login check, the REST rule, what may run during a transfer and the data
 * channel check are all derived from the rows (see `_commands.ts`). Adding a command is one
 * handler plus one row.
 *
 * @module
 */

/** What the table's derived rules read of a session. */
export interface TableSession {
  readonly host: { readonly config: { readonly disabled: ReadonlySet<string> } };
}

/**
 * The rules of one verb, besides its handler. Generic over the session type so that this
 * module needs nothing from the session (which looks commands up here): `_command_rows.ts`
 * binds it to the server's session.
 */
export interface CommandFlags<S> {
  /** Other verbs that run the same handler (RFC 775's XPWD for PWD, …). */
  readonly aliases?: readonly string[];
  /** Syntax shown by `HELP <verb>`. */
  readonly syntax: string;
  /**
   * The FEAT line this command adds (without the leading space), or a function of the
   * session that returns it or `undefined` to add none. Left out of FEAT when disabled.
   */
  readonly feat?: string | ((session: S) => string | undefined);
  /** Keeps a pending REST offset and ALLO size (data connection set-up commands); others clear them. */
  readonly keepsRestAndAllo?: boolean;
  /** Runs at once while a transfer is in progress (RFC 959: ABOR, STAT; NOOP). */
  readonly duringTransfer?: boolean;
  /** Needs a prepared data channel (PASV/EPSV/PORT/EPRT): 425 before the handler runs. */
  readonly dataChannel?: boolean;
}

/** One row of the command table: handlers of login-only commands get the logged-in type `L`. */
export type CommandSpec<S, L extends S> =
  & CommandFlags<S>
  & { readonly verb: string }
  & (
    | { readonly login: false; readonly run: (session: S, arg: string) => Promise<void> }
    | { readonly login: true; readonly run: (session: L, arg: string) => Promise<void> }
  );

/** The table as the session and the FEAT/HELP handlers see it. */
export interface CommandTable<S, L extends S> {
  /** Verb or alias (upper case) → row. */
  get(verb: string): CommandSpec<S, L> | undefined;
  /** Every verb and alias, sorted. */
  readonly verbs: readonly string[];
  /** Every row, once. */
  readonly rows: readonly CommandSpec<S, L>[];
}

/**
 * Build the lookup table from rows, checking that no verb is defined twice.
 *
 * @param rows Every command.
 * @returns The table.
 */
export function commandTable<S, L extends S>(rows: readonly CommandSpec<S, L>[]): CommandTable<S, L> {
  const byVerb = new Map<string, CommandSpec<S, L>>();
  for (const row of rows) {
    for (const verb of [row.verb, ...(row.aliases ?? [])]) {
      if (byVerb.has(verb)) throw new Error(`command ${verb} is defined twice`);
      byVerb.set(verb, row);
    }
  }
  return { get: (verb) => byVerb.get(verb), verbs: [...byVerb.keys()].sort(), rows };
}

/**
 * The FEAT lines a session advertises: each enabled row's line, sorted.
 *
 * @param table The command table.
 * @param session The session (TLS, encoding and MLST facts decide some lines).
 * @returns The lines, without the leading space.
 */
export function featureLines<S extends TableSession, L extends S>(
  table: CommandTable<S, L>,
  session: S,
): string[] {
  const off = session.host.config.disabled;
  const lines: string[] = [];
  for (const row of table.rows) {
    if (row.feat === undefined || off.has(row.verb)) continue;
    const line = typeof row.feat === "function" ? row.feat(session) : row.feat;
    if (line !== undefined) lines.push(line);
  }
  return lines.sort();
}
