/**
 * Speed limits for server data transfers, in bytes per second.
 *
 * @module
 */

/**
 * Bandwidth caps in bytes per second; `undefined` or `0` means unlimited. "Download" is data
 * the server sends (RETR, listings), "upload" is data it receives (STOR, APPE, STOU). The
 * plain limits are shared by every connection they apply to (the whole server, or all
 * sessions of one user); the `PerConnection` ones apply to each session on its own.
 *
 * @example
 * ```ts
 * import type { SpeedLimits } from "anyftp";
 * const limits: SpeedLimits = { download: 10 * 1024 * 1024, uploadPerConnection: 1024 * 1024 };
 * ```
 */
export interface SpeedLimits {
  /** Shared cap on data sent. @default unlimited */
  readonly download?: number | undefined;
  /** Shared cap on data received. @default unlimited */
  readonly upload?: number | undefined;
  /** Cap on data sent, per session. @default unlimited */
  readonly downloadPerConnection?: number | undefined;
  /** Cap on data received, per session. @default unlimited */
  readonly uploadPerConnection?: number | undefined;
}
