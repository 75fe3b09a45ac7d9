/**
 * `anyftp mirror`: make a local directory a copy of a remote one or the other way round,
 * transferring only files whose size differs or whose source is newer (by modification
 * time), `--delete` to remove what the source lacks, `--dry-run` to only print the plan.
 * After a copy the target gets the source's modification time (`utimes` locally, `MFMT` on
 * servers that have it), so a second run transfers nothing.
 *
 * @module
 */

import type { Client } from "../client/client.ts";
import { join, posix } from "node:path";
import { localError, RemoteNotFoundError } from "./exit_codes.ts";
import {
  localStat,
  makeLocalDir,
  removeLocal,
  setLocalMtime,
  type TreeEntry,
  walkLocal,
} from "./_local_fs.ts";
import type { ProgressBar } from "./progress.ts";

/**
 * What a mirror run will do, by path relative to the two roots.
 *
 * @example
 * ```ts
 * import { planMirror } from "./mirror.ts";
 * const plan = planMirror(new Map([["a", { type: "file", size: 1 }]]), new Map(), { delete: false });
 * console.log(plan.copy); // ["a"]
 * ```
 */
export interface MirrorPlan {
  /** Directories to create in the target, parents first. */
  readonly mkdir: readonly string[];
  /** Files to copy. */
  readonly copy: readonly string[];
  /** Target entries to remove (with `--delete`, or a file in the way of a directory), deepest first. */
  readonly remove: readonly string[];
  /** Files already up to date. */
  readonly unchanged: number;
}

/** Seconds of slack when comparing times (FAT and some LIST formats have 2 s or minutes). */
const SLACK_MS = 2000;

/**
 * Compare a source tree with a target tree.
 *
 * @param source Entries of the source by relative path.
 * @param target Entries of the target by relative path.
 * @param options `delete`: also remove target entries the source lacks.
 * @returns The plan.
 *
 * @example
 * ```ts
 * import { planMirror } from "./mirror.ts";
 * const t = new Date(0);
 * planMirror(new Map([["a", { type: "file", size: 1, mtime: t }]]), new Map([["a", { type: "file", size: 1, mtime: t }]]), { delete: false }).unchanged; // 1
 * ```
 */
export function planMirror(
  source: ReadonlyMap<string, TreeEntry>,
  target: ReadonlyMap<string, TreeEntry>,
  options: { readonly delete: boolean },
): MirrorPlan {
  const mkdir: string[] = [];
  const copy: string[] = [];
  const remove: string[] = [];
  let unchanged = 0;
  for (const [rel, s] of [...source].sort(([a], [b]) => (a < b ? -1 : 1))) {
    const t = target.get(rel);
    if (t && t.type !== s.type) remove.push(rel);
    if (s.type === "dir") {
      if (!t || t.type !== "dir") mkdir.push(rel);
      continue;
    }
    const stale = !t || t.type !== "file" || t.size !== s.size ||
      (s.mtime !== undefined && t.mtime !== undefined && s.mtime.getTime() > t.mtime.getTime() + SLACK_MS);
    if (stale) copy.push(rel);
    else unchanged++;
  }
  if (options.delete) {
    for (const rel of target.keys()) {
      if (!source.has(rel) && !covered(rel, remove)) remove.push(rel);
    }
  }
  remove.sort((a, b) => b.split("/").length - a.split("/").length || (a < b ? 1 : -1));
  return { mkdir, copy, remove, unchanged };
}

/** Whether a parent of `rel` is already being removed. */
function covered(rel: string, removed: readonly string[]): boolean {
  return removed.some((r) => rel.startsWith(r + "/"));
}

/**
 * The files and directories below a remote directory, by path relative to it. Names that
 * could escape a local target (`..`, `\`, NUL) and symbolic links are left out.
 *
 * @param client A logged-in client.
 * @param root The remote directory.
 * @returns The entries.
 *
 * @example
 * ```ts
 * import { Client } from "../client/client.ts";
 * import { walkRemote } from "./mirror.ts";
 * await using client = await Client.connect("ftp://127.0.0.1:2121");
 * for (const [rel, e] of await walkRemote(client, "/pub")) console.log(rel, e.size);
 * ```
 */
export async function walkRemote(client: Client, root: string): Promise<Map<string, TreeEntry>> {
  const out = new Map<string, TreeEntry>();
  const prefix = root.endsWith("/") ? root : root + "/";
  for await (const e of client.list(root, { recursive: true })) {
    if (e.type !== "file" && e.type !== "dir") continue;
    if (!e.path.startsWith(prefix)) continue;
    const rel = e.path.slice(prefix.length);
    if (rel.split("/").some((part) => part === "" || part === "." || part === ".." || /[\\\0]/.test(part))) {
      continue;
    }
    out.set(rel, { type: e.type, size: e.size ?? 0, ...(e.modified ? { mtime: e.modified } : {}) });
  }
  return out;
}

/**
 * Settings of one mirror run.
 *
 * @example
 * ```ts
 * import type { MirrorJob } from "./mirror.ts";
 * const job: MirrorJob = { direction: "download", remote: "/pub", local: "./pub", delete: false, dryRun: true };
 * ```
 */
export interface MirrorJob {
  /** `download`: remote → local; `upload`: local → remote. */
  readonly direction: "download" | "upload";
  /** The remote directory. */
  readonly remote: string;
  /** The local directory. */
  readonly local: string;
  /** Remove target entries the source lacks. */
  readonly delete: boolean;
  /** Only print what would be done. */
  readonly dryRun: boolean;
}

/**
 * Run a mirror.
 *
 * @param client A logged-in client.
 * @param job What to mirror.
 * @param report Where to print the plan lines and the progress.
 * @returns The plan carried out and the bytes copied.
 *
 * @example
 * ```ts
 * import { Client } from "../client/client.ts";
 * import { runMirror } from "./mirror.ts";
 * import { ProgressBar } from "./progress.ts";
 * await using client = await Client.connect("ftp://127.0.0.1:2121");
 * const bar = new ProgressBar({ write: () => {}, enabled: false });
 * const job = { direction: "download" as const, remote: "/pub", local: "./pub", delete: false, dryRun: false };
 * const { plan, bytes } = await runMirror(client, job, { line: console.log, bar });
 * console.log(plan.copy.length, bytes);
 * ```
 */
export async function runMirror(
  client: Client,
  job: MirrorJob,
  report: { line: (text: string) => void; bar: ProgressBar },
): Promise<{ plan: MirrorPlan; bytes: number }> {
  const remoteRoot = job.remote.replace(/(.)\/+$/, "$1");
  const localExists = await localStat(job.local);
  if (localExists && localExists.type !== "dir") {
    throw localError(Object.assign(new Error(""), { code: "ENOTDIR" }), "Not a directory:", job.local);
  }
  const remoteIsDir = await client.isDir(remoteRoot);
  let source: Map<string, TreeEntry>;
  let target: Map<string, TreeEntry>;
  if (job.direction === "download") {
    if (!remoteIsDir) {
      throw new RemoteNotFoundError(`No such remote directory: ${job.remote}`);
    }
    source = await walkRemote(client, remoteRoot);
    target = localExists ? await walkLocal(job.local) : new Map();
  } else {
    if (!localExists) {
      throw localError(Object.assign(new Error(""), { code: "ENOENT" }), "No such local directory:", job.local);
    }
    source = await walkLocal(job.local);
    target = remoteIsDir ? await walkRemote(client, remoteRoot) : new Map();
  }
  const plan = planMirror(source, target, { delete: job.delete });
  const remotePath = (rel: string) => posix.join(remoteRoot, rel);
  const localPath = (rel: string) => join(job.local, ...rel.split("/"));
  if (job.dryRun) {
    for (const rel of plan.remove) report.line(`would delete ${rel}`);
    for (const rel of plan.mkdir) report.line(`would create ${rel}/`);
    for (const rel of plan.copy) report.line(`would copy ${rel} (${source.get(rel)!.size} bytes)`);
    return { plan, bytes: 0 };
  }
  if (job.direction === "download" && !localExists) await makeLocalDir(job.local, false);
  if (job.direction === "upload" && !remoteIsDir) await client.mkdir(remoteRoot, { parents: true });
  for (const rel of plan.remove) {
    if (job.direction === "download") await removeLocal(localPath(rel));
    else await client.remove(remotePath(rel));
    report.line(`deleted ${rel}`);
  }
  for (const rel of plan.mkdir) {
    if (job.direction === "download") await makeLocalDir(localPath(rel), false);
    else await client.mkdir(remotePath(rel), { parents: false });
  }
  const totalBytes = plan.copy.reduce((n, rel) => n + source.get(rel)!.size, 0);
  report.bar.setTotals(plan.copy.length, totalBytes);
  const canSetRemoteTime = job.direction === "upload" &&
    (await client.features()).some((f) => /^MFMT\b/i.test(f));
  let bytes = 0;
  for (const rel of plan.copy) {
    const entry = source.get(rel)!;
    const onProgress = (p: { bytes: number; total?: number; rate?: number }) =>
      report.bar.update(rel, p.bytes, p.total ?? entry.size, p.rate);
    if (job.direction === "download") {
      await client.download(remotePath(rel), localPath(rel), { writeInto: true, onProgress });
      if (entry.mtime) await setLocalMtime(localPath(rel), entry.mtime);
    } else {
      await client.upload(localPath(rel), remotePath(rel), { writeInto: true, onProgress });
      if (entry.mtime && canSetRemoteTime) {
        await client.command(`MFMT ${mfmtTime(entry.mtime)} ${remotePath(rel)}`, { expected: ["2xx"] })
          .catch(() => {});
      }
    }
    report.bar.fileDone(entry.size);
    bytes += entry.size;
  }
  report.bar.clear();
  return { plan, bytes };
}

/** `YYYYMMDDHHMMSS` in UTC, for MFMT. */
function mfmtTime(d: Date): string {
  return d.toISOString().replace(/[-:T]/g, "").slice(0, 14);
}
