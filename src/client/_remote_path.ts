/**
 * POSIX-style helpers for remote paths, which may be relative to the server's working
 * directory (unlike the absolute virtual paths of PathIO).
 *
 * @module
 */

/**
 * Join a directory and a name.
 *
 * @param dir A remote directory, `""` meaning the working directory.
 * @param name A child name.
 * @returns `dir/name` without doubled slashes.
 */
export function joinRemote(dir: string, name: string): string {
  if (dir === "" || dir === ".") return name;
  return dir.endsWith("/") ? dir + name : `${dir}/${name}`;
}

/**
 * The last component of a remote path (trailing slashes ignored).
 *
 * @param path The path.
 * @returns The name, `""` for `/` or `""`.
 */
export function remoteBasename(path: string): string {
  const trimmed = path.replace(/\/+$/, "");
  return trimmed.slice(trimmed.lastIndexOf("/") + 1);
}

/**
 * The parent of a remote path.
 *
 * @param path The path.
 * @returns The parent: `/` for `/a`, `""` (the working directory) for `a`.
 */
export function remoteDirname(path: string): string {
  const trimmed = path.replace(/\/+$/, "");
  const slash = trimmed.lastIndexOf("/");
  if (slash < 0) return "";
  if (slash === 0) return "/";
  return trimmed.slice(0, slash);
}

/**
 * The successive prefixes of a path: `a/b/c` → `a`, `a/b`, `a/b/c`; `/a/b` → `/a`, `/a/b`.
 *
 * @param path The path.
 * @returns The prefixes, shortest first.
 */
export function remotePrefixes(path: string): string[] {
  const absolute = path.startsWith("/");
  const parts = path.split("/").filter((p) => p !== "" && p !== ".");
  const out: string[] = [];
  for (let i = 1; i <= parts.length; i++) {
    out.push((absolute ? "/" : "") + parts.slice(0, i).join("/"));
  }
  return out;
}

/**
 * Whether a name listed by a server is safe to use as one local path component: not empty,
 * not `.` or `..`, no `/`, `\`, NUL or other control characters, no drive letter.
 *
 * @param name The listed name.
 * @returns True when it can be written under a local directory without escaping it.
 */
export function isSafeEntryName(name: string): boolean {
  if (name === "" || name === "." || name === "..") return false;
  // deno-lint-ignore no-control-regex
  if (/[\/\\\x00-\x1f]/.test(name)) return false;
  if (/^[A-Za-z]:/.test(name)) return false;
  return true;
}

/** Deepest directory tree the client walks (listing, copying, removing): a loop guard. */
export const MAX_TREE_DEPTH = 256;
