/**
 * Real third-party FTP servers for the client's interop tests, started in the foreground on
 * 127.0.0.1 with a temporary root and config, and killed in teardown: vsftpd (Debian
 * package), pyftpdlib and aioftp's server (`/usr/bin/python3`), and our own server on a
 * temporary directory. When a peer is missing the test fails under CI and is skipped
 * elsewhere. Importable without node:test (bench/ uses it). The SOCKS5 servers are in
 * `socks.ts`, HAProxy in `haproxy.ts`, Swift in `swift.ts`.
 *
 * @module
 */

import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import process from "node:process";
import { join } from "node:path";
import { type Closable, disposable } from "../disposable.ts";
import { freePort, freePorts } from "../ports.ts";
import { stop, waitForPort } from "./_process.ts";

/** A running server. */
export interface RealServer extends Closable {
  readonly name: string;
  readonly host: string;
  readonly port: number;
  readonly user: string;
  readonly password: string;
  /** The directory the user sees as `/`. */
  readonly root: string;
  /** `ftp://user:password@host:port` */
  readonly url: string;
  close(): Promise<void>;
}

/** Whether a peer is available; under CI a missing peer is an error. */
export function havePeer(kind: "vsftpd" | "pyftpdlib" | "aioftp"): boolean {
  const ok = kind === "vsftpd" ? existsSync("/usr/sbin/vsftpd") : existsSync("/usr/bin/python3") &&
    spawnSync("/usr/bin/python3", ["-c", `import ${kind}`]).status === 0;
  if (!ok && process.env.CI) {
    throw new Error(`${kind} is not installed (CI requires it): apt-get install it`);
  }
  return ok;
}


/** A new temporary directory with an empty `root` inside. */
function tempRoot(label: string): { dir: string; root: string } {
  const dir = mkdtempSync(join(tmpdir(), `anyftp-${label}-`));
  const root = join(dir, "root");
  spawnSync("mkdir", ["-p", root]);
  return { dir, root };
}

/** A server run by `child` on 127.0.0.1:`port`, stopped and its directory removed on close. */
function childServer(
  name: string,
  child: ChildProcess,
  where: { port: number; dir: string; root: string },
  login: { user: string; password: string; url: string },
): RealServer {
  return disposable<RealServer>({
    name,
    host: "127.0.0.1",
    port: where.port,
    root: where.root,
    ...login,
    async close() {
      await stop(child);
      rmSync(where.dir, { recursive: true, force: true });
    },
  });
}

/** Options of {@linkcode startVsftpd}. */
export interface VsftpdOptions {
  /** Extra config lines. */
  readonly extra?: readonly string[];
}

/**
 * Start vsftpd with anonymous write access rooted in a new temporary directory.
 *
 * @param options Extra config.
 * @returns The server.
 */
export async function startVsftpd(options: VsftpdOptions = {}): Promise<RealServer> {
  const { dir, root } = tempRoot("vsftpd");
  const port = await freePort();
  const pasvBase = (await freePorts(50))[0]!;
  const conf = [
    "listen=YES",
    "listen_ipv6=NO",
    "listen_address=127.0.0.1",
    `listen_port=${port}`,
    "background=NO",
    "anonymous_enable=YES",
    "no_anon_password=YES",
    `anon_root=${root}`,
    "anon_upload_enable=YES",
    "anon_mkdir_write_enable=YES",
    "anon_other_write_enable=YES",
    "anon_umask=022",
    "anon_world_readable_only=NO",
    "local_enable=NO",
    "write_enable=YES",
    "seccomp_sandbox=NO",
    "run_as_launching_user=YES",
    "pasv_enable=YES",
    `pasv_min_port=${pasvBase}`,
    `pasv_max_port=${pasvBase + 49}`,
    "pasv_address=127.0.0.1",
    "port_enable=YES",
    "connect_from_port_20=NO",
    "xferlog_enable=NO",
    "userlist_enable=NO",
    "check_shell=NO",
    `secure_chroot_dir=${dir}`,
    "max_clients=200",
    "max_per_ip=200",
    "idle_session_timeout=120",
    ...(options.extra ?? []),
  ];
  const confPath = join(dir, "vsftpd.conf");
  writeFileSync(confPath, conf.join("\n") + "\n");
  const child = spawn("/usr/sbin/vsftpd", [confPath], { stdio: ["ignore", "ignore", "pipe"] });
  await waitForPort(port, child, "vsftpd");
  return childServer("vsftpd", child, { port, dir, root }, {
    user: "anonymous",
    password: "anon@",
    url: `ftp://anonymous:anon%40@127.0.0.1:${port}`,
  });
}

/** Options of {@linkcode startPyftpdlib}. */
export interface PyftpdlibOptions {
  /** Commands to remove from the handler (e.g. `["MLSD", "MLST"]`, `["EPSV"]`). */
  readonly disable?: readonly string[];
  /** PASV replies name this address (pyftpdlib's masquerade_address). */
  readonly masquerade?: string;
  /** Greeting text (may be many lines). */
  readonly banner?: string;
  /** Extra lines every MLSD and LIST reply carries, as [mlsdLine, listLine] (hostile names). */
  readonly injectListing?: readonly (readonly [string, string])[];
  /** Seconds to sleep per 8 KiB chunk sent (slow RETR for ABOR tests). */
  readonly slowRetr?: number;
}

const PY = String.raw`
import json, os, sys, time
from pyftpdlib.authorizers import DummyAuthorizer
from pyftpdlib.handlers import FTPHandler, DTPHandler
from pyftpdlib.servers import FTPServer
from pyftpdlib.filesystems import AbstractedFS
cfg = json.loads(os.environ["ANYFTP_PY_CFG"])
auth = DummyAuthorizer()
auth.add_user(cfg["user"], cfg["password"], cfg["root"], perm="elradfmwMT")
inject = cfg.get("inject") or []
class FS(AbstractedFS):
    def format_mlsx(self, basedir, listing, perms, facts, ignore_err=True):
        for line in AbstractedFS.format_mlsx(self, basedir, listing, perms, facts, ignore_err):
            yield line
        for m, _ in inject:
            yield (m + "\r\n").encode("utf8")
    def format_list(self, basedir, listing, ignore_err=True):
        for line in AbstractedFS.format_list(self, basedir, listing, ignore_err):
            yield line
        for _, l in inject:
            yield (l + "\r\n").encode("utf8")
class DTP(DTPHandler):
    ac_out_buffer_size = 8192
    def initiate_send(self):
        if cfg.get("slow"):
            time.sleep(cfg["slow"])
        return DTPHandler.initiate_send(self)
class Handler(FTPHandler):
    pass
Handler.authorizer = auth
Handler.abstracted_fs = FS
Handler.dtp_handler = DTP
Handler.permit_foreign_addresses = False
if cfg.get("slow"):
    Handler.use_sendfile = False
if cfg.get("banner"):
    Handler.banner = cfg["banner"]
if cfg.get("masquerade"):
    Handler.masquerade_address = cfg["masquerade"]
disabled = set(cfg.get("disable") or [])
Handler.proto_cmds = {k: v for k, v in FTPHandler.proto_cmds.items() if k not in disabled}
import logging
logging.basicConfig(level=logging.CRITICAL)
server = FTPServer(("127.0.0.1", 0), Handler)
server.max_cons = 256
print("PORT", server.address[1], flush=True)
server.serve_forever(timeout=0.5)
`;

/**
 * Start pyftpdlib with a user rooted in a new temporary directory.
 *
 * @param options Disabled commands, masquerade address, banner, injected listing lines.
 * @returns The server.
 */
export async function startPyftpdlib(options: PyftpdlibOptions = {}): Promise<RealServer> {
  const { dir, root } = tempRoot("pyftpdlib");
  const cfg = {
    user: "alice",
    password: "s3cret",
    root,
    disable: options.disable ?? [],
    masquerade: options.masquerade,
    banner: options.banner,
    inject: options.injectListing ?? [],
    slow: options.slowRetr,
  };
  const child = spawn("/usr/bin/python3", ["-c", PY], {
    stdio: ["ignore", "pipe", "pipe"],
    env: { ...process.env, ANYFTP_PY_CFG: JSON.stringify(cfg) },
  });
  let stderr = "";
  child.stderr!.on("data", (d) => (stderr += String(d)).slice(-4000));
  const port = await new Promise<number>((resolve, reject) => {
    let out = "";
    const timer = setTimeout(() => reject(new Error(`pyftpdlib did not start: ${stderr}`)), 10_000);
    child.stdout!.on("data", (d) => {
      out += String(d);
      const m = /PORT (\d+)\n/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(Number(m[1]));
      }
    });
    child.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`pyftpdlib exited with ${code}: ${stderr}`));
    });
  });
  return childServer("pyftpdlib", child, { port, dir, root }, {
    user: "alice",
    password: "s3cret",
    url: `ftp://alice:s3cret@127.0.0.1:${port}`,
  });
}

/**
 * Start aioftp's own server (`python3 -m aioftp`: MLSD/MLST and LIST, no SIZE or MDTM) with a
 * user rooted in a new temporary directory.
 *
 * @returns The server.
 */
export async function startAioftp(): Promise<RealServer> {
  const { dir, root } = tempRoot("aioftp");
  const port = await freePort();
  const child = spawn("/usr/bin/python3", [
    "-m",
    "aioftp",
    "--user",
    "alice",
    "--pass",
    "s3cret",
    "-d",
    root,
    "-q",
    "--host",
    "127.0.0.1",
    "--port",
    String(port),
    "--family",
    "ipv4",
  ], { stdio: ["ignore", "ignore", "ignore"] });
  await waitForPort(port, child, "aioftp");
  return childServer("aioftp", child, { port, dir, root }, {
    user: "alice",
    password: "s3cret",
    url: `ftp://alice:s3cret@127.0.0.1:${port}`,
  });
}


/** Options of {@linkcode startAnyftp}. */
export interface AnyftpOptions {
  /** Commands to switch off (answered 502). */
  readonly disable?: readonly string[];
  /** Certificate and key for AUTH TLS. */
  readonly tls?: { readonly cert: string; readonly key: string };
}

/**
 * Start our own server (anyftp's `Server`) in this process through `startTestServer` of
 * `anyftp/testing`, with a user whose storage is a LocalPathIO on a new temporary directory
 * (the tests look at the files on disk).
 *
 * @param options Disabled commands.
 * @returns The server.
 */
export async function startAnyftp(options: AnyftpOptions = {}): Promise<RealServer> {
  const { startTestServer } = await import("../../../src/testing/mod.ts");
  const { LocalPathIO } = await import("../../../src/fs/local_path_io.ts");
  const dir = mkdtempSync(join(tmpdir(), "anyftp-own-"));
  const root = join(dir, "root");
  spawnSync("mkdir", ["-p", root]);
  const server = await startTestServer({
    users: [{ login: "alice", password: "s3cret" }],
    storage: new LocalPathIO({ root }),
    disabledCommands: options.disable ?? [],
    ...(options.tls ? { tls: options.tls } : {}),
  });
  return disposable<RealServer>({
    name: "anyftp",
    host: server.hostname,
    port: server.port,
    user: "alice",
    password: "s3cret",
    root,
    url: server.url,
    async close() {
      await server.close();
      rmSync(dir, { recursive: true, force: true });
    },
  });
}
