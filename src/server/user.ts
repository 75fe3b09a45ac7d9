/**
 * Server user accounts: login, credentials, where in the storage the user lives, what they may
 * do there, and their limits.
 *
 * @module
 */

import type { TlsRequirements } from "./tls_policy.ts";
import { PathIsNotAbsoluteError } from "../errors.ts";
import { normalizeVirtualPath } from "../protocol/virtual_path.ts";
import { type Access, normalizePermissions, type Permission, resolveAccess } from "./permissions.ts";
import type { SpeedLimits } from "./speed_limits.ts";

/** What a password check gets to see besides the password. */
export interface LoginContext {
  /** Session number, unique within the server. */
  readonly sessionId: number;
  /** The client's address. */
  readonly remote: { readonly hostname: string; readonly port: number };
}

/**
 * How to build a {@linkcode User}.
 *
 * @example
 * ```ts
 * import type { UserOptions } from "anyftp";
 * const alice: UserOptions = {
 *   login: "alice",
 *   password: "s3cret",
 *   basePath: "/home/alice",
 *   permissions: [{ path: "/" }, { path: "/readonly", writable: false }],
 *   maxConnections: 4,
 * };
 * ```
 */
export interface UserOptions {
  /** Login name; matched case-sensitively. Ignored for anonymous users. */
  readonly login?: string | undefined;
  /** The password. Give this or `verifyPassword` (or neither for a user without password). @default undefined */
  readonly password?: string | undefined;
  /**
   * Check a password yourself (hashes, external services). Takes precedence over `password`.
   * @default undefined
   */
  readonly verifyPassword?: ((password: string, context: LoginContext) => boolean | Promise<boolean>) | undefined;
  /**
   * An anonymous account: answers to the logins `anonymous` and `ftp`, accepts any password
   * (by convention an e-mail address), and is read-only unless `permissions` say otherwise.
   * @default false
   */
  readonly anonymous?: boolean | undefined;
  /** Where the user's `/` lies inside the storage (absolute storage path). @default "/" */
  readonly basePath?: string | undefined;
  /** Initial working directory, an absolute path inside the user's root. @default "/" */
  readonly homePath?: string | undefined;
  /**
   * Access rules; the nearest rule wins. @default [{ path: "/" }] (read and write), or
   * `[{ path: "/", writable: false }]` for anonymous users
   */
  readonly permissions?: readonly Permission[] | undefined;
  /** Most simultaneous sessions of this user. @default unlimited */
  readonly maxConnections?: number | undefined;
  /** This user's bandwidth caps (shared by all their sessions, or per session). @default unlimited */
  readonly speedLimits?: SpeedLimits | undefined;
  /** This user's FTPS requirements, overriding the server's `requireTls`. @default the server's */
  readonly requireTls?: TlsRequirements | undefined;
}

/**
 * A server user account, validated. Build it from {@linkcode UserOptions}.
 *
 * @example
 * ```ts
 * import { User } from "anyftp";
 * const bob = new User({ login: "bob", password: "pw", homePath: "/work" });
 * console.log(bob.access("/work/a.txt")); // { readable: true, writable: true }
 * ```
 */
export class User {
  /** Login name (`"anonymous"` for anonymous users). */
  readonly login: string;
  /** Whether this is an anonymous account. */
  readonly anonymous: boolean;
  /** The user's root inside the storage. */
  readonly basePath: string;
  /** Initial working directory (virtual, absolute). */
  readonly homePath: string;
  /** Access rules with normalised paths. */
  readonly permissions: readonly Permission[];
  /** Most simultaneous sessions, or `Infinity`. */
  readonly maxConnections: number;
  /** Bandwidth caps. */
  readonly speedLimits: SpeedLimits;
  /** FTPS requirements of this user, if they override the server's. */
  readonly requireTls: TlsRequirements | undefined;
  #password: string | undefined;
  #verify: UserOptions["verifyPassword"];

  /**
   * Validate and build an account.
   *
   * @param options The account definition.
   * @throws {PathIsNotAbsoluteError} When `basePath` or `homePath` is not absolute.
   * @throws {TypeError} When a non-anonymous user has no login.
   */
  constructor(options: UserOptions) {
    this.anonymous = options.anonymous ?? false;
    const login = this.anonymous ? "anonymous" : options.login;
    if (!login) throw new TypeError("A user needs a login (or anonymous: true).");
    this.login = login;
    const base = options.basePath ?? "/";
    if (!base.startsWith("/")) throw new PathIsNotAbsoluteError(base);
    this.basePath = normalizeVirtualPath(base);
    const home = options.homePath ?? "/";
    if (!home.startsWith("/")) throw new PathIsNotAbsoluteError(home);
    this.homePath = normalizeVirtualPath(home);
    this.permissions = normalizePermissions(
      options.permissions ?? [{ path: "/", readable: true, writable: !this.anonymous }],
    );
    this.maxConnections = options.maxConnections && options.maxConnections > 0
      ? options.maxConnections
      : Infinity;
    this.speedLimits = options.speedLimits ?? {};
    this.requireTls = options.requireTls;
    this.#password = options.password;
    this.#verify = options.verifyPassword;
  }

  /**
   * Whether a login name designates this user.
   *
   * @param login The name the client sent with USER.
   * @returns True for the user's login (and for `anonymous`/`ftp`, any case, if anonymous).
   *
   * @example
   * ```ts
   * import { User } from "anyftp";
   * new User({ anonymous: true }).matches("FTP"); // true
   * ```
   */
  matches(login: string): boolean {
    if (this.anonymous) return /^(anonymous|ftp)$/i.test(login);
    return login === this.login;
  }

  /**
   * Whether the user needs to send a password (anonymous users send one too, unchecked).
   *
   * @returns False only for a non-anonymous user with neither password nor verifier.
   *
   * @example
   * ```ts
   * import { User } from "anyftp";
   * new User({ login: "x", password: "y" }).needsPassword; // true
   * ```
   */
  get needsPassword(): boolean {
    return this.anonymous || this.#password !== undefined || this.#verify !== undefined;
  }

  /**
   * Check a password.
   *
   * @param password The password the client sent.
   * @param context Who is logging in.
   * @returns Whether it is right (always true for anonymous users).
   *
   * @example
   * ```ts
   * import { User } from "anyftp";
   * const u = new User({ login: "bob", password: "pw" });
   * await u.verifyPassword("pw", { sessionId: 1, remote: { hostname: "127.0.0.1", port: 5000 } }); // true
   * ```
   */
  async verifyPassword(password: string, context: LoginContext): Promise<boolean> {
    if (this.anonymous && !this.#verify) return true;
    if (this.#verify) return await this.#verify(password, context);
    if (this.#password === undefined) return true;
    return constantTimeEqual(password, this.#password);
  }

  /**
   * The access rule that applies at a virtual path.
   *
   * @param path Absolute virtual path.
   * @returns Whether it may be read and written.
   *
   * @example
   * ```ts
   * import { User } from "anyftp";
   * new User({ anonymous: true }).access("/pub"); // { readable: true, writable: false }
   * ```
   */
  access(path: string): Access {
    return resolveAccess(this.permissions, path);
  }
}

/** Compare without an early exit, so response timing does not reveal the matching prefix. */
function constantTimeEqual(a: string, b: string): boolean {
  const x = new TextEncoder().encode(a);
  const y = new TextEncoder().encode(b);
  let diff = x.length ^ y.length;
  for (let i = 0; i < Math.max(x.length, y.length); i++) diff |= (x[i] ?? 0) ^ (y[i] ?? 0);
  return diff === 0;
}
