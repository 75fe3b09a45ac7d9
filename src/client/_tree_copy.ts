/**
 * Copying files and directory trees between the local file system (a PathIO rooted at the
 * directory concerned, so nothing lands outside it) and the server, with progress per file
 * and resume for downloads. All run with the queue held.
 *
 * @module
 */

import type { PathIO } from "../fs/path_io.ts";
import { FtpError } from "../errors.ts";
import { copyStream } from "../streams/copy.ts";
import { fileSize, makeDirectory } from "./_file_ops.ts";
import { listDir, stat } from "./_listing.ts";
import { ensureLocalDir, joinLocal, splitLocal } from "./_local.ts";
import {
  isSafeEntryName,
  joinRemote,
  MAX_TREE_DEPTH,
  remoteBasename,
  remoteDirname,
} from "./_remote_path.ts";
import type { ClientSession } from "./_session.ts";
import {
  downloadLimit,
  type OpenOptions,
  openRetrieve,
  openStore,
  throwIfAborted,
} from "./_start_transfer.ts";
import type { CopyOptions } from "./options.ts";

/**
 * Upload a local file or directory tree ({@linkcode Client.upload}).
 *
 * @param s The session.
 * @param local The local file or directory.
 * @param remote The remote destination: a directory, or the target itself with `writeInto`.
 * @param options `writeInto`, abort signal, progress.
 * @returns Nothing.
 */
export async function uploadPath(
  s: ClientSession,
  local: string,
  remote: string,
  options: CopyOptions,
): Promise<void> {
  const { parent, name } = splitLocal(local);
  const fs = await s.options.storage(parent);
  const target = options.writeInto ? remote : joinRemote(remote, name);
  const st = await fs.stat(`/${name}`);
  if (st.type === "dir") {
    await makeDirectory(s, target, true);
    await uploadTree(s, fs, `/${name}`, target, options, 0);
  } else {
    const dir = remoteDirname(target);
    if (dir !== "" && dir !== "/") await makeDirectory(s, dir, true);
    await uploadFile(s, fs, `/${name}`, target, st.size, options);
  }
}

/**
 * Download a remote file or directory tree ({@linkcode Client.download}). Listed names that
 * could escape the target (`..`, `/`, `\`, NUL) are skipped; symbolic links are not followed.
 *
 * @param s The session.
 * @param remote The remote file or directory.
 * @param local The local destination: a directory, or the target itself with `writeInto`.
 * @param options `writeInto`, `resume`, abort signal, progress.
 * @returns Nothing.
 */
export async function downloadPath(
  s: ClientSession,
  remote: string,
  local: string,
  options: CopyOptions,
): Promise<void> {
  const entry = await stat(s, remote);
  const target = options.writeInto
    ? local
    : joinLocal(local, safeLocalName(remoteBasename(remote)));
  if (entry.type === "dir") {
    const fs = await ensureLocalDir(s.options.storage, target);
    const closes = new PendingClose();
    let failed = true;
    try {
      await downloadTree(s, remote, fs, "/", options, 0, closes);
      failed = false;
    } finally {
      // Every local file is closed before returning; a close error counts unless another
      // error is already on its way.
      await closes.flush().catch((e) => {
        if (!failed) throw e;
      });
    }
  } else {
    const { parent, name } = splitLocal(target);
    const fs = await ensureLocalDir(s.options.storage, parent);
    await (await downloadFile(s, remote, fs, `/${name}`, entry.size, options)).closed;
  }
}

/** Throw when a tree is deeper than the client walks. */
function checkDepth(depth: number, side: string, root: string): void {
  if (depth > MAX_TREE_DEPTH) {
    throw new FtpError(`${side} tree under "${root}" is deeper than ${MAX_TREE_DEPTH} levels.`);
  }
}

/** Transfer options for one file of a copy: the signal, and progress labelled with its path. */
function fileOptions(options: CopyOptions, path: string): OpenOptions {
  const onProgress = options.onProgress;
  return {
    signal: options.signal,
    ascii: options.ascii,
    ...(onProgress ? { onProgress: (p) => onProgress({ ...p, path }) } : {}),
  };
}

async function uploadTree(
  s: ClientSession,
  fs: PathIO,
  dir: string,
  remote: string,
  options: CopyOptions,
  depth: number,
): Promise<void> {
  checkDepth(depth, "Local", dir);
  for await (const entry of fs.list(dir)) {
    throwIfAborted(options.signal);
    // PathIO paths are absolute POSIX paths: the remote join does for them too.
    const local = joinRemote(dir, entry.name);
    const target = joinRemote(remote, entry.name);
    if (entry.stat.type === "dir") {
      await makeDirectory(s, target, true);
      await uploadTree(s, fs, local, target, options, depth + 1);
    } else if (entry.stat.type === "file") {
      await uploadFile(s, fs, local, target, entry.stat.size, options);
    }
  }
}

async function uploadFile(
  s: ClientSession,
  fs: PathIO,
  local: string,
  remote: string,
  size: number,
  options: CopyOptions,
): Promise<void> {
  throwIfAborted(options.signal);
  // Open the local file while EPSV/PASV is on the wire; STOR waits for it.
  const opening = fs.openRead(local);
  opening.catch(() => {}); // Handled below.
  let sink: WritableStream<Uint8Array>;
  try {
    sink = await openStore(s, `STOR ${remote}`, {
      ...fileOptions(options, remote),
      total: size,
      ready: opening,
    });
  } catch (e) {
    const source = await opening.catch(() => undefined);
    await source?.cancel().catch(() => {});
    throw e;
  }
  await copyStream(await opening, sink);
}

async function downloadTree(
  s: ClientSession,
  remote: string,
  fs: PathIO,
  dir: string,
  options: CopyOptions,
  depth: number,
  closes: PendingClose,
): Promise<void> {
  checkDepth(depth, "Remote", remote);
  for (const entry of await listDir(s, remote)) {
    throwIfAborted(options.signal);
    if (!isSafeEntryName(entry.name)) continue;
    const local = joinRemote(dir, entry.name);
    if (entry.type === "dir") {
      await fs.mkdir(local, { parents: true });
      await downloadTree(s, entry.path, fs, local, options, depth + 1, closes);
    } else if (entry.type === "file") {
      await closes.add((await downloadFile(s, entry.path, fs, local, entry.size, options)).closed);
    }
  }
}

async function downloadFile(
  s: ClientSession,
  remote: string,
  fs: PathIO,
  local: string,
  size: number | undefined,
  options: CopyOptions,
): Promise<{ closed: Promise<void> }> {
  throwIfAborted(options.signal);
  let offset = 0;
  if (options.resume) {
    const st = await fs.stat(local).catch(() => undefined);
    if (st?.type === "file") offset = st.size;
    if (size === undefined) size = await fileSize(s, remote).catch(() => undefined);
    if (size !== undefined && offset === size) return { closed: Promise.resolve() };
    if (size !== undefined && offset > size) offset = 0;
  }
  // Open the local file while EPSV/PASV is on the wire; RETR waits for it.
  const opening = fs.openWrite(local, offset > 0 ? { offset } : {});
  opening.catch(() => {}); // Handled below.
  let source: ReadableStream<Uint8Array>;
  try {
    source = await openRetrieve(s, remote, {
      ...fileOptions(options, remote),
      ...downloadLimit(undefined, size === undefined ? undefined : size - offset, options.stopAtSize),
      offset,
      ...(size !== undefined ? { total: size - offset } : {}),
      ready: opening,
    });
  } catch (e) {
    const sink = await opening.catch(() => undefined);
    await sink?.abort(e).catch(() => {});
    throw e;
  }
  return await copyIntoFile(source, await opening);
}

/**
 * Copy a download into its local file (the storage's write stream gathers the socket's small
 * chunks into large writes itself, and writes what it accepted even when the copy fails, so a
 * resume continues from the local size). Resolves once the transfer is over (the queue is free
 * for the next command); the file's close may still be under way: `closed` settles with it
 * (and rejects with any write or close error).
 */
async function copyIntoFile(
  source: ReadableStream<Uint8Array>,
  sink: WritableStream<Uint8Array>,
): Promise<{ closed: Promise<void> }> {
  let closed: Promise<void> = Promise.resolve();
  await copyStream(source, sink, { deferClose: (c) => (closed = c) });
  return { closed };
}

/**
 * The local file of a tree download still closing while the next transfer starts: at most
 * one, so its close (a thread-pool trip on Node) overlaps the network, and its error is
 * still thrown, by the next {@linkcode PendingClose.add} or {@linkcode PendingClose.flush}.
 */
class PendingClose {
  #pending: Promise<void> | undefined;

  /** Track `closed`; wait for the one before it. */
  async add(closed: Promise<void>): Promise<void> {
    const previous = this.#pending;
    this.#pending = closed;
    if (previous) await previous;
  }

  /** Wait for the last one. */
  async flush(): Promise<void> {
    const pending = this.#pending;
    this.#pending = undefined;
    if (pending) await pending;
  }
}

function safeLocalName(name: string): string {
  if (!isSafeEntryName(name)) {
    throw new FtpError(
      `"${name}" cannot be used as a local name: pass writeInto with an explicit target.`,
    );
  }
  return name;
}
