/**
 * One timed client job for bench/run.ts, run in its own process so each
 * runtime is measured alone: `_job.ts LIB OP HOST PORT USER PASSWORD REMOTE LOCAL`.
 *
 * - LIB: `anyftp` (our Client, any runtime) or `basic-ftp` (the npm library, Node).
 * - OP: `down` (file REMOTE → LOCAL), `up` (LOCAL → REMOTE), `down-tree` (directory REMOTE's
 *   files → directory LOCAL), `up-tree` (directory LOCAL → directory REMOTE).
 *
 * Prints one JSON line: `{"seconds": …}`, from before connecting to after QUIT.
 *
 * @module
 */
import process from "node:process";
import { Client } from "../../src/client/client.ts";

const [lib, op, host, port, user, password, remote, local] = process.argv.slice(2);
if (!local) throw new Error("usage: _job.ts LIB OP HOST PORT USER PASSWORD REMOTE LOCAL");

async function anyftp(): Promise<void> {
  await using client = await Client.connect({ host: host!, port: Number(port), user, password });
  if (op === "down" && local === "/dev/null") {
    // the API's stream, drained: what `curl -o /dev/null` does (download() refuses to write
    // into a device file, by design)
    const reader = (await client.downloadStream(remote!)).getReader();
    while (!(await reader.read()).done);
  } else if (op === "down") await client.download(remote!, local!, { writeInto: true });
  else if (op === "up") await client.upload(local!, remote!, { writeInto: true });
  else if (op === "down-tree") await client.download(remote!, local!, { writeInto: true });
  else if (op === "up-tree") await client.upload(local!, remote!, { writeInto: true });
  else throw new Error(`unknown op ${op}`);
}

async function basicFtp(): Promise<void> {
  const ftp = await import("basic-ftp");
  const client = new ftp.Client(60_000);
  try {
    await client.access({ host: host!, port: Number(port), user: user!, password: password! });
    if (op === "down") await client.downloadTo(local!, remote!);
    else if (op === "up") await client.uploadFrom(local!, remote!);
    else if (op === "down-tree") await client.downloadToDir(local!, remote!);
    else if (op === "up-tree") await client.uploadFromDir(local!, remote!);
    else throw new Error(`unknown op ${op}`);
  } finally {
    client.close();
  }
}

const t0 = performance.now();
if (lib === "anyftp") await anyftp();
else if (lib === "basic-ftp") await basicFtp();
else throw new Error(`unknown library ${lib}`);
const seconds = (performance.now() - t0) / 1000;
process.stdout.write(JSON.stringify({ seconds }) + "\n");
process.exit(0);
