/**
 * The metadata of one file or directory, shared by the storage layer and the listing
 * formatters.
 *
 * @module
 */

/**
 * What a storage reports about one entry (`PathIO.stat` in `src/fs/path_io.ts`), and what the
 * LIST and MLSx formatters print. It lives here, below the storage layer, because both the
 * formatters and the storage use it.
 *
 * @example
 * ```ts
 * import type { FileStat } from "anyftp";
 * const stat: FileStat = { type: "file", size: 5, mtime: new Date(0), mode: 0o644 };
 * console.log(stat.size);
 * ```
 */
export interface FileStat {
  /** Kind of entry. Symlinks are followed by `stat`, so this is `"symlink"` only in listings of dangling links. */
  readonly type: "file" | "dir" | "symlink" | "other";
  /** Size in bytes (0 for directories where unknown). */
  readonly size: number;
  /** Last modification time. */
  readonly mtime: Date;
  /** Unix permission bits when the storage has them (e.g. `0o644`). */
  readonly mode?: number;
  /** Number of hard links, for LIST. @default 1 */
  readonly nlink?: number;
  /** Owner name or id, for LIST. */
  readonly owner?: string;
  /** Group name or id, for LIST. */
  readonly group?: string;
  /** Target of a symbolic link, when the entry is one (LIST shows `name -> target`). */
  readonly linkTarget?: string;
}
