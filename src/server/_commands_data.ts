/**
 * Data connection setup and control: PASV EPSV PORT EPRT REST ABOR.
 *
 * Bounce protection (RFC 2577): PORT/EPRT may only name the control connection's own client
 * address and an unprivileged port (>= 1024); passive connections are only accepted from
 * that address.
 *
 * PASV on an IPv6 control connection: PASV can only carry an IPv4 address, so it works when
 * the `passiveAddress` option yields one (NAT setups); otherwise it is answered 425 with a
 * hint to use EPSV.
 *
 * @module
 */

import { NoAvailablePortError } from "../errors.ts";
import { decodeEprt, decodeHostPort, encodeEpsvReply, encodeHostPort, isIPv4, unmapIPv4 } from "../protocol/address.ts";
import { type CommandSpec, loginCommand } from "./_command_rows.ts";
import { ActiveChannel, PassiveChannel, sameHost } from "./_data_channel.ts";
import { PassivePortsPerIpError } from "./_port_pool.ts";
import type { ServerSession } from "./_session.ts";

/** The address family of the control connection, as EPSV/EPRT number it. */
function family(s: ServerSession): "1" | "2" {
  return isIPv4(unmapIPv4(s.local.hostname)) ? "1" : "2";
}

/** Open a passive listener, replacing any prepared channel. Replies 421 when no port is free. */
async function openPassive(s: ServerSession): Promise<PassiveChannel | undefined> {
  s.channel?.close();
  s.channel = undefined;
  try {
    const pooled = await s.host.portPool.open(s.host.net, unmapIPv4(s.local.hostname), unmapIPv4(s.remote.hostname));
    const channel = new PassiveChannel(pooled, s.remote.hostname, (from) => {
      s.emit({ type: "data-connection-rejected", from });
    }, s.host.config.dataTimeout);
    s.channel = channel;
    return channel;
  } catch (e) {
    if (e instanceof NoAvailablePortError) {
      await s.reply("421", "No data port available: try again later.");
    } else if (e instanceof PassivePortsPerIpError) {
      await s.reply("421", "Too many passive ports held from your address: try again later.");
    } else {
      s.host.emit({ type: "error", sessionId: s.id, error: e });
      await s.reply("425", "Cannot open a passive data port.");
    }
    return undefined;
  }
}

async function passiveHost(s: ServerSession): Promise<string> {
  const option = s.host.config.passiveAddress;
  if (typeof option === "function") return await option(s.remote, s.local);
  return option ?? s.local.hostname;
}

async function pasv(s: ServerSession): Promise<void> {
  if (s.epsvAll) return s.reply("503", "EPSV ALL is in effect: use EPSV.");
  let host: string;
  try {
    host = unmapIPv4(await passiveHost(s));
  } catch (e) {
    s.host.emit({ type: "error", sessionId: s.id, error: e });
    return s.reply("425", "Cannot determine the passive address.");
  }
  if (!isIPv4(host)) {
    return s.reply("425", "PASV only carries IPv4 addresses and this connection is IPv6: use EPSV.");
  }
  const channel = await openPassive(s);
  if (!channel) return;
  await s.reply("227", `Entering Passive Mode (${encodeHostPort({ hostname: host, port: channel.port })}).`);
}

async function epsv(s: ServerSession, arg: string): Promise<void> {
  const a = arg.trim().toUpperCase();
  if (a === "ALL") {
    s.epsvAll = true;
    return s.reply("200", "EPSV ALL accepted: only EPSV from now on.");
  }
  if (a !== "" && a !== family(s)) {
    return s.reply("522", `Network protocol not supported, use (${family(s)})`);
  }
  const channel = await openPassive(s);
  if (!channel) return;
  await s.reply("229", encodeEpsvReply(channel.port));
}

/** Check a PORT/EPRT target against bounce attacks; replies and returns false when refused. */
async function allowedTarget(s: ServerSession, host: string, port: number, verb: string): Promise<boolean> {
  if (!sameHost(host, s.remote.hostname)) {
    await s.reply(
      "504",
      `${verb} refused: the data address must be your own (${unmapIPv4(s.remote.hostname)}), not ${host}.`,
    );
    return false;
  }
  if (port < 1024) {
    await s.reply("504", `${verb} refused: privileged port ${port}; use a port of 1024 or above.`);
    return false;
  }
  return true;
}

async function port(s: ServerSession, arg: string): Promise<void> {
  if (s.epsvAll) return s.reply("503", "EPSV ALL is in effect: use EPSV.");
  const text = arg.trim();
  const target = /^\d{1,3}(,\d{1,3}){5}$/.test(text) ? decodeHostPort(text) : undefined;
  if (!target) return s.reply("501", "Usage: PORT h1,h2,h3,h4,p1,p2");
  if (!(await allowedTarget(s, target.hostname, target.port, "PORT"))) return;
  s.channel?.close();
  s.channel = new ActiveChannel(s.host.net, target);
  await s.reply("200", "PORT command successful.");
}

async function eprt(s: ServerSession, arg: string): Promise<void> {
  if (s.epsvAll) return s.reply("503", "EPSV ALL is in effect: use EPSV.");
  const text = arg.trim();
  const target = decodeEprt(text);
  if (!target) {
    const proto = text.split(text.charAt(0))[1];
    if (proto !== undefined && /^\d+$/.test(proto) && proto !== "1" && proto !== "2") {
      return s.reply("522", `Network protocol not supported, use (${family(s)})`);
    }
    return s.reply("501", "Usage: EPRT |1|ipv4|port| or EPRT |2|ipv6|port|");
  }
  if ((target.family === "IPv4" ? "1" : "2") !== family(s)) {
    return s.reply("522", `Network protocol not supported, use (${family(s)})`);
  }
  if (!(await allowedTarget(s, target.hostname, target.port, "EPRT"))) return;
  s.channel?.close();
  s.channel = new ActiveChannel(s.host.net, { hostname: target.hostname, port: target.port });
  await s.reply("200", "EPRT command successful.");
}

async function rest(s: ServerSession, arg: string): Promise<void> {
  const text = arg.trim();
  if (!/^\d{1,15}$/.test(text)) return s.reply("501", "REST takes a byte offset (a non-negative integer).");
  s.rest = Number(text);
  await s.reply("350", `Restarting at ${s.rest}: send RETR, STOR or APPE.`);
}

async function abor(s: ServerSession): Promise<void> {
  const t = s.transfer;
  if (t) {
    s.abortTransfer("abor");
    await t.done; // it replies 426
    return s.reply("226", "ABOR successful.");
  }
  s.channel?.close();
  s.channel = undefined;
  await s.reply("226", "No transfer to abort.");
}

/** Data connection commands. */
export const DATA_COMMANDS: CommandSpec[] = [
  loginCommand("PASV", { syntax: "PASV", feat: "PASV", keepsRestAndAllo: true }, pasv),
  loginCommand("EPSV", { syntax: "EPSV [1|2|ALL]", feat: "EPSV", keepsRestAndAllo: true }, epsv),
  loginCommand("PORT", { syntax: "PORT h1,h2,h3,h4,p1,p2", keepsRestAndAllo: true }, port),
  loginCommand("EPRT", { syntax: "EPRT |proto|address|port|", feat: "EPRT", keepsRestAndAllo: true }, eprt),
  loginCommand("REST", { syntax: "REST <offset>", feat: "REST STREAM", keepsRestAndAllo: true }, rest),
  loginCommand("ABOR", { syntax: "ABOR", duringTransfer: true }, abor),
];
