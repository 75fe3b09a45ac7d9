/**
 * A real S3 server on loopback for the tests: OpenStack Swift 2.30 (Debian packages) with its
 * `s3api` middleware and `tempauth`, plus memcached — one replica on one directory device,
 * every server on 127.0.0.1 ports below 32768 (the ephemeral range above could be taken by an
 * outgoing connection before a server binds), config and rings in a temp dir. Start to ready
 * takes about two seconds. The facts behind the setup are in /work/shared/notes/s3-server.md.
 *
 * When Swift is missing and we run as root, it is installed with apt-get (policy-rc.d keeps
 * the packages' services from starting); elsewhere the suites are skipped, except under
 * `CI=true`, where a missing server fails.
 *
 * @module
 */

import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { existsSync, openSync, closeSync, writeFileSync, chmodSync } from "node:fs";
import { mkdir, mkdtemp, writeFile } from "node:fs/promises";
import { userInfo } from "node:os";
import { join } from "node:path";
import process from "node:process";
import { S3Client } from "../../../src/fs/s3/_s3_client.ts";
import { S3PathIO, type S3PathIOOptions } from "../../../src/fs/s3/s3_path_io.ts";
import { Server, type ServerOptions } from "../../../src/server/mod.ts";
import { IN_CI, PYTHON, removeDir, tempDir } from "../tools.ts";
import { PASSWORD, USER } from "../local_server.ts";
import { type Closable, disposable } from "../disposable.ts";
import { freePorts } from "../ports.ts";

/** The Debian packages the server needs (the same list is in `.ci/run`). */
export const SWIFT_PACKAGES = [
  "swift",
  "swift-proxy",
  "swift-object",
  "swift-container",
  "swift-account",
  "python3-swift",
  "memcached",
] as const;

/** tempauth's account and user: the S3 access key has a colon in it. */
export const S3_ACCESS_KEY = "test:tester";
/** tempauth's password: the S3 secret key. */
export const S3_SECRET_KEY = "testing";
/** The region s3api signs for. */
export const S3_REGION = "us-east-1";

const SERVERS = ["account", "container", "object", "proxy"] as const;

function swiftPresent(): boolean {
  return existsSync("/usr/bin/swift-proxy-server") && existsSync("/usr/bin/memcached") &&
    spawnSync(PYTHON, ["-c", "import swift.common.middleware.s3api"], { stdio: "ignore", timeout: 20_000 }).status === 0;
}

let installTried = false;

/** Install Swift with apt-get when missing and we are root (once per process). */
function ensureSwift(): boolean {
  if (swiftPresent()) return true;
  if (installTried || process.getuid?.() !== 0 || !existsSync("/usr/bin/apt-get")) return false;
  installTried = true;
  if (!existsSync("/usr/sbin/policy-rc.d")) {
    writeFileSync("/usr/sbin/policy-rc.d", "#!/bin/sh\nexit 101\n");
    chmodSync("/usr/sbin/policy-rc.d", 0o755);
  }
  const env = { ...process.env, DEBIAN_FRONTEND: "noninteractive" };
  let r = spawnSync("apt-get", ["install", "-y", "-qq", ...SWIFT_PACKAGES], { stdio: "ignore", env, timeout: 300_000 });
  if (r.status !== 0) {
    spawnSync("apt-get", ["update", "-qq"], { stdio: "ignore", env, timeout: 300_000 });
    r = spawnSync("apt-get", ["install", "-y", "-qq", ...SWIFT_PACKAGES], { stdio: "ignore", env, timeout: 300_000 });
  }
  return swiftPresent();
}

/**
 * `false` when the S3 suites can run (Swift present or installed now), else a skip reason;
 * under `CI=true` always `false`, so a missing server fails the tests.
 *
 * @returns `false` or the skip reason.
 * @example
 * ```ts
 * describe("S3", { skip: skipUnlessS3() }, () => {});
 * ```
 */
export function skipUnlessS3(): false | string {
  return ensureSwift() || IN_CI ? false : "OpenStack Swift is not installed (apt-get install swift-proxy ...; the test fails in CI)";
}

/** A running Swift with its S3 API. */
export interface S3Server extends Closable {
  /** `http://127.0.0.1:PORT` of the S3 API. */
  readonly endpoint: string;
  /** Create a bucket (retrying while the servers finish starting). */
  createBucket(name: string): Promise<void>;
  /** A raw client on a bucket, to look behind the storage's back. */
  client(bucket: string): S3Client;
  /** Kill every server and remove the data. */
  close(): Promise<void>;
}

function serverConf(name: string, port: number, dir: string, devices: string, workers: string): string {
  const common = `[DEFAULT]
bind_ip = 127.0.0.1
bind_port = ${port}
workers = ${workers}
user = ${userInfo().username}
swift_dir = ${dir}
devices = ${devices}
mount_check = false
log_level = WARNING
disable_fallocate = true

[filter:healthcheck]
use = egg:swift#healthcheck
`;
  const app = name === "object"
    // A container update slower than the default 1 s goes to async-pending and a listing
    // right after the write misses the object: wait for it instead.
    ? "[app:object-server]\nuse = egg:swift#object\ncontainer_update_timeout = 30\n"
    : `[app:${name}-server]\nuse = egg:swift#${name}\n`;
  return `${common}\n[pipeline:main]\npipeline = healthcheck ${name}-server\n\n${app}`;
}

function proxyConf(port: number, memcachePort: number, dir: string, workers: string): string {
  const filters = ["catch_errors", "gatekeeper", "proxy_logging", "listing_formats", "copy", "slo", "dlo"]
    .map((f) => `[filter:${f.replace("_logging", "-logging")}]\nuse = egg:swift#${f}\n`).join("\n");
  return `[DEFAULT]
bind_ip = 127.0.0.1
bind_port = ${port}
workers = ${workers}
user = ${userInfo().username}
swift_dir = ${dir}
log_level = WARNING

[pipeline:main]
pipeline = catch_errors gatekeeper healthcheck proxy-logging cache listing_formats s3api tempauth copy slo dlo proxy-logging proxy-server

[app:proxy-server]
use = egg:swift#proxy
account_autocreate = true
node_timeout = 30
recheck_container_existence = 0
recheck_account_existence = 0

[filter:tempauth]
use = egg:swift#tempauth
user_test_tester = ${S3_SECRET_KEY} .admin

[filter:s3api]
use = egg:swift#s3api
location = ${S3_REGION}

[filter:cache]
use = egg:swift#memcache
memcache_servers = 127.0.0.1:${memcachePort}

[filter:healthcheck]
use = egg:swift#healthcheck

${filters}`;
}

const RINGS = `
import sys
from swift.common.ring import RingBuilder
d = sys.argv[1]
for name, port in zip(("account", "container", "object"), sys.argv[2:5]):
    b = RingBuilder(6, 1, 1)
    b.add_dev({"id": 0, "region": 1, "zone": 1, "ip": "127.0.0.1", "port": int(port), "device": "d1", "weight": 100})
    b.rebalance()
    b.get_ring().save("%s/%s.ring.gz" % (d, name))
`;

/**
 * Where the objects live: a directory in /dev/shm when it takes the `user.*` extended
 * attributes Swift keeps its metadata in (tmpfs does since Linux 6.6), else `dir/srv`.
 * Swift fsyncs every object and container update; on a disk shared with other busy processes
 * those syncs stretched one test from 2 s to 10 min, in memory they cost nothing.
 */
async function devicesDir(dir: string): Promise<string> {
  if (existsSync("/dev/shm")) {
    const shm = await mkdtemp("/dev/shm/anyftp-swift-");
    const probe = spawnSync(PYTHON, ["-c", "import os, sys; os.setxattr(sys.argv[1], 'user.swift.probe', b'1')", shm], {
      stdio: "ignore",
      timeout: 20_000,
    });
    if (probe.status === 0) return shm;
    await removeDir(shm);
  }
  return join(dir, "srv");
}

const running = new Set<ChildProcess>();

/**
 * SIGKILL a server and its workers: each Swift server leads its own process group (with
 * `workers` > 0 the workers are in it, and would outlive a killed parent); memcached and a
 * server that has not made its group yet are killed alone.
 */
function killTree(child: ChildProcess): void {
  try {
    process.kill(-child.pid!, "SIGKILL");
  } catch {
    // no such group
  }
  child.kill("SIGKILL");
}

process.on("exit", () => {
  for (const child of running) killTree(child);
});

/** Options for {@linkcode startS3Server}. */
export interface S3ServerOptions {
  /**
   * Swift's `workers` setting of every server: `0` runs each server as one process (what the
   * tests use: the least memory and start-up), `"auto"` one worker per core (Swift's own
   * default, as Swift is deployed; what the benchmark uses), or a count. @default 0
   */
  readonly workers?: number | "auto" | undefined;
  /**
   * CPUs that Swift and memcached may run on (`taskset -c` syntax, e.g. `"0"`), so that on a
   * small machine the S3 server does not take the cores of the process being measured, as
   * when S3 runs on other hosts (the benchmark's `BENCH_PIN`). @default every CPU
   */
  readonly cpus?: string | undefined;
}

/**
 * Start Swift with its S3 API on loopback and wait until every server answers its
 * healthcheck.
 *
 * @param options Swift's worker processes and CPUs.
 * @returns The running server; call `close()` in teardown.
 * @example
 * ```ts
 * const s3 = await startS3Server();
 * await s3.createBucket("test");
 * await s3.close();
 * ```
 */
export async function startS3Server(options: S3ServerOptions = {}): Promise<S3Server> {
  const workers = String(options.workers ?? 0);
  if (!ensureSwift()) throw new Error("OpenStack Swift is not installed: apt-get install " + SWIFT_PACKAGES.join(" "));
  const dir = await tempDir("swift");
  const devices = await devicesDir(dir);
  const [proxyPort, accountPort, containerPort, objectPort, memcachePort] = await freePorts(5);
  const ports = { account: accountPort!, container: containerPort!, object: objectPort!, proxy: proxyPort! };
  await mkdir(join(devices, "d1"), { recursive: true });
  for (const name of SERVERS) {
    const conf = name === "proxy" ? proxyConf(proxyPort!, memcachePort!, dir, workers) : serverConf(name, ports[name], dir, devices, workers);
    await writeFile(join(dir, `${name}.conf`), conf);
  }
  const rings = spawnSync(PYTHON, ["-c", RINGS, dir, String(accountPort), String(containerPort), String(objectPort)], {
    encoding: "utf8",
    timeout: 60_000,
  });
  if (rings.status !== 0) {
    await removeDir(dir);
    await removeDir(devices);
    throw new Error(`building Swift rings failed: ${rings.stderr}`);
  }
  const children: ChildProcess[] = [];
  const launch = (cmd: string, args: string[], log: string) => {
    const fd = openSync(join(dir, log), "a");
    // Workers that the servers fork inherit the affinity.
    const pinned = options.cpus === undefined ? [cmd, ...args] : ["taskset", "-c", options.cpus, cmd, ...args];
    const child = spawn(pinned[0]!, pinned.slice(1), { stdio: ["ignore", fd, fd] });
    closeSync(fd);
    child.on("error", () => {});
    running.add(child);
    children.push(child);
  };
  const close = async () => {
    for (const child of children) {
      if (child.exitCode === null && child.signalCode === null) {
        const gone = new Promise((resolve) => child.once("exit", resolve));
        killTree(child);
        await gone;
      } else if (child.pid !== undefined) {
        killTree(child); // its workers, if any, may still run
      }
      running.delete(child);
    }
    await removeDir(dir);
    await removeDir(devices);
  };
  try {
    launch("/usr/bin/memcached", ["-l", "127.0.0.1", "-p", String(memcachePort), "-U", "0", "-m", "64", "-u", "root"], "memcached.log");
    for (const name of SERVERS) launch(PYTHON, [`/usr/bin/swift-${name}-server`, join(dir, `${name}.conf`)], `${name}.log`);
    // The S3 endpoint answers before the storage servers are up: wait for every healthcheck.
    const deadline = Date.now() + 60_000;
    for (const name of SERVERS) {
      for (;;) {
        const ok = await fetch(`http://127.0.0.1:${ports[name]}/healthcheck`).then((r) => r.ok, () => false);
        if (ok) break;
        if (Date.now() > deadline) throw new Error(`Swift ${name} server did not start; logs in ${dir}`);
        if (children.some((c) => c.exitCode !== null)) throw new Error(`a Swift server exited; logs in ${dir}`);
        await new Promise((r) => setTimeout(r, 50));
      }
    }
  } catch (e) {
    await close();
    throw e;
  }
  const endpoint = `http://127.0.0.1:${proxyPort}`;
  const client = (bucket: string) =>
    new S3Client({
      endpoint,
      region: S3_REGION,
      bucket,
      credentials: { accessKeyId: S3_ACCESS_KEY, secretAccessKey: S3_SECRET_KEY },
      pathStyle: true,
      fetch,
      maxAttempts: 10,
      retryDelayMs: 100,
      timeoutMs: 60_000,
    });
  return disposable<S3Server>({
    endpoint,
    client,
    async createBucket(name) {
      const res = await client(name).send({ method: "PUT", key: "", accept: [409] });
      await res.body?.cancel();
    },
    close,
  });
}

/** Options for {@linkcode startS3FtpServer}. */
export interface S3FtpServerOptions {
  /** Bucket to serve. */
  readonly bucket: string;
  /** Key prefix served as `/`. @default "" */
  readonly prefix?: string;
  /** Part size of uploads. @default 8 MiB */
  readonly partSize?: number;
  /** Address to listen on. @default "127.0.0.1" */
  readonly hostname?: string;
  /** More storage options (credentials, fetch, retries, …). @default none */
  readonly storageOptions?: Partial<S3PathIOOptions>;
  /** More server options (passive address and ports, …). @default none */
  readonly serverOptions?: Omit<ServerOptions, "users" | "storage">;
}

/** Our FTP server on S3PathIO, listening on loopback. */
export interface S3FtpServer extends Closable {
  /** The server. */
  readonly server: Server;
  /** The storage every session shares. */
  readonly storage: S3PathIO;
  /** Its control port. */
  readonly port: number;
  /** `ftp://HOST:PORT`. */
  readonly url: string;
  /** Stop the server. */
  close(): Promise<void>;
}

/**
 * Start our server (in this runtime) with one user on an S3PathIO of `s3`.
 *
 * @param s3 The running S3 server.
 * @param options Bucket, prefix, part size, server options.
 * @returns The server; call `close()` in teardown.
 * @example
 * ```ts
 * const ftp = await startS3FtpServer(s3, { bucket: "b" });
 * await ftp.close();
 * ```
 */
export async function startS3FtpServer(s3: S3Server, options: S3FtpServerOptions): Promise<S3FtpServer> {
  const storage = new S3PathIO({
    endpoint: s3.endpoint,
    bucket: options.bucket,
    prefix: options.prefix,
    credentials: { accessKeyId: S3_ACCESS_KEY, secretAccessKey: S3_SECRET_KEY },
    ...(options.partSize ? { partSize: options.partSize } : {}),
    ...options.storageOptions,
  });
  const server = new Server({ users: [{ login: USER, password: PASSWORD }], storage, ...options.serverOptions });
  const hostname = options.hostname ?? "127.0.0.1";
  await server.listen({ hostname, port: 0 });
  const port = server.address.port;
  return disposable<S3FtpServer>({ server, storage, port, url: `ftp://${hostname}:${port}`, close: () => server.close() });
}
