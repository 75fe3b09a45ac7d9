/**
 * The error a command gets instead of waiting forever behind a transfer stream that nobody
 * reads or writes (defined with every other public error in `errors.ts`).
 *
 * @module
 */

export { StalledStreamError } from "../errors.ts";
