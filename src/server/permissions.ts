/**
 * Per-path access rules for server users: each rule grants or denies reading and writing at a
 * path and below it; for any path the nearest rule (the one with the longest matching path)
 * wins.
 *
 * @module
 */

import { normalizeVirtualPath, virtualPathSegments } from "../protocol/virtual_path.ts";

/**
 * One access rule, for a virtual path (as the user sees it) and everything below it.
 *
 * @example
 * ```ts
 * import type { Permission } from "anyftp";
 * const rules: Permission[] = [
 *   { path: "/", readable: true, writable: false },
 *   { path: "/incoming", writable: true },
 * ];
 * ```
 */
export interface Permission {
  /** Absolute virtual path the rule applies to (and below). */
  readonly path: string;
  /** Whether files may be downloaded and directories listed or entered. @default true */
  readonly readable?: boolean | undefined;
  /** Whether files may be stored, appended, deleted, renamed and directories created or removed. @default true */
  readonly writable?: boolean | undefined;
}

/** Resolved access at one path. */
export interface Access {
  /** Reading is allowed. */
  readonly readable: boolean;
  /** Writing is allowed. */
  readonly writable: boolean;
}

const DENY: Access = { readable: false, writable: false };

/**
 * The access that applies at a path: the rule with the longest path that is the path itself
 * or one of its parents. Without any matching rule, nothing is allowed.
 *
 * @param rules The user's rules.
 * @param path An absolute virtual path.
 * @returns Whether the path may be read and written.
 *
 * @example
 * ```ts
 * import { resolveAccess } from "anyftp";
 * const rules = [{ path: "/", writable: false }, { path: "/incoming" }];
 * resolveAccess(rules, "/incoming/a.txt"); // { readable: true, writable: true }
 * resolveAccess(rules, "/docs/a.txt"); // { readable: true, writable: false }
 * ```
 */
export function resolveAccess(rules: readonly Permission[], path: string): Access {
  const target = virtualPathSegments(path);
  let best: Permission | undefined;
  let bestDepth = -1;
  for (const rule of rules) {
    const base = virtualPathSegments(rule.path);
    if (base.length > target.length || base.length <= bestDepth) continue;
    if (base.every((name, i) => target[i] === name)) {
      best = rule;
      bestDepth = base.length;
    }
  }
  if (!best) return DENY;
  return { readable: best.readable ?? true, writable: best.writable ?? true };
}

/**
 * Normalise the paths of a rule list (absolute, no `..`), keeping order.
 *
 * @param rules The rules as configured.
 * @returns The same rules with normalised paths.
 *
 * @example
 * ```ts
 * import { normalizePermissions } from "anyftp";
 * normalizePermissions([{ path: "/pub/../in/" }]); // [{ path: "/in" }]
 * ```
 */
export function normalizePermissions(rules: readonly Permission[]): Permission[] {
  return rules.map((r) => ({ ...r, path: normalizeVirtualPath(r.path) }));
}
