/**
 * Password hashes for `anyftp serve --users-file`, in the PHC string format with two
 * well-known KDFs from `node:crypto` (which Deno, Bun and Node all provide):
 * `$scrypt$ln=15,r=8,p=1$SALT$HASH` (the default) and `$pbkdf2-sha256$i=600000$SALT$HASH`
 * (salt and hash in unpadded base64). Verification compares in constant time.
 *
 * @module
 */

import { Buffer } from "node:buffer";
import { pbkdf2, randomBytes, scrypt, timingSafeEqual } from "node:crypto";

/**
 * Which KDF {@linkcode hashPassword} uses.
 *
 * @example
 * ```ts
 * import type { PasswordKdf } from "./password_hash.ts";
 * const kdf: PasswordKdf = "pbkdf2-sha256";
 * ```
 */
export type PasswordKdf = "scrypt" | "pbkdf2-sha256";

const KEY_LENGTH = 32;
const SCRYPT = { ln: 15, r: 8, p: 1 };
const PBKDF2_ITERATIONS = 600_000;

function b64(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString("base64").replace(/=+$/, "");
}

function derive(kdf: PasswordKdf, password: string, salt: Uint8Array, params: Readonly<Record<string, number | undefined>>): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const done = (error: Error | null, key: Buffer) => (error ? reject(error) : resolve(key));
    if (kdf === "scrypt") {
      const { ln = SCRYPT.ln, r = SCRYPT.r, p = SCRYPT.p } = params;
      const N = 2 ** ln;
      scrypt(password, salt, KEY_LENGTH, { N, r, p, maxmem: 256 * N * r + (1 << 20) }, done);
    } else {
      pbkdf2(password, salt, params.i ?? PBKDF2_ITERATIONS, KEY_LENGTH, "sha256", done);
    }
  });
}

/**
 * Hash a password with a fresh random salt.
 *
 * @param password The password.
 * @param kdf The KDF. @default "scrypt"
 * @returns The PHC string to put in a users file.
 *
 * @example
 * ```ts
 * import { hashPassword } from "./password_hash.ts";
 * const hash = await hashPassword("secret"); // "$scrypt$ln=15,r=8,p=1$…$…"
 * ```
 */
export async function hashPassword(password: string, kdf: PasswordKdf = "scrypt"): Promise<string> {
  const salt = randomBytes(16);
  if (kdf === "scrypt") {
    const key = await derive(kdf, password, salt, SCRYPT);
    return `$scrypt$ln=${SCRYPT.ln},r=${SCRYPT.r},p=${SCRYPT.p}$${b64(salt)}$${b64(key)}`;
  }
  const key = await derive(kdf, password, salt, { i: PBKDF2_ITERATIONS });
  return `$pbkdf2-sha256$i=${PBKDF2_ITERATIONS}$${b64(salt)}$${b64(key)}`;
}

/** A parsed hash string, or the reason it is not one. */
interface ParsedHash {
  kdf: PasswordKdf;
  params: Record<string, number>;
  salt: Buffer;
  hash: Buffer;
}

/**
 * Check that a string is a hash {@linkcode verifyPassword} accepts (with sane parameters).
 *
 * @param stored The string from the users file.
 * @returns `undefined` when valid, else what is wrong.
 *
 * @example
 * ```ts
 * import { checkPasswordHash } from "./password_hash.ts";
 * checkPasswordHash("hunter2"); // "not a $scrypt$ or $pbkdf2-sha256$ hash (make one with anyftp passwd)"
 * ```
 */
export function checkPasswordHash(stored: string): string | undefined {
  const r = parseHash(stored);
  return typeof r === "string" ? r : undefined;
}

function parseHash(stored: string): ParsedHash | string {
  const m = /^\$(scrypt|pbkdf2-sha256)\$([a-z]+=\d+(?:,[a-z]+=\d+)*)\$([A-Za-z0-9+/]+)\$([A-Za-z0-9+/]+)$/.exec(stored);
  if (!m) return "not a $scrypt$ or $pbkdf2-sha256$ hash (make one with anyftp passwd)";
  const [, kdfName, paramText = "", saltText = "", hashText = ""] = m;
  const params: Record<string, number> = {};
  for (const kv of paramText.split(",")) {
    const [k = "", v] = kv.split("=");
    params[k] = Number(v);
  }
  const kdf = kdfName as PasswordKdf;
  const { ln = 0, r = 0, p = 0, i = 0 } = params;
  if (kdf === "scrypt") {
    if (!(ln >= 10 && ln <= 20 && r >= 1 && r <= 32 && p >= 1 && p <= 16)) {
      return "scrypt parameters out of range (ln 10-20, r 1-32, p 1-16)";
    }
  } else if (!(i >= 10_000 && i <= 10_000_000)) {
    return "pbkdf2 iterations out of range (10000-10000000)";
  }
  const salt = Buffer.from(saltText, "base64");
  const hash = Buffer.from(hashText, "base64");
  if (salt.length < 8 || hash.length < 16) return "salt or hash too short";
  return { kdf, params, salt, hash };
}

/**
 * Whether `password` matches a stored hash.
 *
 * @param password The password a client sent.
 * @param stored The hash from the users file.
 * @returns `true` on a match; `false` otherwise, also for a malformed hash.
 *
 * @example
 * ```ts
 * import { hashPassword, verifyPassword } from "./password_hash.ts";
 * const hash = await hashPassword("secret", "pbkdf2-sha256");
 * console.log(await verifyPassword("secret", hash), await verifyPassword("nope", hash)); // true false
 * ```
 */
export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const parsed = parseHash(stored);
  if (typeof parsed === "string") return false;
  const key = await derive(parsed.kdf, password, parsed.salt, parsed.params);
  const expected = parsed.hash;
  const actual = key.length === expected.length ? key : Buffer.alloc(expected.length);
  return timingSafeEqual(actual, expected) && key.length === expected.length;
}
