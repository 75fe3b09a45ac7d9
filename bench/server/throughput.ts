/**
 * Server throughput, side by side with real peers, in one run: anyftp's server on Node, Deno
 * and Bun (each `anyftp serve DIR -w` in its own process, LocalPathIO on a tmpfs directory),
 * vsftpd and pyftpdlib — all driven by the same external clients, curl and lftp:
 *
 * - `retr`: RETR of a BENCH_MIB (512) MiB file, `curl -o /dev/null`;
 * - `stor`: STOR of a file of the same size, `curl -T`;
 * - `retr-small` / `stor-small`: BENCH_FILES (2,000) files of 4 KiB over one control connection
 *   and a data connection per file, `lftp mirror` and `mirror -R` (not curl's URL globbing:
 *   curl 7.88 stalls 1 s on some reused-connection EPSV transfers, more often the faster the
 *   server answers — see bench/server/README.md);
 * - `list-burst`: BENCH_CLIENTS (50) concurrent clients, each connecting, logging in, listing a
 *   100-entry directory and quitting (Python ftplib in threads, bench/server/_burst.py; curl -Z
 *   hits the same 1 s stall, and one stalled client decides a burst's time).
 *
 * Each measurement is repeated BENCH_RUNS (3) times, rounds interleaved across servers (so
 * outside load drifts over all of them alike), and the median is reported with the ratio to
 * vsftpd and to pyftpdlib, the server's peak RSS (VmRSS summed over its process tree; vsftpd
 * forks per session) and the server's CPU time. Results go to bench/results/server-throughput.json
 * and the tables into bench/server/README.md.
 *
 * `npm run bench:server` (= `deno run -A bench/server/throughput.ts`). Environment:
 * BENCH_MIB, BENCH_FILES, BENCH_CLIENTS, BENCH_RUNS, BENCH_SERVERS ("node deno bun vsftpd
 * pyftpdlib"), BENCH_TESTS, BENCH_NO_README=1 (print only), BENCH_MAX_LOAD (1.5).
 * Linux only (/proc, /dev/shm).
 *
 * @module
 */
import { randomBytes } from "node:crypto";
import {
  closeSync,
  existsSync,
  linkSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readdirSync,
  rmSync,
  statSync,
  writeFileSync,
  writeSync,
} from "node:fs";
import { join } from "node:path";
import process from "node:process";
import {
  type BenchServer,
  buildForNode,
  codeVersion,
  loadAverage,
  machineFacts,
  median,
  ratio,
  replaceSection,
  REPO,
  run,
  type RunResult,
  type Runtime,
  RUNTIMES,
  sleep,
  startOurs,
  startPeer,
  timeWaitCount,
  treeRssKiB,
  versionOf,
  waitForQuiet,
} from "./_bench_lib.ts";

const env = process.env;
const MIB = Number(env.BENCH_MIB ?? 512);
const FILES = Number(env.BENCH_FILES ?? 2000);
const CLIENTS = Number(env.BENCH_CLIENTS ?? 50);
const RUNS = Number(env.BENCH_RUNS ?? 3);
const LIST_ENTRIES = 100;
const SMALL = 4096;
const SERVERS = (env.BENCH_SERVERS ?? "node deno bun node-range vsftpd pyftpdlib").split(/\s+/)
  .filter(
    Boolean,
  );
const TESTS = (env.BENCH_TESTS ?? "retr stor retr-small stor-small list-burst").split(/\s+/).filter(
  Boolean,
);
const BYTES = MIB * 1024 * 1024;
const TW_LIMIT = Number(env.BENCH_TIME_WAIT_LIMIT ?? 6000);
const CURL = ["-sS", "--max-time", "300"];

/** Everything lives on tmpfs so the disk does not decide the result. */
const SHM = existsSync("/dev/shm") ? "/dev/shm" : (env.TMPDIR ?? "/tmp");
env.TMPDIR = SHM; // the peers' launchers make their roots under tmpdir()

interface Sample {
  readonly server: string;
  readonly test: string;
  readonly round: number;
  /** MiB/s for retr/stor, files/s for the small files, listings/s for the burst. */
  readonly rate: number;
  readonly seconds: number;
  readonly peakRssKiB: number;
  readonly serverCpu: number;
  readonly clientCpu: number;
  readonly otherCpu: number;
  readonly listenOverflows: number;
  /** TIME_WAIT sockets on the machine when the measurement started. */
  readonly timeWait: number;
  readonly load: number;
}

const fixtures = mkdtempSync(join(SHM, "anyftp-bench-src-"));
const servers: BenchServer[] = [];
const idleRss = new Map<string, number>();

function die(message: string): never {
  throw new Error(message);
}

/** Source data: one big random file, FILES small ones, LIST_ENTRIES to list. */
function makeFixtures(): void {
  const big = join(fixtures, "big.bin");
  // 1 MiB of random bytes, each MiB made distinct by its index: incompressible, cheap to write
  const block = new Uint8Array(randomBytes(1 << 20));
  const fd = openSync(big, "w");
  for (let i = 0; i < MIB; i++) {
    new DataView(block.buffer).setUint32(0, i);
    writeSync(fd, block);
  }
  closeSync(fd);
  if (statSync(big).size !== BYTES) die("fixture size mismatch");
  mkdirSync(join(fixtures, "small"));
  for (let i = 1; i <= FILES; i++) {
    writeFileSync(join(fixtures, "small", smallName(i)), randomBytes(SMALL));
  }
  mkdirSync(join(fixtures, "list"));
  for (let i = 1; i <= LIST_ENTRIES; i++) {
    writeFileSync(join(fixtures, "list", `l${String(i).padStart(3, "0")}.txt`), "x");
  }
}

function smallName(i: number): string {
  return `f${String(i).padStart(4, "0")}.bin`;
}

/** Hard-link the fixtures into a server's root (same tmpfs), plus empty upload directories. */
function populate(root: string): void {
  linkSync(join(fixtures, "big.bin"), join(root, "big.bin"));
  for (const d of ["small", "list"]) {
    mkdirSync(join(root, d));
    for (const f of readdirSync(join(fixtures, d))) {
      linkSync(join(fixtures, d, f), join(root, d, f));
    }
  }
  mkdirSync(join(root, "up"));
  mkdirSync(join(root, "upsmall"));
}

/**
 * lftp command line with the same commands for every server: one control connection, PASV,
 * LIST (no FEAT, so no MLSD/MFMT that only some servers offer), no MDTM/SITE UTIME per file,
 * no AUTH TLS attempt, fail on the first error.
 */
function lftpArgs(s: BenchServer, command: string): string[] {
  const settings = [
    "set cmd:fail-exit yes",
    "set net:max-retries 1",
    "set net:timeout 30",
    "set ftp:ssl-allow no",
    "set ftp:use-feat no",
    "set ftp:use-mdtm no",
    "set ftp:use-site-utime off",
    "set ftp:use-site-utime2 off",
  ];
  return [
    "-c",
    `${settings.join("; ")}; open -u ${s.user},${s.password} -p ${s.port} 127.0.0.1; ${command}`,
  ];
}

function check(r: RunResult, what: string): void {
  if (r.code !== 0) die(`${what}: exit ${r.code}: ${r.stderr}`);
}

async function measure(s: BenchServer, test: string): Promise<{ rate: number; r: RunResult }> {
  const opts = { watch: s.pid, timeout: 300 };
  switch (test) {
    case "retr": {
      const r = await run("curl", [
        ...CURL,
        "-o",
        "/dev/null",
        "-w",
        "%{size_download} %{time_total}",
        `${s.url}/big.bin`,
      ], {
        ...opts,
        keepStdout: true,
      });
      check(r, `${s.name} retr`);
      const [size, secs] = r.stdout.split(" ").map(Number);
      if (size !== BYTES) die(`${s.name} retr: got ${size} bytes`);
      return { rate: MIB / secs!, r: { ...r, seconds: secs! } };
    }
    case "stor": {
      const target = join(s.root, "up", "big.bin");
      rmSync(target, { force: true });
      const r = await run("curl", [
        ...CURL,
        "-T",
        join(fixtures, "big.bin"),
        "-w",
        "%{size_upload} %{time_total}",
        `${s.url}/up/big.bin`,
      ], {
        ...opts,
        keepStdout: true,
      });
      check(r, `${s.name} stor`);
      const secs = Number(r.stdout.split(" ")[1]);
      if (statSync(target).size !== BYTES) {
        die(`${s.name} stor: stored ${statSync(target).size} bytes`);
      }
      return { rate: MIB / secs, r: { ...r, seconds: secs } };
    }
    case "retr-small": {
      const out = join(fixtures, `out-${s.port}`);
      rmSync(out, { recursive: true, force: true });
      const r = await run("lftp", lftpArgs(s, `mirror --no-perms small ${out}`), opts);
      check(r, `${s.name} retr-small`);
      const got = readdirSync(out);
      if (got.length !== FILES || got.some((f) => statSync(join(out, f)).size !== SMALL)) {
        die(`${s.name} retr-small: ${got.length} files fetched`);
      }
      rmSync(out, { recursive: true, force: true });
      return { rate: FILES / r.seconds, r };
    }
    case "stor-small": {
      const dir = join(s.root, "upsmall");
      rmSync(dir, { recursive: true, force: true });
      const r = await run(
        "lftp",
        lftpArgs(s, `mirror -R --no-perms ${join(fixtures, "small")} upsmall`),
        opts,
      );
      check(r, `${s.name} stor-small`);
      const got = readdirSync(dir);
      if (got.length !== FILES || got.some((f) => statSync(join(dir, f)).size !== SMALL)) {
        die(`${s.name} stor-small: ${got.length} files stored`);
      }
      return { rate: FILES / r.seconds, r };
    }
    case "list-burst": {
      const r = await run(
        "/usr/bin/python3",
        [
          join(REPO, "bench/server/_burst.py"),
          "127.0.0.1",
          String(s.port),
          s.user,
          s.password,
          String(CLIENTS),
          "list",
        ],
        { ...opts, keepStdout: true },
      );
      check(r, `${s.name} list-burst`);
      const { seconds, lines, errors } = JSON.parse(r.stdout.trim().split("\n").at(-1)!);
      if (errors.length || lines !== CLIENTS * LIST_ENTRIES) {
        die(
          `${s.name} list-burst: ${lines} lines listed, errors ${
            errors.join("; ")
          } ${r.stdout} ${r.stderr}`,
        );
      }
      return { rate: CLIENTS / seconds, r: { ...r, seconds } };
    }
  }
  die(`unknown test ${test}`);
}

async function startAll(): Promise<void> {
  for (const name of SERVERS) {
    let s: BenchServer;
    const runtime = name.replace(/-range$/, "");
    if ((RUNTIMES as readonly string[]).includes(runtime)) {
      const root = mkdtempSync(join(SHM, "anyftp-bench-root-"));
      populate(root);
      // "-range": a fixed passive port range (ports re-bound with SO_REUSEADDR, as vsftpd
      // does) instead of the default any-free-port (bind to port 0)
      const extra = name.endsWith("-range") ? ["--passive-ports", "31000-31999"] : [];
      s = await startOurs(runtime as Runtime, root, extra);
      if (extra.length) s = { ...s, name: `${s.name} (ports 31000-31999)` };
      const close = s.close;
      s = {
        ...s,
        close: async () => (await close(), rmSync(root, { recursive: true, force: true })),
      };
    } else if (name === "vsftpd" || name === "pyftpdlib") {
      s = await startPeer(name);
      populate(s.root);
    } else {
      die(`unknown server ${name}`);
    }
    servers.push(s);
  }
  await sleep(1000);
  // Warm up: load code paths (and JIT a little) before anything is measured.
  for (const s of servers) {
    const r = await run("curl", [
      ...CURL,
      "-o",
      "/dev/null",
      `${s.url}/small/f0001.bin`,
      `${s.url}/list/`,
    ]);
    check(r, `${s.name} warm-up`);
    idleRss.set(s.name, treeRssKiB(s.pid));
  }
}

function unit(test: string): string {
  return test === "retr" || test === "stor"
    ? "MiB/s"
    : test === "list-burst"
    ? "sessions/s"
    : "files/s";
}

const TITLES: Record<string, string> = {
  "retr": `RETR of a ${MIB} MiB file (curl -o /dev/null)`,
  "stor": `STOR of a ${MIB} MiB file (curl -T)`,
  "retr-small": `${FILES} × 4 KiB files downloaded over one control connection (lftp mirror)`,
  "stor-small": `${FILES} × 4 KiB files uploaded over one control connection (lftp mirror -R)`,
  "list-burst":
    `${CLIENTS} concurrent clients, each connect + login + LIST of ${LIST_ENTRIES} entries + QUIT (Python ftplib threads)`,
};

function report(
  samples: Sample[],
  startLoad: number,
  started: Date,
  seconds: number,
  code: string,
): string {
  const lines: string[] = [];
  const others = samples.map((x) => x.otherCpu / x.seconds);
  lines.push(
    `Run ${started.toISOString().slice(0, 16).replace("T", " ")} UTC, ${
      seconds.toFixed(0)
    } s; ${machineFacts()}.`,
  );
  lines.push(`Code measured: ${code}.`);
  lines.push(
    `node ${versionOf("node")}, deno ${versionOf("deno")}, bun ${versionOf("bun")}; vsftpd ${
      versionOf("vsftpd")
    }, ` +
      `pyftpdlib ${versionOf("pyftpdlib")} (python ${versionOf("python3")}); clients curl ${
        versionOf("curl")
      }, lftp ${versionOf("lftp")}, Python ftplib.`,
  );
  lines.push(
    `Load average at start ${
      startLoad.toFixed(2)
    }; CPU used by other processes during the measurements: ` +
      `median ${(median(others) * 100).toFixed(0)}%, max ${
        (Math.max(...others) * 100).toFixed(0)
      }% of one core.`,
  );
  const tws = samples.map((x) => x.timeWait);
  lines.push(
    `TCP sockets in TIME_WAIT when a measurement started (each waits for < ${TW_LIMIT}, up to 70 s): ` +
      `median ${median(tws)}, max ${Math.max(...tws)}.`,
  );
  lines.push(
    `Median of ${RUNS} runs. Ratios: ours ÷ peer (above 1× = anyftp faster). RSS: peak during the test, idle after warm-up in brackets.`,
  );
  lines.push("");
  for (const test of TESTS) {
    lines.push(`##### ${TITLES[test]}`);
    lines.push("");
    const drops = test === "list-burst";
    lines.push(
      `| server | ${
        unit(test)
      } (median) | all runs | vs vsftpd | vs pyftpdlib | peak RSS MiB (idle) | server CPU s |` +
        (drops ? " listen-queue drops |" : ""),
    );
    lines.push("| --- | ---: | ---: | ---: | ---: | ---: | ---: |" + (drops ? " ---: |" : ""));
    const med = (server: string) =>
      median(samples.filter((x) => x.server === server && x.test === test).map((x) => x.rate));
    const fmt = (rate: number) => rate >= 100 ? rate.toFixed(0) : rate.toFixed(1);
    for (const s of servers) {
      const xs = samples.filter((x) => x.server === s.name && x.test === test);
      if (xs.length === 0) continue;
      const rate = med(s.name);
      const peak = Math.max(...xs.map((x) => x.peakRssKiB)) / 1024;
      const cpu = median(xs.map((x) => x.serverCpu));
      const idle = (idleRss.get(s.name) ?? 0) / 1024;
      lines.push(
        `| ${s.name} | ${fmt(rate)} | ${xs.map((x) => fmt(x.rate)).join(", ")} | ` +
          `${ratio(rate, med("vsftpd"))} | ${ratio(rate, med("pyftpdlib"))} | ` +
          `${peak.toFixed(0)} (${idle.toFixed(0)}) | ${cpu.toFixed(2)} |` +
          (drops ? ` ${xs.map((x) => x.listenOverflows).join(", ")} |` : ""),
      );
    }
    lines.push("");
  }
  return lines.join("\n");
}

let exitCode = 0;
const stopAll = async () => {
  for (const s of servers.splice(0)) await s.close().catch(() => {});
  rmSync(fixtures, { recursive: true, force: true });
};
process.on("SIGINT", () => void stopAll().then(() => process.exit(130)));
try {
  const maxLoad = Number(env.BENCH_MAX_LOAD ?? 1.5);
  const startLoad = await waitForQuiet(maxLoad, 600);
  console.error(
    `load ${startLoad.toFixed(2)}; building for Node, writing fixtures in ${fixtures} …`,
  );
  if (SERVERS.includes("node")) buildForNode();
  makeFixtures();
  await startAll();
  const started = new Date();
  const code = codeVersion();
  const t0 = performance.now();
  const samples: Sample[] = [];
  for (let round = 0; round < RUNS; round++) {
    for (const test of TESTS) {
      // rotate the order each round so no server always runs first (or right after another)
      const order = servers.map((_, i) => servers[(i + round) % servers.length]!);
      for (const s of order) {
        // TIME_WAIT sockets left by earlier data connections (ours or other processes')
        // slow down bind(port 0): let them drain (bounded) so no server pays for another's
        let tw = timeWaitCount();
        for (let waited = 0; tw > TW_LIMIT && waited < 70; waited += 5) {
          await sleep(5000);
          tw = timeWaitCount();
        }
        const load = loadAverage();
        const { rate, r } = await measure(s, test);
        samples.push({
          server: s.name,
          test,
          round,
          rate,
          seconds: r.seconds,
          peakRssKiB: r.peakRssKiB,
          serverCpu: r.watchedCpu,
          clientCpu: r.childCpu,
          otherCpu: r.otherCpu,
          listenOverflows: r.listenOverflows,
          timeWait: tw,
          load,
        });
        console.error(
          `round ${round + 1} ${test.padEnd(10)} ${s.name.padEnd(12)} ${
            rate.toFixed(1).padStart(8)
          } ${unit(test)}` +
            `  rss ${(r.peakRssKiB / 1024).toFixed(0)} MiB  cpu server ${
              r.watchedCpu.toFixed(2)
            } s curl ${r.childCpu.toFixed(2)} s other ${r.otherCpu.toFixed(2)} s` +
            (r.listenOverflows ? `  listen-queue drops ${r.listenOverflows}` : "") + `  tw ${tw}`,
        );
        await sleep(200);
      }
    }
  }
  const text = report(samples, startLoad, started, (performance.now() - t0) / 1000, code);
  console.log(text);
  mkdirSync(join(REPO, "bench/results"), { recursive: true });
  writeFileSync(
    join(REPO, "bench/results/server-throughput.json"),
    JSON.stringify(
      { started, mib: MIB, files: FILES, clients: CLIENTS, samples, idleRss: [...idleRss] },
      null,
      1,
    ),
  );
  if (!env.BENCH_NO_README) {
    replaceSection(join(REPO, "bench/server/README.md"), "bench:server", text);
  }
} catch (e) {
  console.error(e);
  exitCode = 1;
} finally {
  await stopAll();
}
process.exit(exitCode);
