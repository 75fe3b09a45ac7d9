/**
 * Client throughput, side by side with real peers, in one run: anyftp's Client on Node, Deno
 * and Bun (each job in its own process, bench/client/_job.ts), basic-ftp (npm, on Node), curl
 * and lftp, all against the same vsftpd on 127.0.0.1 (roots on tmpfs):
 *
 * - `down` / `up`: one BENCH_MIB (512) MiB file, downloaded to / uploaded from a tmpfs file;
 * - `down-tree` / `up-tree`: a directory of BENCH_FILES (2,000) files of 4 KiB over one control
 *   connection (ours: `download`/`upload` of the directory; basic-ftp: `downloadToDir` /
 *   `uploadFromDir`; lftp: `mirror` / `mirror -R`; curl: URL glob `f[0001-2000].bin` / `-T` glob,
 *   in active mode: in passive mode curl 7.88 stalls 1 s on most reused-connection transfers).
 *
 * Each job runs BENCH_RUNS (3) times, rounds interleaved over the clients; the median is
 * reported with the ratio to curl and to lftp, the client's CPU time and peak RSS. Libraries
 * are timed inside their process (connect to QUIT, no runtime start-up); curl and lftp by
 * their process's wall time (their start-up is a few ms). Results go to
 * bench/results/client-throughput.json and the tables into bench/client/README.md.
 *
 * `npm run bench:client` (= `deno run -A bench/client/throughput.ts`). Environment: BENCH_MIB,
 * BENCH_FILES, BENCH_RUNS, BENCH_CLIENTS ("node deno bun basic-ftp curl lftp"), BENCH_TESTS,
 * BENCH_NO_README=1, BENCH_MAX_LOAD (1.5). Linux only.
 *
 * @module
 */
import { randomBytes } from "node:crypto";
import {
  closeSync,
  existsSync,
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
  BUILD,
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
  runtimeCommand,
  sleep,
  startPeer,
  versionOf,
  waitForQuiet,
} from "../server/_bench_lib.ts";

const env = process.env;
const MIB = Number(env.BENCH_MIB ?? 512);
const FILES = Number(env.BENCH_FILES ?? 2000);
const RUNS = Number(env.BENCH_RUNS ?? 3);
const SMALL = 4096;
const BYTES = MIB * 1024 * 1024;
const CLIENTS = (env.BENCH_CLIENTS ?? "node deno bun basic-ftp curl lftp").split(/\s+/).filter(
  Boolean,
);
const TESTS = (env.BENCH_TESTS ?? "down up down-tree up-tree").split(/\s+/).filter(Boolean);
const SHM = existsSync("/dev/shm") ? "/dev/shm" : (env.TMPDIR ?? "/tmp");
env.TMPDIR = SHM;

const LABEL: Record<string, string> = {
  node: "anyftp on node",
  deno: "anyftp on deno",
  bun: "anyftp on bun",
  "basic-ftp": "basic-ftp (node)",
  curl: "curl",
  lftp: "lftp",
};

interface Sample {
  readonly client: string;
  readonly test: string;
  readonly round: number;
  readonly rate: number;
  readonly seconds: number;
  readonly wall: number;
  readonly clientCpu: number;
  readonly serverCpu: number;
  readonly peakRssKiB: number;
  readonly otherCpu: number;
  readonly load: number;
}

const work = mkdtempSync(join(SHM, "anyftp-bench-client-"));
const src = join(work, "src");
const out = join(work, "out");
let server: BenchServer | undefined;

function die(message: string): never {
  throw new Error(message);
}

function makeFixtures(root: string): void {
  mkdirSync(src);
  const block = new Uint8Array(randomBytes(1 << 20));
  const fd = openSync(join(src, "big.bin"), "w");
  for (let i = 0; i < MIB; i++) {
    new DataView(block.buffer).setUint32(0, i);
    writeSync(fd, block);
  }
  closeSync(fd);
  mkdirSync(join(src, "small"));
  for (let i = 1; i <= FILES; i++) {
    writeFileSync(join(src, "small", `f${String(i).padStart(4, "0")}.bin`), randomBytes(SMALL));
  }
  // The server side gets its own copies (a STOR must never write into a source file).
  writeFileSync(join(root, "big.bin"), "");
  const wfd = openSync(join(root, "big.bin"), "w");
  for (let i = 0; i < MIB; i++) {
    new DataView(block.buffer).setUint32(0, i);
    writeSync(wfd, block);
  }
  closeSync(wfd);
  mkdirSync(join(root, "small"));
  for (const f of readdirSync(join(src, "small"))) {
    writeFileSync(join(root, "small", f), new Uint8Array(SMALL));
  }
  mkdirSync(join(root, "up"));
}

function lftp(s: BenchServer, command: string): [string, string[]] {
  const settings = [
    "set cmd:fail-exit yes",
    "set net:max-retries 1",
    "set net:timeout 30",
    "set ftp:ssl-allow no",
    "set xfer:clobber on",
  ];
  return ["lftp", [
    "-c",
    `${settings.join("; ")}; open -u ${s.user},${s.password} -p ${s.port} 127.0.0.1; ${command}`,
  ]];
}

/** The command for a client and job; remote paths are relative (vsftpd runs unchrooted). */
function commandFor(client: string, test: string, s: BenchServer): [string, string[]] {
  const remote = {
    down: "big.bin",
    up: "up/big.bin",
    "down-tree": "small",
    "up-tree": "upsmall",
  }[test]!;
  const local = {
    down: join(out, "big.bin"),
    up: join(src, "big.bin"),
    "down-tree": out,
    "up-tree": join(src, "small"),
  }[
    test
  ]!;
  const last = String(FILES).padStart(4, "0");
  switch (client) {
    case "curl": {
      const c = ["-sS", "--max-time", "300"];
      // curl 7.88 stalls 1 s on many passive transfers over a reused connection (see
      // bench/server/README.md): over 300 s for 2,000 files. Active mode mostly avoids it.
      if (test === "down-tree" || test === "up-tree") c.push("-P", "127.0.0.1");
      if (test === "down") return ["curl", [...c, "-o", local, `${s.url}/${remote}`]];
      if (test === "up") return ["curl", [...c, "-T", local, `${s.url}/${remote}`]];
      if (test === "down-tree") {
        return ["curl", [
          ...c,
          "--create-dirs",
          "-o",
          `${out}/f#1.bin`,
          `${s.url}/small/f[0001-${last}].bin`,
        ]];
      }
      return ["curl", [
        ...c,
        "--ftp-create-dirs",
        "-T",
        `${local}/f[0001-${last}].bin`,
        `${s.url}/upsmall/`,
      ]];
    }
    case "lftp": {
      if (test === "down") return lftp(s, `get ${remote} -o ${local}`);
      if (test === "up") return lftp(s, `put ${local} -o ${remote}`);
      if (test === "down-tree") return lftp(s, `mirror ${remote} ${local}`);
      return lftp(s, `mirror -R ${local} ${remote}`);
    }
    case "basic-ftp":
      return [
        "node",
        [
          join(BUILD, "bench/client/_job.js"),
          "basic-ftp",
          test,
          "127.0.0.1",
          String(s.port),
          s.user,
          s.password,
          remote,
          local,
        ],
      ];
    default: {
      const [cmd, args] = runtimeCommand(client as Runtime, "bench/client/_job.ts");
      return [cmd, [
        ...args,
        "anyftp",
        test,
        "127.0.0.1",
        String(s.port),
        s.user,
        s.password,
        remote,
        local,
      ]];
    }
  }
}

function verify(client: string, test: string, s: BenchServer): void {
  const files = (dir: string) => {
    const got = existsSync(dir) ? readdirSync(dir) : [];
    if (got.length !== FILES || got.some((f) => statSync(join(dir, f)).size !== SMALL)) {
      die(`${client} ${test}: ${got.length} files of ${FILES}`);
    }
  };
  if (test === "down" && statSync(join(out, "big.bin")).size !== BYTES) {
    die(`${client} down: short file`);
  }
  if (test === "up" && statSync(join(s.root, "up/big.bin")).size !== BYTES) {
    die(`${client} up: short file`);
  }
  if (test === "down-tree") files(out);
  if (test === "up-tree") files(join(s.root, "upsmall"));
}

async function measure(
  client: string,
  test: string,
  s: BenchServer,
): Promise<{ rate: number; r: RunResult; seconds: number }> {
  rmSync(out, { recursive: true, force: true });
  mkdirSync(out);
  rmSync(join(s.root, "up/big.bin"), { force: true });
  rmSync(join(s.root, "upsmall"), { recursive: true, force: true });
  if (test === "up-tree" && client !== "lftp" && client !== "curl") {
    mkdirSync(join(s.root, "upsmall"));
  }
  const [cmd, args] = commandFor(client, test, s);
  const r = await run(cmd, args, {
    watch: s.pid,
    watchChild: true,
    keepStdout: true,
    timeout: 300,
  });
  if (r.code !== 0) die(`${client} ${test}: exit ${r.code}: ${r.stderr}`);
  verify(client, test, s);
  const timedInside = client !== "curl" && client !== "lftp";
  const inProcess = timedInside
    ? JSON.parse(r.stdout.trim().split("\n").at(-1)!).seconds as number
    : undefined;
  const seconds = inProcess ?? r.seconds;
  const rate = test === "down" || test === "up" ? MIB / seconds : FILES / seconds;
  return { rate, r, seconds };
}

const TITLES: Record<string, string> = {
  down: `Download of a ${MIB} MiB file to tmpfs`,
  up: `Upload of a ${MIB} MiB file from tmpfs`,
  "down-tree": `Download of a directory of ${FILES} × 4 KiB files (one control connection)`,
  "up-tree": `Upload of a directory of ${FILES} × 4 KiB files (one control connection)`,
};

function report(
  samples: Sample[],
  startLoad: number,
  started: Date,
  seconds: number,
  code: string,
): string {
  const lines: string[] = [];
  const others = samples.map((x) => x.otherCpu / x.wall);
  lines.push(
    `Run ${started.toISOString().slice(0, 16).replace("T", " ")} UTC, ${
      seconds.toFixed(0)
    } s; ${machineFacts()}.`,
  );
  lines.push(`Code measured: ${code}.`);
  lines.push(
    `Server vsftpd ${versionOf("vsftpd")}. node ${versionOf("node")}, deno ${
      versionOf("deno")
    }, bun ${versionOf("bun")}, ` +
      `basic-ftp ${versionOf("basic-ftp")}, curl ${versionOf("curl")}, lftp ${versionOf("lftp")}.`,
  );
  lines.push(
    `Load average at start ${
      startLoad.toFixed(2)
    }; CPU used by other processes during the measurements: ` +
      `median ${(median(others) * 100).toFixed(0)}%, max ${
        (Math.max(...others) * 100).toFixed(0)
      }% of one core.`,
  );
  lines.push(
    `Median of ${RUNS} runs. Ratios: client ÷ peer (above 1× = faster). CPU: the client process's user+system time ` +
      `(runtimes include their start-up); RSS: the client process's peak.`,
  );
  lines.push("");
  for (const test of TESTS) {
    const u = test === "down" || test === "up" ? "MiB/s" : "files/s";
    lines.push(`##### ${TITLES[test]}`, "");
    lines.push(
      `| client | ${u} (median) | all runs | vs curl | vs lftp | client CPU s | peak RSS MiB | server CPU s |`,
    );
    lines.push("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
    const med = (c: string) =>
      median(samples.filter((x) => x.client === c && x.test === test).map((x) => x.rate));
    const fmt = (x: number) => x >= 100 ? x.toFixed(0) : x.toFixed(1);
    for (const c of CLIENTS) {
      const xs = samples.filter((x) => x.client === c && x.test === test);
      if (xs.length === 0) continue;
      const rate = med(c);
      lines.push(
        `| ${c === "curl" && test.endsWith("-tree") ? "curl (active mode, -P)" : LABEL[c] ?? c} | ${
          fmt(rate)
        } | ${xs.map((x) => fmt(x.rate)).join(", ")} | ${ratio(rate, med("curl"))} | ` +
          `${ratio(rate, med("lftp"))} | ${median(xs.map((x) => x.clientCpu)).toFixed(2)} | ` +
          `${(Math.max(...xs.map((x) => x.peakRssKiB)) / 1024).toFixed(0)} | ${
            median(xs.map((x) => x.serverCpu)).toFixed(2)
          } |`,
      );
    }
    lines.push("");
  }
  return lines.join("\n");
}

let exitCode = 0;
const stop = async () => {
  await server?.close().catch(() => {});
  server = undefined;
  rmSync(work, { recursive: true, force: true });
};
process.on("SIGINT", () => void stop().then(() => process.exit(130)));
try {
  const startLoad = await waitForQuiet(Number(env.BENCH_MAX_LOAD ?? 1.5), 600);
  console.error(`load ${startLoad.toFixed(2)}; building for Node, writing fixtures in ${work} …`);
  if (CLIENTS.includes("node") || CLIENTS.includes("basic-ftp")) buildForNode();
  server = await startPeer("vsftpd");
  makeFixtures(server.root);
  const started = new Date();
  const code = codeVersion();
  const t0 = performance.now();
  const samples: Sample[] = [];
  for (let round = 0; round < RUNS; round++) {
    for (const test of TESTS) {
      const order = CLIENTS.map((_, i) => CLIENTS[(i + round) % CLIENTS.length]!);
      for (const c of order) {
        const load = loadAverage();
        const { rate, r, seconds } = await measure(c, test, server);
        samples.push({
          client: c,
          test,
          round,
          rate,
          seconds,
          wall: r.seconds,
          clientCpu: r.childCpu,
          serverCpu: r.watchedCpu,
          peakRssKiB: r.peakRssKiB,
          otherCpu: r.otherCpu,
          load,
        });
        console.error(
          `round ${round + 1} ${test.padEnd(9)} ${(LABEL[c] ?? c).padEnd(17)} ${
            rate.toFixed(1).padStart(8)
          }` +
            ` (${seconds.toFixed(3)} s, wall ${r.seconds.toFixed(3)} s)  cpu ${
              r.childCpu.toFixed(2)
            } s` +
            `  rss ${(r.peakRssKiB / 1024).toFixed(0)} MiB  server ${
              r.watchedCpu.toFixed(2)
            } s  other ${r.otherCpu.toFixed(2)} s`,
        );
        await sleep(200);
      }
    }
  }
  const text = report(samples, startLoad, started, (performance.now() - t0) / 1000, code);
  console.log(text);
  mkdirSync(join(REPO, "bench/results"), { recursive: true });
  writeFileSync(
    join(REPO, "bench/results/client-throughput.json"),
    JSON.stringify({ started, mib: MIB, files: FILES, samples }, null, 1),
  );
  if (!env.BENCH_NO_README) {
    replaceSection(join(REPO, "bench/client/README.md"), "bench:client", text);
  }
} catch (e) {
  console.error(e);
  exitCode = 1;
} finally {
  await stop();
}
process.exit(exitCode);
