/**
 * FTPS requirements (RFC 4217), per server and per user: TLS before login, protected data
 * connections, and TLS session reuse on data connections — what vsftpd calls
 * `force_local_logins_ssl`, `force_local_data_ssl` and `require_ssl_reuse`.
 *
 * @module
 */

/**
 * What a user must do with TLS.
 *
 * @example
 * ```ts
 * import { Server } from "anyftp";
 * const server = new Server({
 *   tls: { cert: "-----BEGIN CERTIFICATE-----…", key: "-----BEGIN PRIVATE KEY-----…" },
 *   requireTls: { login: true, data: true }, // like vsftpd's force_local_*_ssl
 *   // an account for a client that never resumes the control session (Python's ftplib)
 *   users: [{ login: "legacy", password: "pw", requireTls: { login: false, data: false, sessionReuse: false } }],
 * });
 * ```
 */
export interface TlsRequirements {
  /** USER/PASS only after AUTH TLS (or on an implicit-TLS port); 530 otherwise. @default false */
  readonly login?: boolean | undefined;
  /** Transfers and listings only with `PROT P`; 521 otherwise. @default false */
  readonly data?: boolean | undefined;
  /**
   * A `PROT P` data connection must resume the control connection's TLS session, so that
   * another client from the same address cannot take the transfer: one that does not is
   * refused with 425 (vsftpd's `require_ssl_reuse`, on by default there and in FileZilla
   * Server). Clients that resume: curl, lftp, FileZilla, this library's client on Node and
   * Bun. Python's `ftplib` never does: with this on, its PROT P transfers are refused (as by
   * vsftpd); set `false` for such clients. Where the check runs: Node (TLS 1.2 and 1.3), Bun
   * (TLS 1.3; Bun's `node:tls` keeps no TLS 1.2 sessions, so TLS 1.2 data connections are
   * let through unchecked). Deno cannot tell whether a session was resumed: there every data
   * connection is let through. A server without `tls` is unaffected; anonymous users are held
   * to it too; a user's own setting wins over the server's. @default true
   */
  readonly sessionReuse?: boolean | undefined;
}

/**
 * The server-wide FTPS policy: the requirements for every user, and whether anonymous users
 * are held to `login` and `data` too.
 *
 * @example
 * ```ts
 * import type { ServerTlsPolicy } from "anyftp";
 * const policy: ServerTlsPolicy = { login: true, data: true, anonymous: false, sessionReuse: false };
 * ```
 */
export interface ServerTlsPolicy extends TlsRequirements {
  /** Apply `login` and `data` to anonymous users too (vsftpd's force_anon_*_ssl). @default false */
  readonly anonymous?: boolean | undefined;
}

/** The requirements that apply to one session, resolved. */
export interface ResolvedTlsRequirements {
  readonly login: boolean;
  readonly data: boolean;
  readonly sessionReuse: boolean;
}

/**
 * Resolve the requirements for a user: the user's own settings win, anonymous users are
 * exempt unless the policy says otherwise, an unknown user gets the server's.
 *
 * @param policy The server's policy.
 * @param user The user (undefined before a known user is named).
 * @returns What applies.
 *
 * @example
 * ```ts
 * import { resolveTlsRequirements } from "./tls_policy.ts";
 * resolveTlsRequirements({ login: true }, { anonymous: true }); // { login: false, data: false, sessionReuse: true }
 * ```
 */
export function resolveTlsRequirements(
  policy: ServerTlsPolicy,
  user: { readonly anonymous: boolean; readonly requireTls?: TlsRequirements | undefined } | undefined,
): ResolvedTlsRequirements {
  const exempt = user?.anonymous === true && policy.anonymous !== true;
  return {
    login: user?.requireTls?.login ?? (!exempt && policy.login === true),
    data: user?.requireTls?.data ?? (!exempt && policy.data === true),
    sessionReuse: (user?.requireTls?.sessionReuse ?? policy.sessionReuse) !== false,
  };
}
