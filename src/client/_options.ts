/**
 * {@linkcode ClientOptions} with every default filled in, in one place.
 *
 * @module
 */

import type { Net } from "../net/types.ts";
import type { ListLineParser } from "../protocol/list_entry.ts";
import type { Throttle } from "../streams/throttle.ts";
import type { ClientEncoding } from "./_encoding.ts";
import { defaultLocalFs, type LocalFsFactory } from "./_local.ts";
import type { ClientOptions } from "./options.ts";

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
  readonly readSpeedLimit: number | Throttle;
  readonly writeSpeedLimit: number | Throttle;
  readonly listParser: ListLineParser | undefined;
  readonly listParserOrder: "first" | "last";
  readonly maxLineLength: number;
  readonly maxReplyLines: number;
  readonly maxListingBytes: number;
  readonly tls: "implicit" | "explicit" | undefined;
  readonly tlsOptions: ClientOptions["tlsOptions"];
  readonly tlsSessionReuse: boolean;
  readonly localFs: LocalFsFactory;
  readonly listHidden: boolean;
  readonly trace: ((line: string) => void) | undefined;
}

/**
 * Fill in the defaults documented on {@linkcode ClientOptions}.
 *
 * @param o The options as given.
 * @returns The options to run with.
 */
export function resolveOptions(o: ClientOptions): ResolvedOptions {
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
    readSpeedLimit: o.readSpeedLimit ?? Infinity,
    writeSpeedLimit: o.writeSpeedLimit ?? Infinity,
    listParser: o.listParser,
    listParserOrder: o.listParserOrder ?? "first",
    maxLineLength: o.maxLineLength ?? 8192,
    maxReplyLines: o.maxReplyLines ?? 10_000,
    maxListingBytes: o.maxListingBytes ?? 64 * 1024 * 1024,
    tls: o.tls,
    tlsOptions: o.tlsOptions,
    tlsSessionReuse: o.tlsSessionReuse ?? true,
    localFs: o.localFs ?? defaultLocalFs,
    listHidden: o.listHidden ?? true,
    trace: o.trace,
  };
}
