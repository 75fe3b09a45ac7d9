/**
 * What a session needs from its server, and the settings it runs with: the seam between
 * `server.ts` (which owns listeners, limits, throttles and users) and `_session.ts`.
 *
 * @module
 */

import type { PathIO } from "../fs/path_io.ts";
import type { Addr, Net, ServerTlsOptions } from "../net/types.ts";
import type { FtpEncoding } from "../protocol/encoding.ts";
import type { LingeringConns } from "./_lingering.ts";
import type { LoginFailures } from "./_login_failures.ts";
import type { PortPool } from "./_port_pool.ts";
import type { Encode } from "./_reply_writer.ts";
import type { UploadLocks, UploadPolicy } from "./_uploads.ts";
import type { ServerEvent, SessionEventBase } from "./events.ts";
import type { ServerTlsPolicy } from "./tls_policy.ts";
import type { User } from "./user.ts";
import type { UserManager } from "./user_manager.ts";

/** Distributive Omit, so each event keeps its own fields. */
export type EventInit<E> = E extends unknown ? Omit<E, "time"> : never;

/** A session event without the fields the session fills in (time, id, address, user). */
export type SessionEventInit = ServerEvent extends infer E
  ? E extends SessionEventBase ? Omit<E, keyof SessionEventBase> : never
  : never;

/** Session-relevant server settings, resolved (every default applied). */
export interface SessionConfig {
  readonly idleTimeout: number;
  readonly dataTimeout: number;
  readonly tlsHandshakeTimeout: number;
  readonly loginFailureDelay: number;
  readonly maxLoginFailures: number;
  readonly maxLineLength: number;
  readonly maxBadLines: number;
  readonly encoding: FtpEncoding;
  readonly encode: Encode;
  readonly welcome: readonly string[];
  readonly passiveAddress: string | ((client: Addr, local: Addr) => string | Promise<string>) | undefined;
  readonly disabled: ReadonlySet<string>;
  readonly tls: ServerTlsOptions | undefined;
  readonly requireTls: ServerTlsPolicy;
  readonly uploadPolicy: UploadPolicy;
}

/** What a session needs from its server. */
export interface SessionHost {
  readonly net: Net;
  readonly config: SessionConfig;
  readonly userManager: UserManager;
  readonly portPool: PortPool;
  /** Finished downloads' data connections waiting for the client to close (bounded). */
  readonly lingering: LingeringConns;
  /** Failed logins per client address. */
  readonly loginFailures: LoginFailures;
  /** Files being written. */
  readonly uploads: UploadLocks;
  readonly shuttingDown: boolean;
  storageFor(user: User): Promise<PathIO>;
  emit(event: EventInit<ServerEvent>): void;
  /** Take one of the user's connection slots; false when the user is at the limit. */
  claimUser(user: User): boolean;
  releaseUser(user: User): void;
  /** Throttle stages for a transfer of this session (keyed by the session), outermost first. */
  throttles(
    session: { readonly user: User | undefined },
    direction: "download" | "upload",
    signal: AbortSignal,
  ): TransformStream<Uint8Array, Uint8Array>[];
}
