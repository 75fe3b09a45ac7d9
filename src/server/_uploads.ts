/**
 * How uploads reach the storage, and the locks on files being written.
 *
 * With the `"rename"` policy an upload is written to a temporary name in the target's
 * directory (`.<name>.anyftp-upload-<16 hex digits>`, never shown by LIST, NLST or MLSD) and
 * renamed over the target only when every byte arrived; a failed or aborted upload is
 * removed, so the old file stays whole and readers always see a complete version. REST+STOR
 * (resume) and APPE extend the existing file, so they always write in place, as does every
 * upload under the `"in-place"` policy.
 *
 * A file being written is locked (as vsftpd's `lock_upload_files`): a second upload to it is
 * answered 450, and so is a download of a file being written in place. Locks are kept per
 * storage object and storage path, in this process.
 *
 * @module
 */

import type { PathIO } from "../fs/path_io.ts";

/**
 * Where an upload is written until it is complete: `"rename"` (a temporary name, renamed
 * over the target on success) or `"in-place"` (the target itself). See `ServerOptions`.
 *
 * @example
 * ```ts
 * import { Server, type UploadPolicy } from "anyftp";
 * const uploadPolicy: UploadPolicy = "in-place";
 * const server = new Server({ uploadPolicy });
 * ```
 */
export type UploadPolicy = "rename" | "in-place";

const TEMP_NAME = /^\.(.*)\.anyftp-upload-[0-9a-f]{16}$/s;

/**
 * The temporary name of an upload to `name` (same directory).
 *
 * @param name The target's file name.
 * @returns `.<name>.anyftp-upload-<random>`.
 */
export function tempUploadName(name: string): string {
  const random = [...crypto.getRandomValues(new Uint8Array(8))]
    .map((b) => b.toString(16).padStart(2, "0")).join("");
  return `.${name}.anyftp-upload-${random}`;
}

/** Whether a directory entry is an upload in progress (hidden from listings). */
export function isTempUploadName(name: string): boolean {
  return TEMP_NAME.test(name);
}

/**
 * The file an upload in progress will become, for a temporary name; `undefined` for any
 * other name (storage wrappers that hide dot-files let the server's own temporaries through).
 *
 * @param name A directory entry's name.
 * @returns The target's name, or `undefined`.
 */
export function tempUploadTarget(name: string): string | undefined {
  return TEMP_NAME.exec(name)?.[1];
}

/** How a locked file is being written. */
export type LockMode = "rename" | "in-place";

/** The files being written, per storage. */
export class UploadLocks {
  #byStorage = new WeakMap<PathIO, Map<string, LockMode>>();

  /**
   * Lock a file for writing.
   *
   * @param storage The storage.
   * @param path The storage path of the target.
   * @param mode Whether the target itself is written (`"in-place"`) or a temporary file.
   * @returns The release function, or `undefined` when the file is being written already.
   */
  lock(storage: PathIO, path: string, mode: LockMode): (() => void) | undefined {
    let locks = this.#byStorage.get(storage);
    if (!locks) {
      locks = new Map();
      this.#byStorage.set(storage, locks);
    }
    if (locks.has(path)) return undefined;
    locks.set(path, mode);
    let held = true;
    return () => {
      if (!held) return;
      held = false;
      locks.delete(path);
    };
  }

  /**
   * How a file is being written, or `undefined` when it is not.
   *
   * @param storage The storage.
   * @param path The storage path.
   * @returns The lock's mode.
   */
  mode(storage: PathIO, path: string): LockMode | undefined {
    return this.#byStorage.get(storage)?.get(path);
  }
}
