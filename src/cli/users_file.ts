/**
 * The users file of `anyftp serve --users-file FILE`: JSON accounts with hashed passwords
 * (see `password_hash.ts`), each with its own root, home, write access, permission rules,
 * connection and speed limits. Pure: it parses the text it is given.
 *
 * ```json
 * {
 *   "users": [
 *     { "login": "alice", "password": "$scrypt$ln=15,r=8,p=1$…$…", "write": true,
 *       "root": "/alice", "maxConnections": 4, "downloadLimit": "1m" },
 *     { "login": "viewer", "password": "$pbkdf2-sha256$i=600000$…$…" },
 *     { "anonymous": true, "permissions": [{ "path": "/incoming", "writable": true }] }
 *   ]
 * }
 * ```
 *
 * @module
 */

import type { Permission } from "../server/permissions.ts";
import type { UserOptions } from "../server/user.ts";
import { parseRate, UsageError } from "./args.ts";
import { checkPasswordHash, verifyPassword } from "./password_hash.ts";

const FIELDS = new Set([
  "login",
  "password",
  "anonymous",
  "root",
  "home",
  "write",
  "permissions",
  "maxConnections",
  "downloadLimit",
  "uploadLimit",
]);

/**
 * Parse a users file into server accounts. Passwords must be hashes: a plain-text password
 * is refused with a pointer to `anyftp passwd`.
 *
 * @param text The file's contents.
 * @param options `file` (its name, for messages) and `write` (the default write access, from `--write`).
 * @returns The accounts, for `ServerOptions.users`.
 * @throws {UsageError} Naming the file, the entry and the field that is wrong.
 *
 * @example
 * ```ts
 * import { parseUsersFile } from "./users_file.ts";
 * const users = parseUsersFile('{"users":[{"anonymous":true}]}', { file: "users.json", write: false });
 * console.log(users[0]?.anonymous); // true
 * ```
 */
export function parseUsersFile(
  text: string,
  options: { readonly file: string; readonly write: boolean },
): UserOptions[] {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (e) {
    throw new UsageError(`${options.file} is not valid JSON: ${(e as Error).message}`);
  }
  const list = Array.isArray(data) ? data : (data as { users?: unknown })?.users;
  if (!Array.isArray(list) || list.length === 0) {
    throw new UsageError(`${options.file} must hold {"users": [ … ]} with at least one account`);
  }
  const seen = new Set<string>();
  return list.map((raw, i) => {
    const where = `${options.file}: users[${i}]`;
    if (typeof raw !== "object" || raw === null || Array.isArray(raw)) {
      throw new UsageError(`${where} must be an object`);
    }
    const u = raw as Record<string, unknown>;
    for (const key of Object.keys(u)) {
      if (!FIELDS.has(key)) throw new UsageError(`${where} has an unknown field "${key}" (known: ${[...FIELDS].join(", ")})`);
    }
    const str = (key: string): string | undefined => {
      if (u[key] === undefined) return undefined;
      if (typeof u[key] !== "string") throw new UsageError(`${where}.${key} must be a string`);
      return u[key] as string;
    };
    const anonymous = u.anonymous === true;
    const login = str("login");
    const password = str("password");
    if (!anonymous) {
      if (!login) throw new UsageError(`${where} needs a "login" (or "anonymous": true)`);
      if (seen.has(login)) throw new UsageError(`${where}: login "${login}" appears twice`);
      seen.add(login);
      if (password === undefined) throw new UsageError(`${where} (${login}) needs a "password" hash from anyftp passwd`);
      const bad = checkPasswordHash(password);
      if (bad) throw new UsageError(`${where} (${login}): the password is ${bad}`);
    }
    const write = u.write === undefined ? options.write : u.write === true;
    const extra = u.permissions ?? [];
    if (!Array.isArray(extra)) throw new UsageError(`${where}.permissions must be a list`);
    const permissions: Permission[] = [{ path: "/", readable: true, writable: write }];
    for (const [j, p] of extra.entries()) {
      const rule = p as Record<string, unknown>;
      if (typeof rule?.path !== "string" || !rule.path.startsWith("/")) {
        throw new UsageError(`${where}.permissions[${j}] needs an absolute "path"`);
      }
      permissions.push({
        path: rule.path,
        ...(rule.readable !== undefined ? { readable: rule.readable === true } : {}),
        ...(rule.writable !== undefined ? { writable: rule.writable === true } : {}),
      });
    }
    const root = str("root");
    const home = str("home");
    for (const [key, value] of [["root", root], ["home", home]] as const) {
      if (value !== undefined && !value.startsWith("/")) throw new UsageError(`${where}.${key} must start with /`);
    }
    const max = u.maxConnections;
    if (max !== undefined && !(Number.isSafeInteger(max) && (max as number) > 0)) {
      throw new UsageError(`${where}.maxConnections must be a positive integer`);
    }
    const down = str("downloadLimit");
    const up = str("uploadLimit");
    const hash = password;
    return {
      ...(anonymous ? { anonymous: true } : { login, verifyPassword: (pw: string) => verifyPassword(pw, hash!) }),
      permissions,
      ...(root !== undefined ? { basePath: root } : {}),
      ...(home !== undefined ? { homePath: home } : {}),
      ...(max !== undefined ? { maxConnections: max as number } : {}),
      ...(down || up
        ? {
          speedLimits: {
            ...(down ? { download: parseRate(down, `${where}.downloadLimit`) } : {}),
            ...(up ? { upload: parseRate(up, `${where}.uploadLimit`) } : {}),
          },
        }
        : {}),
    };
  });
}
