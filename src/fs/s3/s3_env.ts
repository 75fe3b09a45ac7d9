/**
 * S3 settings from the standard AWS environment variables, for programs that pass their
 * environment in (the storage itself reads no runtime globals).
 *
 * @module
 */

import type { S3PathIOOptions } from "./s3_path_io.ts";

/**
 * Credentials, region and endpoint from `AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY`,
 * `AWS_SESSION_TOKEN`, `AWS_REGION` (or `AWS_DEFAULT_REGION`) and `AWS_ENDPOINT_URL_S3` (or
 * `AWS_ENDPOINT_URL`), and the upload settings of anyftp: `ANYFTP_S3_PART_SIZE` (bytes),
 * `ANYFTP_S3_PARTS_IN_FLIGHT`, `ANYFTP_S3_STREAMING_UPLOAD` (`1`: see
 * {@linkcode S3PathIOOptions.streamingUpload}) and `ANYFTP_S3_SIZED_UPLOAD` (`0`: see
 * {@linkcode S3PathIOOptions.sizedUpload}). Throws a `TypeError` naming what is missing
 * when there is no key pair, or what is wrong with a malformed setting.
 *
 * @param env The environment, e.g. `process.env` or `Deno.env.toObject()`.
 * @returns Options to spread into {@linkcode S3PathIOOptions} (with `bucket` added).
 *
 * @example
 * ```ts
 * import { s3OptionsFromEnv } from "./s3_env.ts";
 * import { S3PathIO } from "./s3_path_io.ts";
 * const env = { AWS_ACCESS_KEY_ID: "AK", AWS_SECRET_ACCESS_KEY: "SK", AWS_REGION: "eu-west-1" };
 * const fs = new S3PathIO({ ...s3OptionsFromEnv(env), bucket: "ftp" });
 * ```
 */
export function s3OptionsFromEnv(
  env: Readonly<Record<string, string | undefined>>,
): Omit<S3PathIOOptions, "bucket"> {
  const accessKeyId = env.AWS_ACCESS_KEY_ID;
  const secretAccessKey = env.AWS_SECRET_ACCESS_KEY;
  if (!accessKeyId || !secretAccessKey) {
    throw new TypeError("S3 credentials missing: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY.");
  }
  const sessionToken = env.AWS_SESSION_TOKEN || undefined;
  const region = env.AWS_REGION || env.AWS_DEFAULT_REGION || undefined;
  const endpoint = env.AWS_ENDPOINT_URL_S3 || env.AWS_ENDPOINT_URL || undefined;
  const partSize = count(env, "ANYFTP_S3_PART_SIZE");
  const partsInFlight = count(env, "ANYFTP_S3_PARTS_IN_FLIGHT");
  const streaming = flag(env, "ANYFTP_S3_STREAMING_UPLOAD");
  const sized = flag(env, "ANYFTP_S3_SIZED_UPLOAD");
  return {
    credentials: { accessKeyId, secretAccessKey, ...(sessionToken ? { sessionToken } : {}) },
    ...(region ? { region } : {}),
    ...(endpoint ? { endpoint } : {}),
    ...(partSize !== undefined ? { partSize } : {}),
    ...(partsInFlight !== undefined ? { partsInFlight } : {}),
    ...(streaming !== undefined ? { streamingUpload: streaming } : {}),
    ...(sized !== undefined ? { sizedUpload: sized } : {}),
  };
}

/** A 1/0 (true/false) variable, `undefined` when unset; a `TypeError` otherwise. */
function flag(env: Readonly<Record<string, string | undefined>>, name: string): boolean | undefined {
  const value = env[name];
  if (value === undefined) return undefined;
  if (!/^(0|1|true|false)$/.test(value)) throw new TypeError(`${name} must be 1 or 0, got "${value}".`);
  return value === "1" || value === "true";
}

/** A positive integer variable, `undefined` when unset or empty; a `TypeError` otherwise. */
function count(env: Readonly<Record<string, string | undefined>>, name: string): number | undefined {
  const value = env[name];
  if (value === undefined || value === "") return undefined;
  if (!/^[1-9]\d{0,15}$/.test(value)) throw new TypeError(`${name} must be a positive integer, got "${value}".`);
  return Number(value);
}
