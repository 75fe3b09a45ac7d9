/**
 * Login and session commands: USER PASS ACCT QUIT REIN, and the FTPS ones AUTH PBSZ PROT CCC.
 *
 * @module
 */

import { unmapIPv4 } from "../protocol/address.ts";
import { type CommandSpec, openCommand } from "./_command_rows.ts";
import type { ServerSession } from "./_session.ts";
import { sleep } from "./_sleep.ts";
import type { User } from "./user.ts";
import type { UserLookup } from "./user_manager.ts";

function context(s: ServerSession) {
  return { sessionId: s.id, remote: s.remote };
}

async function user(s: ServerSession, arg: string): Promise<void> {
  const login = arg.trim();
  if (!login) return s.reply("501", "USER needs a login name.");
  if (s.user) return s.reply("503", "Already logged in: send REIN first to log in as another user.");
  let lookup: UserLookup;
  try {
    lookup = await s.host.userManager.getUser(login, context(s));
  } catch (e) {
    s.host.emit({ type: "error", sessionId: s.id, error: e });
    lookup = { kind: "refused" };
  }
  // Before the password travels (RFC 4217 section 10): unknown users get the server's rule,
  // so the reply does not tell which logins exist.
  const known = lookup.kind === "refused" ? undefined : lookup.user;
  if (!s.conn.secure && s.tlsRequirements(known).login) {
    return s.reply("530", "This server requires TLS for login: send AUTH TLS first.");
  }
  if (lookup.kind === "ok") return loginDone(s, lookup.user);
  // Unknown users get 331 too, so replies do not reveal which logins exist.
  s.pending = { login, user: lookup.kind === "password-required" ? lookup.user : undefined };
  if (lookup.kind === "password-required" && lookup.user.anonymous) {
    return s.reply("331", "Anonymous login okay: send your e-mail address as password.");
  }
  return s.reply("331", `Password required for ${login}.`);
}

async function pass(s: ServerSession, arg: string): Promise<void> {
  if (s.user) return s.reply("503", "Already logged in.");
  const pending = s.pending;
  if (!pending) return s.reply("503", "Send USER first.");
  s.pending = undefined;
  const ip = unmapIPv4(s.remote.hostname);
  const failures = s.host.loginFailures;
  // Counted per address across sessions: parallel connections do not multiply the guesses.
  if (!failures.begin(ip)) {
    s.emit({ type: "login-failed", login: pending.login, reason: "refused" });
    await s.reply("421", "Too many failed logins from your address: try again later.");
    return s.closeGracefully("login-failures");
  }
  let ok = false;
  if (pending.user) {
    try {
      ok = await s.host.userManager.authenticate(pending.user, arg, context(s));
    } catch (e) {
      s.host.emit({ type: "error", sessionId: s.id, error: e });
    }
  }
  failures.end(ip); // and, with no await between, record() below
  if (!ok || !pending.user) {
    return loginFailed(s, pending.login, pending.user ? "bad-password" : "refused", failures.record(ip));
  }
  return loginDone(s, pending.user);
}

async function loginFailed(
  s: ServerSession,
  login: string,
  reason: "refused" | "bad-password",
  delay: number,
): Promise<void> {
  s.loginFailures++;
  s.emit({ type: "login-failed", login, reason });
  // The delay (growing with the address's recent failures) slows password guessing; the
  // loop reads no further command meanwhile.
  await sleep(delay, s.lifetime.signal);
  if (s.closed) return;
  if (s.loginFailures >= s.host.config.maxLoginFailures) {
    await s.reply("421", "Too many failed logins: closing control connection.");
    await s.closeGracefully("login-failures");
    return;
  }
  await s.reply("530", "Login incorrect.");
}

async function loginDone(s: ServerSession, u: User): Promise<void> {
  if (!s.host.claimUser(u)) {
    s.emit({ type: "login-failed", login: u.login, reason: "max-connections" });
    return s.reply("530", `Too many connections for user ${u.login}: try again later.`);
  }
  try {
    s.storage = await s.host.storageFor(u);
  } catch (e) {
    s.host.releaseUser(u);
    s.host.emit({ type: "error", sessionId: s.id, error: e });
    return s.reply("530", "Login failed: the storage for this user is unavailable.");
  }
  s.user = u;
  s.loginFailures = 0;
  // Start in the home directory if it exists, else at the user's root.
  s.cwd = "/";
  const home = await s.statOrUndefined(u.homePath).catch(() => undefined);
  if (home?.type === "dir") s.cwd = u.homePath;
  s.emit({ type: "login" });
  return s.reply(
    "230",
    u.anonymous ? "Anonymous user logged in: access is restricted." : `User ${u.login} logged in.`,
  );
}

async function acct(s: ServerSession): Promise<void> {
  await s.reply("202", "ACCT not needed at this site.");
}

async function quit(s: ServerSession): Promise<void> {
  await s.reply("221", "Goodbye.");
  await s.closeGracefully("quit");
}

async function rein(s: ServerSession): Promise<void> {
  await s.logout();
  s.pending = undefined;
  s.cwd = "/";
  s.type = "A";
  s.rest = 0;
  s.renameFrom = undefined;
  s.epsvAll = false;
  s.channel?.close();
  s.channel = undefined;
  // RFC 4217 section 13: the security state goes back to the start of the session. The
  // control connection stays TLS (taking TLS off it is CCC, which is refused), but PBSZ and
  // PROT must be sent again before protected transfers.
  s.resetTlsState();
  await s.reply("220", "Session reset: ready for a new user.");
}

async function auth(s: ServerSession, arg: string): Promise<void> {
  const tls = s.host.config.tls;
  if (!tls) return s.reply("502", "AUTH not available: this server has no TLS certificate configured.");
  const mech = arg.trim().toUpperCase();
  if (mech !== "TLS" && mech !== "TLS-C" && mech !== "SSL") {
    return s.reply("504", "Security mechanism not supported: use AUTH TLS.");
  }
  if (s.conn.secure) return s.reply("503", "Already using TLS.");
  await s.reply("234", "AUTH TLS successful: start the TLS handshake.");
  try {
    await s.upgradeControl(tls);
  } catch (e) {
    s.host.emit({ type: "error", sessionId: s.id, error: e });
    s.close("error");
  }
}

async function pbsz(s: ServerSession, arg: string): Promise<void> {
  if (!s.conn.secure) return s.reply("503", "PBSZ needs AUTH TLS first.");
  if (!/^\d+$/.test(arg.trim())) return s.reply("501", "PBSZ needs a number (use PBSZ 0).");
  s.pbsz = true;
  await s.reply("200", "PBSZ=0");
}

async function prot(s: ServerSession, arg: string): Promise<void> {
  if (!s.conn.secure) return s.reply("503", "PROT needs AUTH TLS first.");
  if (!s.pbsz) return s.reply("503", "PROT needs PBSZ first.");
  const level = arg.trim().toUpperCase();
  if (level === "P" || level === "C") {
    s.protectData = level === "P";
    return s.reply("200", `Protection level set to ${level}.`);
  }
  if (level === "S" || level === "E") return s.reply("536", "Protection level not supported: use P or C.");
  await s.reply("504", "Unknown protection level: use P or C.");
}

/** Login, logout and security commands. */
export const ACCESS_COMMANDS: CommandSpec[] = [
  openCommand("USER", { syntax: "USER <login>" }, user),
  openCommand("PASS", { syntax: "PASS <password>" }, pass),
  openCommand("ACCT", { syntax: "ACCT <account>" }, acct),
  openCommand("QUIT", { syntax: "QUIT" }, quit),
  openCommand("REIN", { syntax: "REIN" }, rein),
  openCommand("AUTH", { syntax: "AUTH TLS", feat: (s) => s.host.config.tls ? "AUTH TLS" : undefined }, auth),
  openCommand("PBSZ", { syntax: "PBSZ 0", feat: (s) => s.host.config.tls ? "PBSZ" : undefined }, pbsz),
  openCommand("PROT", { syntax: "PROT P|C", feat: (s) => s.host.config.tls ? "PROT" : undefined }, prot),
];
