/**
 * Server-side TLS session resumption for the Node adapter, so that an FTPS data connection
 * can resume the control connection's session (what vsftpd's `require_ssl_reuse` checks)
 * with every client, on every data connection of a session:
 *
 * - TLS 1.2 session IDs (curl offers no ticket there): a Node `SecureContext` turns
 *   OpenSSL's internal session cache off (`SSL_SESS_CACHE_NO_INTERNAL`), so a TLS socket
 *   resumes only through the `newSession` / `resumeSession` events of its `server` option,
 *   as `tls.Server` has. {@linkcode SessionStore} is that emitter, backed by a bounded
 *   (count-limited, expiring, least-recently-used first out) map, one per secure context.
 * - TLS 1.3 tickets: clients use each ticket once (OpenSSL's client, so curl), and Node's
 *   built-in ticket-key callback never asks OpenSSL to renew a ticket, so a resumed
 *   connection gets no new one: the client's next data connection had nothing to resume
 *   (curl resumed its first data connection, then every other one). The secure context's
 *   ticket-key callback here says "renew" on every ticket it decrypts: each resumed
 *   connection hands the client a fresh ticket, as OpenSSL's own `s_server` does.
 *
 * @module
 */
import { randomBytes } from "node:crypto";
import { EventEmitter } from "node:events";
import type * as tls from "node:tls";

/** Sessions kept per secure context: about 1–2 kB each, so at most a few MB. */
const MAX_SESSIONS = 2048;

/**
 * How long a stored session can be resumed: the secure context's own session lifetime
 * (OpenSSL's default, 2 hours, which its tickets also advertise), so a data connection late in
 * a long FTP session still resumes.
 */
const SESSION_TTL_MS = 7_200_000;

/**
 * Whether `data` (an `SSL_SESSION` in DER: SEQUENCE { version 1, protocol version, … }) is a
 * TLS 1.3 session. Those resume from their ticket alone, never by ID: they are not stored.
 */
function isTls13(data: Buffer): boolean {
  if (data[0] !== 0x30 || data.length < 12) return false;
  const lengthBytes = data[1]! & 0x80 ? data[1]! & 0x7f : 0;
  const at = 2 + lengthBytes; // INTEGER 1, then INTEGER (2 bytes) protocol version
  return data[at] === 0x02 && data[at + 1] === 0x01 && data[at + 3] === 0x02 && data[at + 4] === 0x02 &&
    data[at + 5] === 0x03 && data[at + 6] === 0x04;
}

/**
 * The `server` of server-role `tls.TLSSocket`s: stores the sessions they create and hands
 * them back when a client offers one's ID. Bounded by {@link MAX_SESSIONS} and
 * {@link SESSION_TTL_MS}.
 */
export class SessionStore extends EventEmitter {
  readonly #sessions = new Map<string, { data: Buffer; at: number }>();

  constructor() {
    super();
    this.on("newSession", (id: Buffer, data: Buffer, done: () => void) => {
      if (isTls13(data)) return done();
      const key = id.toString("hex");
      this.#sessions.delete(key);
      this.#sessions.set(key, { data, at: Date.now() });
      for (const oldest of this.#sessions.keys()) {
        if (this.#sessions.size <= MAX_SESSIONS) break;
        this.#sessions.delete(oldest);
      }
      done();
    });
    this.on("resumeSession", (id: Buffer, done: (error: null, data: Buffer | null) => void) => {
      const key = id.toString("hex");
      const entry = this.#sessions.get(key);
      this.#sessions.delete(key);
      if (!entry || Date.now() - entry.at > SESSION_TTL_MS) return done(null, null);
      this.#sessions.set(key, entry); // most recently used last
      done(null, entry.data);
    });
  }

  /** Sessions stored now (for tests). */
  get size(): number {
    return this.#sessions.size;
  }
}

/** The native side of a Node `SecureContext` that takes a ticket-key callback. */
interface TicketKeyHooks {
  enableTicketKeyCallback(): void;
  onticketkeycallback: (name: Buffer, iv: Buffer, encrypt: boolean) => unknown[];
}

/** Session-ticket keys, shared by the secure contexts of one certificate. */
export interface TicketKeys {
  readonly name: Buffer;
  readonly hmac: Buffer;
  readonly aes: Buffer;
}

/** Fresh random ticket keys. */
export function ticketKeys(): TicketKeys {
  return { name: randomBytes(16), hmac: randomBytes(16), aes: randomBytes(16) };
}

/**
 * Make `context` encrypt and decrypt TLS tickets with `keys`, renewing every ticket it
 * accepts when `renew` is set (see the module comment). Node only: elsewhere (Bun's and
 * Deno's node:tls) the hook is missing and nothing changes. Node's
 * `SecureContext.context.enableTicketKeyCallback` and `onticketkeycallback` are what its own
 * tests use for renewal; the callback runs inside each handshake and returns
 * `[result, hmacKey, aesKey, name?, iv?]`, `result` 2 meaning "valid, renew", 1 "valid",
 * 0 "unknown key".
 *
 * @returns Whether the callback is installed.
 */
export function useTicketKeys(context: tls.SecureContext, keys: TicketKeys, renew: boolean): boolean {
  const hooks = (context as unknown as { context?: Partial<TicketKeyHooks> }).context;
  if (typeof hooks?.enableTicketKeyCallback !== "function") return false;
  const valid = renew ? 2 : 1;
  hooks.onticketkeycallback = (name, _iv, encrypt) => {
    if (encrypt) return [1, keys.hmac, keys.aes, keys.name, randomBytes(16)];
    return [name.equals(keys.name) ? valid : 0, keys.hmac, keys.aes];
  };
  hooks.enableTicketKeyCallback();
  return true;
}
