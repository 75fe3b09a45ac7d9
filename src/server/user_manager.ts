/**
 * Authentication behind the server: a {@linkcode UserManager} finds users and checks their
 * passwords. {@linkcode MemoryUserManager} serves a fixed list; implement the interface to
 * authenticate against anything else.
 *
 * @module
 */

import { type LoginContext, User, type UserOptions } from "./user.ts";

/** Answer of {@linkcode UserManager.getUser}. */
export type UserLookup =
  /** The user exists and must send a password (PASS). */
  | { readonly kind: "password-required"; readonly user: User }
  /** The user exists and is logged in without a password. */
  | { readonly kind: "ok"; readonly user: User }
  /** No such user, or not allowed now; the message goes to the client with 530. */
  | { readonly kind: "refused"; readonly message?: string };

/**
 * Custom authentication for {@linkcode Server}. The server calls `getUser` on USER,
 * `authenticate` on PASS, and `notifyLogout` when a logged-in session ends (QUIT, REIN,
 * disconnect). Per-user connection limits ({@linkcode User.maxConnections}) are enforced by
 * the server itself.
 *
 * @example
 * ```ts
 * import { User, type UserManager } from "anyftp";
 * const manager: UserManager = {
 *   async getUser(login) {
 *     if (login !== "bob") return { kind: "refused" };
 *     return { kind: "password-required", user: new User({ login: "bob" }) };
 *   },
 *   async authenticate(_user, password) {
 *     return password === "letmein";
 *   },
 * };
 * ```
 */
export interface UserManager {
  /**
   * Look a login name up.
   *
   * @param login The USER argument.
   * @param context Who is asking.
   * @returns The user and whether a password is needed, or a refusal.
   */
  getUser(login: string, context: LoginContext): Promise<UserLookup>;
  /**
   * Check a password.
   *
   * @param user The user from `getUser`.
   * @param password The PASS argument.
   * @param context Who is asking.
   * @returns Whether the password is right.
   */
  authenticate(user: User, password: string, context: LoginContext): Promise<boolean>;
  /**
   * Told when a logged-in session of `user` ends.
   *
   * @param user The user.
   * @param context The session.
   * @returns Nothing.
   */
  notifyLogout?(user: User, context: LoginContext): void | Promise<void>;
}

/**
 * A {@linkcode UserManager} over a fixed list of users. A login that no user matches is
 * refused; the anonymous user (if listed) answers to `anonymous` and `ftp`.
 *
 * @example
 * ```ts
 * import { MemoryUserManager } from "anyftp";
 * const users = new MemoryUserManager([
 *   { login: "alice", password: "pw" },
 *   { anonymous: true },
 * ]);
 * const lookup = await users.getUser("ftp");
 * console.log(lookup.kind); // "password-required"
 * ```
 */
export class MemoryUserManager implements UserManager {
  #users: readonly User[];

  /**
   * Serve a fixed list of users.
   *
   * @param users Users, as {@linkcode User} objects or their options.
   */
  constructor(users: readonly (User | UserOptions)[]) {
    this.#users = users.map((u) => (u instanceof User ? u : new User(u)));
  }

  /** The users, in order. */
  get users(): readonly User[] {
    return this.#users;
  }

  /**
   * Find the first user whose login matches.
   *
   * @param login The USER argument.
   * @returns The first matching user, or a refusal.
   */
  getUser(login: string): Promise<UserLookup> {
    const user = this.#users.find((u) => u.matches(login));
    if (!user) return Promise.resolve({ kind: "refused" });
    return Promise.resolve(user.needsPassword ? { kind: "password-required", user } : { kind: "ok", user });
  }

  /**
   * Check the password with {@linkcode User.verifyPassword}.
   *
   * @param user The user.
   * @param password The PASS argument.
   * @param context Who is asking.
   * @returns Whether the password is right.
   */
  authenticate(user: User, password: string, context: LoginContext): Promise<boolean> {
    return user.verifyPassword(password, context);
  }
}
