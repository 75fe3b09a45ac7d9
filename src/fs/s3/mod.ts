/**
 * `anyftp/fs/s3`: {@linkcode S3PathIO}, storage on an S3 bucket (AWS S3 or a compatible
 * server), with no dependency beyond `fetch` and Web Crypto.
 *
 * @example
 * ```ts
 * import { S3PathIO, s3OptionsFromEnv } from "./mod.ts";
 * const env = { AWS_ACCESS_KEY_ID: "AK", AWS_SECRET_ACCESS_KEY: "SK" };
 * const storage = new S3PathIO({ ...s3OptionsFromEnv(env), endpoint: "http://127.0.0.1:9000", bucket: "ftp" });
 * ```
 *
 * @module
 */

export { S3PathIO, type S3PathIOOptions } from "./s3_path_io.ts";
export type { S3Credentials } from "./_sigv4.ts";
export { S3Error } from "./s3_error.ts";
export { s3OptionsFromEnv } from "./s3_env.ts";
export type { FetchLike } from "./_s3_client.ts";
