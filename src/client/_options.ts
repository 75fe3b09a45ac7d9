/**
 * {@linkcode ClientOptions} with every default filled in, in one place.
 *
 * @module
 */

import type { Net } from "../net/types.ts";
import type { ListLineParser } from "../protocol/list_entry.ts";
import type { Throttle } from "../streams/throttle.ts";
import type { ClientEncoding } from "./_encoding.ts";
import { defaultLocalFs } from "./_local.ts";
import type { ClientOptions, ClientStorage, ClientTls } from "./options.ts";

/** The options a client runs with: {@linkcode ClientOptions} after defaults. */
export interface ResolvedOptions {
  readonly net: Net | undefined;
  readonly connectTimeout: number;
  readonly socketTimeout: number;
  readonly dataTimeout: number;
  readonly encoding: ClientEncoding;
  readonly mode: "passive" | "active";
  readonly passiveCommands: readonly ("EPSV" | "PASV")[];
  readonly activeCommands: readonly ("EPRT" | "PORT")[];
  readonly activeHost: string | undefined;
  readonly allowForeignPassiveHost: boolean;
  readonly allowForeignActivePeer: boolean;
  readonly speedLimits: { readonly download: number | Throttle; readonly upload: number | Throttle };
  readonly listParser: ListLineParser | undefined;
  readonly listParserOrder: "first" | "last";
  readonly maxLineLength: number;
  readonly maxReplyLines: number;
  readonly maxListingBytes: number;
  readonly tlsMode: "implicit" | "explicit" | undefined;
  readonly tls: ClientTls | undefined;
  readonly tlsSessionReuse: boolean;
  readonly storage: ClientStorage;
  readonly listHidden: boolean;
  readonly trace: ((line: string) => void) | undefined;
}

/**
 * Fill in the defaults documented on {@linkcode ClientOptions}. The deprecated 0.1 names
 * (`readSpeedLimit`, `writeSpeedLimit`, `tlsOptions`, `tls` as a string, `localFs`) are
 * mapped here and nowhere else; the new name wins when both are given.
 *
 * @param o The options as given.
 * @returns The options to run with.
 */
export function resolveOptions(o: ClientOptions): ResolvedOptions {
  const tls = typeof o.tls === "object" ? o.tls : o.tlsOptions;
  return {
    net: o.net,
    connectTimeout: o.connectTimeout ?? 30_000,
    socketTimeout: o.socketTimeout ?? 30_000,
    dataTimeout: o.dataTimeout ?? 30_000,
    encoding: o.encoding ?? "utf-8",
    mode: o.mode ?? "passive",
    passiveCommands: o.passiveCommands ?? ["EPSV", "PASV"],
    activeCommands: o.activeCommands ?? ["EPRT", "PORT"],
    activeHost: o.activeHost,
    allowForeignPassiveHost: o.allowForeignPassiveHost ?? false,
    allowForeignActivePeer: o.allowForeignActivePeer ?? false,
    speedLimits: {
      download: o.speedLimits?.download ?? o.readSpeedLimit ?? Infinity,
      upload: o.speedLimits?.upload ?? o.writeSpeedLimit ?? Infinity,
    },
    listParser: o.listParser,
    listParserOrder: o.listParserOrder ?? "first",
    maxLineLength: o.maxLineLength ?? 8192,
    maxReplyLines: o.maxReplyLines ?? 10_000,
    maxListingBytes: o.maxListingBytes ?? 64 * 1024 * 1024,
    tlsMode: o.tlsMode ?? (typeof o.tls === "string" ? o.tls : undefined),
    tls,
    tlsSessionReuse: o.tlsSessionReuse ?? true,
    storage: o.storage ?? o.localFs ?? defaultLocalFs,
    listHidden: o.listHidden ?? true,
    trace: o.trace,
  };
}
