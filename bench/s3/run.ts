/**
 * S3PathIO throughput and memory, in one run (issue 14, "Measured"):
 *
 * 1. starts a real OpenStack Swift with s3api on loopback (tests/_support/peers/swift.ts, Swift's
 *    default `workers = auto`) and a bucket;
 * 2. PUT and GET of an N MiB object straight to S3 with curl `--aws-sigv4` (the reference);
 * 3. our server as a separate Node process (`dist/src/cli/main.js serve --s3 ...`), curl FTP
 *    STOR (multipart), STOR after `ALLO <size>` (one sized PUT) and RETR of the same size
 *    through it, and the same on Bun and Deno; then STORs of a big file while the server's
 *    VmRSS is sampled every 100 ms;
 * 4. a Markdown table (stdout and bench/s3/README.md) and bench/s3/results.json.
 *
 * Run: `npm run bench:s3` (or `node_modules/.bin/deno run -A bench/s3/run.ts [--quick]`).
 * Sizes: 256 MiB throughput objects (median of 3 rounds), 1 GiB for memory; `--quick`:
 * 64 MiB and 256 MiB. Environment: `BENCH_MIB`, `BENCH_BIG_MIB`, `BENCH_ROUNDS` override the
 * sizes and rounds; `BENCH_PARTS=1,2,8` adds one STOR per round through a server with that
 * many parts in flight (`ANYFTP_S3_PARTS_IN_FLIGHT`), to choose the default;
 * `BENCH_SWIFT_WORKERS` (`auto` or a count) sets Swift's workers; `BENCH_PIN=off` lets Swift
 * share every CPU with curl and our servers (by default, on 2+ CPUs, Swift runs on the first
 * half and this process with its children on the rest, as when S3 is on other hosts). A run with any of them set,
 * or `--quick`, prints and writes results.json but leaves README.md alone.
 *
 * @module
 */
import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { closeSync, existsSync, openSync, readFileSync, writeFileSync, writeSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { availableParallelism } from "node:os";
import { join } from "node:path";
import process from "node:process";
import { S3_ACCESS_KEY, S3_REGION, S3_SECRET_KEY, startS3Server } from "../../tests/_support/peers/swift.ts";
import {
  codeVersion,
  machineBusySeconds,
  machineFacts,
  median,
  REPO,
  replaceSection,
  rssKiB,
  sleep,
  treeCpuSeconds,
} from "../server/_bench_lib.ts";

const QUICK = process.argv.includes("--quick");
const MiB = 1024 * 1024;
function envCount(name: string, fallback: number): number {
  const v = process.env[name];
  if (v === undefined || v === "") return fallback;
  if (!/^[1-9]\d*$/.test(v)) throw new Error(`${name} must be a positive integer, got "${v}"`);
  return Number(v);
}
const SIZE = envCount("BENCH_MIB", QUICK ? 64 : 256) * MiB;
const BIG = envCount("BENCH_BIG_MIB", QUICK ? 256 : 1024) * MiB;
const ROUNDS = envCount("BENCH_ROUNDS", 3);
/** Swift's `workers` (every server): `auto` (one per core, Swift's default), or a count (`0`: one process each). */
const SWIFT_WORKERS = ((v) => {
  if (v === "auto") return "auto" as const;
  if (!/^\d+$/.test(v)) throw new Error(`BENCH_SWIFT_WORKERS must be auto or a count, got "${v}"`);
  return Number(v);
})(process.env.BENCH_SWIFT_WORKERS || "auto");
/**
 * The CPU split (`taskset -c` lists): Swift and memcached on the first half of the CPUs, this
 * process and everything it spawns (curl, our servers) on the rest, so that the S3 server's
 * Python processes do not take the cores of the transfer being measured: the direct and the
 * FTP paths then get the same S3 server, as a deployment with S3 on other hosts does.
 * `BENCH_PIN=off` (or one CPU): no split.
 */
const PIN = ((cpus) => {
  if (process.env.BENCH_PIN === "off" || cpus < 2) return undefined;
  const half = Math.floor(cpus / 2);
  const list = (from: number, to: number) => (from === to ? `${from}` : `${from}-${to}`);
  return { s3: list(0, half - 1), rest: list(half, cpus - 1) };
})(availableParallelism());
/** Parts-in-flight values to sweep (besides the default server). */
const SWEEP = (process.env.BENCH_PARTS ?? "").split(",").filter((v) => v !== "").map((v) => {
  if (!/^[1-9]\d*$/.test(v)) throw new Error(`BENCH_PARTS must be a comma-separated list of counts, got "${v}"`);
  return Number(v);
});
/** Whether this run makes the README table (the standard sizes and rounds only). */
const STANDARD = !QUICK && ["BENCH_MIB", "BENCH_BIG_MIB", "BENCH_ROUNDS", "BENCH_PARTS", "BENCH_SWIFT_WORKERS", "BENCH_PIN"].every((n) => !process.env[n]);
/** Part size of S3PathIO's uploads (its default, which the CLI uses). */
const PART = 8 * MiB;
/** Parts in flight of S3PathIO's uploads (its default, which the CLI uses). */
const PARTS_IN_FLIGHT = 4;
const BUCKET = "bench";
const PREFIX = "ftp";
const FTP_USER = "u";
const FTP_PASS = "p";
const CURL_TIMEOUT_S = 600;

function loadavg(): string {
  return readFileSync("/proc/loadavg", "utf8").split(" ").slice(0, 3).join(" ");
}

/** A file of `size` bytes of pseudo-random data (one random MiB repeated would compress; xorshift does not). */
function makeFile(path: string, size: number): void {
  const fd = openSync(path, "w");
  const buf = new Uint32Array(MiB / 4);
  let x = 0x9e3779b9 ^ size;
  try {
    for (let done = 0; done < size; done += MiB) {
      for (let i = 0; i < buf.length; i++) {
        x ^= x << 13;
        x ^= x >>> 17;
        x ^= x << 5;
        buf[i] = x >>> 0;
      }
      writeSync(fd, new Uint8Array(buf.buffer, 0, Math.min(MiB, size - done)));
    }
  } finally {
    closeSync(fd);
  }
}

/** Run curl and return its standard output. Throws on failure. */
async function curlOutput(args: string[]): Promise<string> {
  const child = spawn("curl", ["-sS", "--fail", "--max-time", String(CURL_TIMEOUT_S), ...args], {
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  let err = "";
  child.stdout!.on("data", (d) => (out += d));
  child.stderr!.on("data", (d) => (err += d));
  const code = await new Promise<number | null>((r) => child.on("close", r));
  if (code !== 0) throw new Error(`curl ${args.join(" ")} failed (${code}): ${err.trim()}`);
  return out;
}

/** Run curl; its own `time_total` (seconds, connect to end) is the measurement. */
async function curl(args: string[]): Promise<number> {
  return Number((await curlOutput(["-w", "\n%{time_total}\n", ...args])).trim().split("\n").pop());
}

/**
 * The S3 side of what anyftp does for a STOR, driven by curl: a multipart upload of `parts`
 * (files of PART bytes), one part after the other on one kept-alive connection (one curl for
 * every part, as a client doing it in-process would), then the completion.
 *
 * @returns Wall-clock seconds from the create to the completed upload.
 */
async function curlMultipart(s3Args: string[], url: string, parts: string[], tmp: string): Promise<number> {
  const t0 = performance.now();
  const created = await curlOutput([...s3Args, "-X", "POST", `${url}?uploads=`]);
  const id = /<UploadId>([^<]+)<\/UploadId>/.exec(created)?.[1];
  if (!id) throw new Error(`no UploadId in ${created}`);
  const q = encodeURIComponent(id);
  const transfers = parts.flatMap((part, i) => ["-T", part, "-o", "/dev/null", `${url}?partNumber=${i + 1}&uploadId=${q}`]);
  const etags = (await curlOutput([...s3Args, "-w", "%header{etag}\n", ...transfers])).trim().split("\n");
  if (etags.length !== parts.length) throw new Error(`${etags.length} ETags for ${parts.length} parts`);
  const xml = join(tmp, "complete.xml");
  writeFileSync(
    xml,
    `<CompleteMultipartUpload>${
      etags.map((e, i) => `<Part><PartNumber>${i + 1}</PartNumber><ETag>${e}</ETag></Part>`).join("")
    }</CompleteMultipartUpload>`,
  );
  const done = await curlOutput([...s3Args, "-X", "POST", "--data-binary", `@${xml}`, `${url}?uploadId=${q}`]);
  if (!done.includes("CompleteMultipartUploadResult")) throw new Error(`completion failed: ${done}`);
  return (performance.now() - t0) / 1000;
}

/** Split `file` (of `size` bytes) into PART-sized files next to it. */
function splitFile(file: string, size: number): string[] {
  const data = readFileSync(file);
  const parts: string[] = [];
  for (let at = 0, i = 1; at < size; at += PART, i++) {
    const part = `${file}.part${i}`;
    writeFileSync(part, data.subarray(at, Math.min(size, at + PART)));
    parts.push(part);
  }
  return parts;
}

/** MB/s (10^6 bytes per second). */
function mbps(bytes: number, seconds: number): number {
  return bytes / seconds / 1e6;
}

/** The runtimes our server runs on in the benchmark. */
type Runtime = "node" | "bun" | "deno";
/** Besides Node (every row), the runtimes of the RETR and ALLO-STOR rows. */
const OTHER_RUNTIMES = ["bun", "deno"] as const;

interface OurServer {
  readonly child: ChildProcess;
  readonly url: string;
  stop(): Promise<void>;
}

/**
 * Our CLI server on the bucket, as its own Node process; resolves with the URL it prints.
 * `env` adds upload settings (`ANYFTP_S3_*`, read by `s3OptionsFromEnv`).
 */
async function startOurs(endpoint: string, env: Record<string, string> = {}, runtime: Runtime = "node"): Promise<OurServer> {
  const [cmd, ...pre] = {
    node: ["node", join(REPO, "dist/src/cli/main.js")],
    bun: [join(REPO, "node_modules/.bin/bun"), join(REPO, "dist/src/cli/main.js")],
    deno: [join(REPO, "node_modules/.bin/deno"), "run", "-A", join(REPO, "src/cli/main.ts")],
  }[runtime];
  const child = spawn(
    cmd!,
    [
      ...pre,
      "serve",
      "--s3",
      `${BUCKET}/${PREFIX}`,
      "--s3-endpoint",
      endpoint,
      "--write",
      "--user",
      `${FTP_USER}:${FTP_PASS}`,
      "--port",
      "0",
    ],
    {
      stdio: ["ignore", "pipe", "pipe"],
      env: {
        ...process.env,
        AWS_ACCESS_KEY_ID: S3_ACCESS_KEY,
        AWS_SECRET_ACCESS_KEY: S3_SECRET_KEY,
        AWS_REGION: S3_REGION,
        ...env,
      },
    },
  );
  let seen = "";
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`our server printed no URL in 30 s: ${seen}`)), 30_000);
    const look = (d: Buffer) => {
      seen += d;
      const m = /ftp:\/\/127\.0\.0\.1:(\d+)\//.exec(seen);
      if (m) {
        clearTimeout(timer);
        resolve(`ftp://${FTP_USER}:${FTP_PASS}@127.0.0.1:${m[1]}/`);
      }
    };
    child.stdout!.on("data", look);
    child.stderr!.on("data", look);
    child.on("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`our server exited (${code}): ${seen}`));
    });
  });
  // Keep draining its output (a full pipe would block it).
  child.stdout!.on("data", () => {});
  child.stderr!.on("data", () => {});
  return {
    child,
    url,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const gone = new Promise((r) => child.once("exit", r));
      child.kill("SIGTERM");
      const t = setTimeout(() => child.kill("SIGKILL"), 5000);
      await gone;
      clearTimeout(t);
    },
  };
}

async function main(): Promise<void> {
  const started = new Date().toISOString();
  const loadBefore = loadavg();
  console.error(`load before: ${loadBefore}; building dist/ (tsc)`);
  execFileSync(join(REPO, "node_modules/.bin/tsc"), ["-p", join(REPO, "tsconfig.json")], { stdio: "inherit" });

  const tmp = await mkdtemp(join(existsSync("/dev/shm") ? "/dev/shm" : "/tmp", "anyftp-s3bench-"));
  if (PIN) {
    // Every thread of this process; children inherit the mask.
    execFileSync("taskset", ["-a", "-p", "-c", PIN.rest, String(process.pid)], { stdio: "ignore" });
    console.error(`CPUs: Swift on ${PIN.s3}, curl and our servers on ${PIN.rest}`);
  }
  const s3 = await startS3Server({ workers: SWIFT_WORKERS, cpus: PIN?.s3 });
  let ours: OurServer | undefined;
  const others: OurServer[] = [];
  try {
    await s3.createBucket(BUCKET);
    const netrc = join(tmp, "netrc");
    // The access key has a colon: --user cannot carry it, a netrc file can.
    writeFileSync(netrc, `machine 127.0.0.1 login ${S3_ACCESS_KEY} password ${S3_SECRET_KEY}\n`, { mode: 0o600 });
    const s3Args = [
      "--netrc-file",
      netrc,
      "--aws-sigv4",
      `aws:amz:${S3_REGION}:s3`,
      "-H",
      "x-amz-content-sha256: UNSIGNED-PAYLOAD",
    ];
    const file = join(tmp, "data.bin");
    const big = join(tmp, "big.bin");
    console.error(`writing ${SIZE / MiB} MiB and ${BIG / MiB} MiB files in ${tmp}`);
    makeFile(file, SIZE);
    makeFile(big, BIG);

    ours = await startOurs(s3.endpoint);
    console.error(`our server: ${ours.url.replace(/\/\/[^@]*@/, "//")} (pid ${ours.child.pid})`);
    // The same CLI with ANYFTP_S3_STREAMING_UPLOAD=1: a STOR is one streamed PUT.
    const streamed = await startOurs(s3.endpoint, { ANYFTP_S3_STREAMING_UPLOAD: "1" });
    others.push(streamed);
    const onRuntime: Record<(typeof OTHER_RUNTIMES)[number], OurServer> = {
      bun: await startOurs(s3.endpoint, {}, "bun"),
      deno: await startOurs(s3.endpoint, {}, "deno"),
    };
    others.push(...Object.values(onRuntime));
    const sweep: OurServer[] = [];
    for (const n of SWEEP) sweep.push(await startOurs(s3.endpoint, { ANYFTP_S3_PARTS_IN_FLIGHT: String(n) }));
    others.push(...sweep);

    const times = {
      put: [] as number[],
      get: [] as number[],
      stor: [] as number[],
      storAllo: [] as number[],
      retr: [] as number[],
      retrMultipart: [] as number[],
      putBun: [] as number[],
      storAlloBun: [] as number[],
      getBun: [] as number[],
      retrBun: [] as number[],
      putDeno: [] as number[],
      storAlloDeno: [] as number[],
      getDeno: [] as number[],
      retrDeno: [] as number[],
      getMultipart: [] as number[],
      putMultipart: [] as number[],
      storStreamed: [] as number[],
    };
    const storSweep: number[][] = SWEEP.map(() => []);
    const parts = splitFile(file, SIZE);
    type Kind = keyof typeof times;
    const cpu: Partial<Record<Kind, number[]>> = {};
    const busy: Partial<Record<Kind, number[]>> = {};
    /** A transfer through one of our servers, and the CPU seconds that server process spent on it. */
    const viaOurs = async (server: OurServer, args: string[], kind: Kind) => {
      const pid = server.child.pid!;
      const before = treeCpuSeconds(pid);
      const machineBefore = machineBusySeconds();
      const seconds = await curl(args);
      times[kind].push(seconds);
      (cpu[kind] ??= []).push(treeCpuSeconds(pid) - before);
      (busy[kind] ??= []).push((machineBusySeconds() - machineBefore) / seconds); // busy cores meanwhile
    };
    // ALLO with the size before the STOR, as lftp sends it with ftp:use-allo; "+": after
    // curl's CWD (which, like any command but the data set-up ones, drops a pending ALLO).
    const allo = ["-Q", `+ALLO ${SIZE}`];
    const direct = `${s3.endpoint}/${BUCKET}/direct.bin`;
    for (let round = 1; round <= ROUNDS; round++) {
      // Alternate the two paths in every round, so that drift in the outside load hits both.
      times.put.push(await curl([...s3Args, "-T", file, direct, "-o", "/dev/null"]));
      times.get.push(await curl([...s3Args, direct, "-o", "/dev/null"]));
      await viaOurs(ours, ["-T", file, `${ours.url}x.bin`], "stor");
      await viaOurs(ours, [...allo, "-T", file, `${ours.url}a.bin`], "storAllo");
      // RETR of the plain object the ALLO STOR made (the direct GET reads a plain one too).
      await viaOurs(ours, [`${ours.url}a.bin`, "-o", "/dev/null"], "retr");
      await viaOurs(ours, [`${ours.url}x.bin`, "-o", "/dev/null"], "retrMultipart");
      times.storStreamed.push(await curl(["-T", file, `${streamed.url}s.bin`]));
      for (const rt of OTHER_RUNTIMES) {
        const server = onRuntime[rt];
        const suffix = rt === "bun" ? "Bun" : "Deno";
        // Each runtime's transfers right after a direct one of their own (the pair of a ratio).
        times[`put${suffix}`].push(await curl([...s3Args, "-T", file, direct, "-o", "/dev/null"]));
        await viaOurs(server, [...allo, "-T", file, `${server.url}a-${rt}.bin`], `storAllo${suffix}`);
        times[`get${suffix}`].push(await curl([...s3Args, direct, "-o", "/dev/null"]));
        await viaOurs(server, [`${server.url}a-${rt}.bin`, "-o", "/dev/null"], `retr${suffix}`);
      }
      for (const [i, server] of sweep.entries()) storSweep[i]!.push(await curl(["-T", file, `${server.url}p.bin`]));
      // The same object anyftp stored (a multipart upload, which Swift keeps as an SLO), read
      // straight from S3: tells Swift's cost of multipart objects apart from ours.
      times.getMultipart.push(await curl([...s3Args, `${s3.endpoint}/${BUCKET}/${PREFIX}/x.bin`, "-o", "/dev/null"]));
      times.putMultipart.push(await curlMultipart(s3Args, `${s3.endpoint}/${BUCKET}/multi.bin`, parts, tmp));
      const last = (k: keyof typeof times) => mbps(SIZE, times[k].at(-1)!).toFixed(0);
      console.error(
        `round ${round}: PUT ${last("put")} GET ${last("get")} STOR ${last("stor")} ALLO-STOR ${last("storAllo")} ` +
          `RETR ${last("retr")} RETR-of-multipart ${last("retrMultipart")} ` +
          `GET-of-multipart ${last("getMultipart")} multipart-PUT ${last("putMultipart")} ` +
          `streamed-STOR ${last("storStreamed")} bun: ALLO-STOR ${last("storAlloBun")} RETR ${last("retrBun")} ` +
          `deno: ALLO-STOR ${last("storAlloDeno")} RETR ${last("retrDeno")}` +
          SWEEP.map((n, i) => ` STOR-${n}-in-flight ${mbps(SIZE, storSweep[i]!.at(-1)!).toFixed(0)}`).join("") + " MB/s",
      );
    }

    // Memory: RSS of each server process during one STOR of the big file.
    const bigStor = async (server: OurServer, name: string, announce = false) => {
      await sleep(1000);
      const serverPid = server.child.pid!;
      const start = rssKiB(serverPid);
      let peak = start;
      let samples = 0;
      let sampling = true;
      const sampler = (async () => {
        while (sampling) {
          const r = rssKiB(serverPid);
          if (r > peak) peak = r;
          samples++;
          await sleep(100);
        }
      })();
      const seconds = await curl([...(announce ? ["-Q", `+ALLO ${BIG}`] : []), "-T", big, `${server.url}${name}`]);
      sampling = false;
      await sampler;
      const end = rssKiB(serverPid);
      console.error(`STOR ${BIG / MiB} MiB: ${mbps(BIG, seconds).toFixed(0)} MB/s, RSS ${start} → peak ${peak} → ${end} KiB`);
      return { bytes: BIG, seconds, MBps: mbps(BIG, seconds), samples, rssKiB: { start, peak, end } };
    };
    const memory = await bigStor(ours, "big.bin");
    const memoryStreamed = await bigStor(streamed, "big-streamed.bin");
    const memoryAllo = await bigStor(ours, "big-allo.bin", true);

    const loadAfter = loadavg();
    const m = Object.fromEntries(Object.entries(times).map(([k, v]) => [k, mbps(SIZE, median(v))])) as Record<Kind, number>;
    /**
     * through ÷ direct: the median of the rounds' own ratios (each pairs transfers made seconds
     * apart, so a load that drifts between rounds cancels out).
     */
    const ratio = (direct: Kind, through: Kind) => median(times[through].map((t, i) => times[direct][i]! / t));
    const sweepMBps = Object.fromEntries(SWEEP.map((n, i) => [n, mbps(SIZE, median(storSweep[i]!))]));
    const cpuMedian = Object.fromEntries(Object.entries(cpu).map(([k, v]) => [k, median(v)])) as Partial<Record<Kind, number>>;
    const busyMedian = Object.fromEntries(Object.entries(busy).map(([k, v]) => [k, median(v)])) as Partial<Record<Kind, number>>;
    const results = {
      date: started,
      quick: QUICK,
      code: codeVersion(),
      machine: machineFacts(),
      loadavgBefore: loadBefore,
      loadavgAfter: loadAfter,
      throughput: {
        bytes: SIZE,
        rounds: ROUNDS,
        seconds: times,
        medianMBps: m,
        serverCpuSeconds: cpu,
        serverCpuMedian: cpuMedian,
        machineBusyCores: busy,
        ratio: {
          upload: ratio("put", "stor"),
          uploadAllo: ratio("put", "storAllo"),
          uploadStreamed: ratio("put", "storStreamed"),
          download: ratio("get", "retr"),
          downloadMultipart: ratio("getMultipart", "retrMultipart"),
          uploadAlloBun: ratio("putBun", "storAlloBun"),
          downloadBun: ratio("getBun", "retrBun"),
          uploadAlloDeno: ratio("putDeno", "storAlloDeno"),
          downloadDeno: ratio("getDeno", "retrDeno"),
          uploadVsCurlMultipart: ratio("putMultipart", "stor"),
        },
        swiftWorkers: SWIFT_WORKERS,
        cpus: PIN ?? "shared",
        partsInFlight: PARTS_IN_FLIGHT,
        sweepSeconds: Object.fromEntries(SWEEP.map((n, i) => [n, storSweep[i]])),
        sweepMedianMBps: sweepMBps,
      },
      memory,
      memoryStreamed,
      memoryAllo,
    };
    writeFileSync(join(REPO, "bench/s3/results.json"), JSON.stringify(results, null, 2) + "\n");
    const f = (x: number) => x.toFixed(0);
    const mib = (k: number) => (k / 1024).toFixed(0);
    const row = (what: string, direct: Kind, through: Kind) =>
      `| ${what} MB/s | ${f(m[direct])} | ${f(m[through])} | ${ratio(direct, through).toFixed(2)}× | ≥ 0.8× |`;
    const cpuOf = (k: Kind) => `${cpuMedian[k]?.toFixed(2)} s`;
    const table = [
      `${started.slice(0, 16).replace("T", " ")} UTC, ${results.code}, ${results.machine}; ` +
      `Swift workers = ${SWIFT_WORKERS}; ${
        PIN ? `CPUs: Swift and memcached on ${PIN.s3}, curl and our servers on ${PIN.rest} (\`taskset\`)` : "CPUs shared by all"
      }; load average (1/5/15 min) before ${loadBefore}, after ${loadAfter}.`,
      "",
      `| ${SIZE / MiB} MiB, median of ${ROUNDS} | direct S3 (curl --aws-sigv4) | through anyftp (curl FTP) | ratio | target |`,
      "| --- | --- | --- | --- | --- |",
      row(`upload (PUT / STOR, multipart, ${PARTS_IN_FLIGHT} parts in flight: a STOR without ALLO)`, "put", "stor"),
      row("upload without a size, against curl's own multipart upload of the same parts (multipart / STOR)", "putMultipart", "stor"),
      row("upload (PUT / `ALLO <size>` + STOR: one PUT with that Content-Length)", "put", "storAllo"),
      row("upload (PUT / STOR, `ANYFTP_S3_STREAMING_UPLOAD=1`: one streamed PUT)", "put", "storStreamed"),
      row("download (GET / RETR of a plain object)", "get", "retr"),
      row("download of a multipart object (GET / RETR of the STOR's object)", "getMultipart", "retrMultipart"),
      row("server on Bun: upload (PUT / `ALLO <size>` + STOR)", "putBun", "storAlloBun"),
      row("server on Bun: download (GET / RETR of a plain object)", "getBun", "retrBun"),
      row("server on Deno: upload (PUT / `ALLO <size>` + STOR; Deno's fetch sends it chunked)", "putDeno", "storAlloDeno"),
      row("server on Deno: download (GET / RETR of a plain object)", "getDeno", "retrDeno"),
      "",
      `Beside it, straight to S3 with curl: a multipart upload in ${PART / MiB} MiB parts one after the other ` +
      `(what a STOR without ALLO sends) ${f(m.putMultipart)} MB/s. ` +
      `CPU of our server process per ${SIZE / MiB} MiB (median): Node STOR ${cpuOf("stor")}, ALLO STOR ${
        cpuOf("storAllo")
      }, RETR ${cpuOf("retr")}; Bun ALLO STOR ${cpuOf("storAlloBun")}, RETR ${cpuOf("retrBun")}; ` +
      `Deno ALLO STOR ${cpuOf("storAlloDeno")}, RETR ${cpuOf("retrDeno")}; busy cores of the whole machine (of 2) ` +
      `meanwhile: STOR ${busyMedian.stor?.toFixed(2)}, RETR ${busyMedian.retr?.toFixed(2)}.` +
        (SWEEP.length > 0
          ? ` STOR (multipart) by parts in flight: ${SWEEP.map((n) => `${n}: ${f(sweepMBps[n]!)}`).join(", ")} MB/s.`
          : ""),
      "",
      `| STOR of ${BIG / MiB} MiB (server on Node) | MB/s | RSS start | RSS peak | RSS end | samples |`,
      "| --- | --- | --- | --- | --- | --- |",
      ...[
        [`multipart, ${PARTS_IN_FLIGHT} parts in flight`, memory],
        ["streamed PUT", memoryStreamed],
        ["`ALLO <size>` first: one PUT with Content-Length", memoryAllo],
      ].map(([what, r]) => {
        const { MBps, rssKiB: k, samples } = r as typeof memory;
        return `| our server process, ${what} | ${f(MBps)} | ${mib(k.start)} MiB | ${mib(k.peak)} MiB | ${mib(k.end)} MiB | ${samples} |`;
      }),
    ].join("\n");
    console.log(table);
    if (STANDARD) replaceSection(join(REPO, "bench/s3/README.md"), "s3-results", table);
  } finally {
    await ours?.stop();
    for (const other of others) await other.stop();
    await s3.close();
    await rm(tmp, { recursive: true, force: true });
  }
}

await main();
