/**
 * The Markdown report of `npm run bench` (bench/run.ts): the server table, the client table,
 * and every target of the performance issue as a ratio marked met or not, per runtime.
 *
 * @module
 */
import type { Measured, Sizes } from "./_suites.ts";
import type { SuiteMemory } from "./server/session_memory.ts";

/** Our server's memory on one runtime measured with forced collections. */
export interface GcMemory {
  /** The runtime. */
  readonly runtime: string;
  /** Idle sessions held at the last step. */
  readonly sessions: number;
  /** KiB per logged-in idle session. */
  readonly perSessionKiB?: number;
  /** KiB per idle socket of a plain listener in the runtime's own API (no FTP). */
  readonly plainPerSocketKiB?: number;
  /** Idle RSS after each repetition of the work mix. */
  readonly suite?: SuiteMemory;
  /** Why it failed. */
  readonly error?: string;
}
import { median, RUNTIMES } from "./server/_bench_lib.ts";

/** Everything one run measured (also the JSON written to bench/results/bench.json). */
export interface Report {
  /** ISO time the measurements started. */
  readonly started: string;
  /** Seconds the measurements took. */
  readonly seconds: number;
  /** Cores, CPU, memory, kernel. */
  readonly machine: string;
  /** The commit measured. */
  readonly code: string;
  /** Runtime and peer versions. */
  readonly versions: Record<string, string>;
  /** One-minute load average at the start and at the end. */
  readonly startLoad: number;
  /** Load at the end. */
  readonly endLoad: number;
  /** Busy CPU seconds of the whole machine during the run. */
  readonly busySeconds: number;
  /** The sizes used. */
  readonly sizes: Sizes;
  /** Rounds. */
  readonly runs: number;
  /** Server RSS KiB when idle: after warm-up, then after each round. */
  readonly idleRss: Record<string, number[]>;
  /** Our server's memory with forced collections, per runtime. */
  readonly gcMemory: readonly GcMemory[];
  /** Every measurement. */
  readonly samples: readonly (Measured & { row: string; test: string; round: number })[];
}

function fmt(x: number, digits?: number): string {
  if (!Number.isFinite(x)) return "–";
  return x.toFixed(digits ?? (x >= 100 ? 0 : x >= 10 ? 1 : 2));
}

/**
 * Render a run as Markdown.
 *
 * @param r The run.
 * @returns The report.
 */
export function renderReport(r: Report): string {
  const of = (row: string, test: string) =>
    r.samples.filter((s) => s.row === row && s.test === test);
  const med = (row: string, test: string) => median(of(row, test).map((s) => s.value));
  const failures = (row: string, test: string) => of(row, test).reduce((n, s) => n + s.failures, 0);
  const cell = (row: string, test: string, digits?: number) => {
    const xs = of(row, test);
    if (xs.length === 0) return "";
    const f = failures(row, test);
    return fmt(med(row, test), digits) + (f ? ` (${f} failed)` : "");
  };
  const mib = (kib: number | undefined) => kib === undefined ? "–" : (kib / 1024).toFixed(1);
  const gib = r.sizes.mib / 1024;
  const cpuPerGiB = (row: string) => {
    const down = of(row, "download");
    const up = of(row, "upload");
    const per = down.map((d, i) => (d.serverCpu + (up[i]?.serverCpu ?? NaN)) / (2 * gib));
    return fmt(median(per), 2);
  };
  const growth = (row: string) => {
    const xs = r.idleRss[row] ?? [];
    if (xs.length < 3) return "–";
    const first = xs[1]!;
    const last = xs[xs.length - 1]!;
    return `${(((last - first) / first) * 100).toFixed(1)} %`;
  };
  const measuredSeconds = r.samples.reduce((n, s) => n + s.seconds, 0);
  const otherCpu = r.samples.reduce((n, s) => n + s.otherCpu, 0);
  const lines: string[] = [];
  const v = r.versions;
  lines.push(
    `Run ${r.started.slice(0, 16).replace("T", " ")} UTC, ${fmt(r.seconds, 0)} s; ${r.machine}.`,
    `Code measured: ${r.code}. node ${v.node}, deno ${v.deno}, bun ${v.bun}; vsftpd ${v.vsftpd}, ` +
      `pyftpdlib ${v.pyftpdlib} (python ${v.python3}), ftp-srv ${v["ftp-srv"]}, basic-ftp ` +
      `${v["basic-ftp"]}, curl ${v.curl}, lftp ${v.lftp}.`,
    `Load average ${fmt(r.startLoad)} at the start, ${
      fmt(r.endLoad)
    } at the end; other processes ` +
      `used ${fmt(otherCpu, 1)} CPU-s during ${fmt(measuredSeconds, 0)} s of measurements ` +
      `(${fmt((otherCpu / Math.max(measuredSeconds, 1)) * 100, 1)} % of one core).`,
    `Median of ${r.runs} round(s), interleaved. Big file ${r.sizes.mib} MiB; MB/s = 10^6 bytes/s.`,
    "",
    "#### Servers (clients: curl for the big file, lftp for the small files, Python ftplib for the burst and the idle sessions)",
    "",
    `| server | download MB/s | upload MB/s | ${r.sizes.files}×4 KiB down files/s | ${r.sizes.files}×4 KiB up files/s | ` +
      `${r.sizes.clients} clients wall s | RSS idle → after round 1 → after last MiB | growth round 1 → last | ` +
      `RSS per idle session KiB | server CPU s per GiB |`,
    "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    `| raw TCP, no FTP (anchor) | ${cell("raw TCP", "download")} | ${
      cell("raw TCP", "upload")
    } | | | | | | | |`,
  );
  const serverRows = Object.keys(r.idleRss);
  for (const row of serverRows) {
    const rss = r.idleRss[row]!;
    lines.push(
      `| ${row} | ${cell(row, "download")} | ${cell(row, "upload")} | ${
        cell(row, "small-down")
      } | ` +
        `${cell(row, "small-up")} | ${cell(row, "burst", 2)} | ` +
        `${mib(rss[0])} → ${mib(rss[1])} → ${mib(rss.at(-1))} | ${growth(row)} | ` +
        `${cell(row, "idle-session", 1)}${row === "vsftpd" ? " (Pss, a process each)" : ""} | ${
          cpuPerGiB(row)
        } |`,
    );
  }
  const clientRows = [
    ...new Set(r.samples.filter((s) => s.test.startsWith("client-")).map((s) => s.row)),
  ];
  if (clientRows.length) {
    lines.push(
      "",
      "#### Clients against vsftpd (download into /dev/null, upload from tmpfs)",
      "",
      "| client | download MB/s | upload MB/s | download vs curl | download vs basic-ftp (same runtime) | upload vs curl |",
      "| --- | ---: | ---: | ---: | ---: | ---: |",
    );
    for (const row of clientRows) {
      const rt = row.split(" ")[1];
      const down = med(row, "client-down");
      lines.push(
        `| ${row} | ${cell(row, "client-down")} | ${cell(row, "client-up")} | ` +
          `${ratio(down, med("curl", "client-down"))} | ` +
          `${rt ? ratio(down, med(`basic-ftp ${rt}`, "client-down")) : ""} | ` +
          `${ratio(med(row, "client-up"), med("curl", "client-up"))} |`,
      );
    }
  }
  if (r.gcMemory.length) {
    lines.push(
      "",
      "#### Our server's memory with forced collections (bench/server/session_memory.ts, one server at a time)",
      "",
      `| runtime | RSS per logged-in idle session KiB (${
        r.gcMemory[0]!.sessions
      } held, 3 steps) | plain runtime socket, no FTP, KiB | ` +
        "idle RSS start → after each repetition of the work mix MiB | growth first → last repetition | JS heap after each MiB |",
      "| --- | ---: | ---: | ---: | ---: | ---: |",
    );
    for (const m of r.gcMemory) {
      const suite = m.suite;
      lines.push(
        m.error
          ? `| ${m.runtime} | failed: ${m.error} | | | | |`
          : `| ${m.runtime} | ${fmt(m.perSessionKiB ?? NaN, 1)} | ${
            fmt(m.plainPerSocketKiB ?? NaN, 1)
          } | ` +
            (suite
              ? `${mib(suite.startKiB)} → ${suite.afterKiB.map(mib).join(" → ")} | ${
                fmt(suite.growthPercent, 1)
              } % | ` +
                `${suite.heapKiB.map(mib).join(" → ")} |`
              : "| | |"),
      );
    }
  }
  lines.push("", ...targets(r, med, failures), "");
  return lines.join("\n");
}

function ratio(a: number, b: number): string {
  return Number.isFinite(a) && Number.isFinite(b) && b > 0 ? `${(a / b).toFixed(2)}×` : "–";
}

/** A ratio against its goal: `1.23× ✓` or `0.59× ✗ (≥ 0.9×)`. */
function goal(x: number, min: number, unit = "×"): string {
  if (!Number.isFinite(x)) return "–";
  return x >= min ? `${x.toFixed(2)}${unit} ✓` : `${x.toFixed(2)}${unit} ✗`;
}

function targets(
  r: Report,
  med: (row: string, test: string) => number,
  failures: (row: string, test: string) => number,
): string[] {
  const rows: [string, (rt: string) => string][] = [
    [
      "server upload ≥ 1.5× ftp-srv (same runtime)",
      (rt) => goal(med(`anyftp ${rt}`, "upload") / med(`ftp-srv ${rt}`, "upload"), 1.5),
    ],
    [
      "server upload ≥ vsftpd",
      (rt) => goal(med(`anyftp ${rt}`, "upload") / med("vsftpd", "upload"), 1),
    ],
    [
      "server download ≥ 0.9× vsftpd",
      (rt) => goal(med(`anyftp ${rt}`, "download") / med("vsftpd", "download"), 0.9),
    ],
    [
      "small files down ≥ vsftpd and ≥ pyftpdlib (the lower ratio)",
      (rt) =>
        goal(
          Math.min(
            med(`anyftp ${rt}`, "small-down") / med("vsftpd", "small-down"),
            med(`anyftp ${rt}`, "small-down") / med("pyftpdlib", "small-down"),
          ),
          1,
        ),
    ],
    [
      "small files up ≥ vsftpd and ≥ pyftpdlib (the lower ratio)",
      (rt) =>
        goal(
          Math.min(
            med(`anyftp ${rt}`, "small-up") / med("vsftpd", "small-up"),
            med(`anyftp ${rt}`, "small-up") / med("pyftpdlib", "small-up"),
          ),
          1,
        ),
    ],
    [`${r.sizes.clients} clients: no failure, wall ≤ pyftpdlib (pyftpdlib ÷ ours)`, (rt) => {
      const f = failures(`anyftp ${rt}`, "burst");
      return f
        ? `${f} failed ✗`
        : goal(med("pyftpdlib", "burst") / med(`anyftp ${rt}`, "burst"), 1);
    }],
    ["RSS per idle session ≤ 32 KiB (forced GC)", (rt) => {
      const x = r.gcMemory.find((m) => m.runtime === rt)?.perSessionKiB ?? NaN;
      return Number.isFinite(x) ? `${x.toFixed(1)} KiB ${x <= 32 ? "✓" : "✗"}` : "–";
    }],
    ["idle RSS growth first → third repetition < 5 % (forced GC)", (rt) => {
      const g = r.gcMemory.find((m) => m.runtime === rt)?.suite?.growthPercent ?? NaN;
      return Number.isFinite(g) ? `${g.toFixed(1)} % ${g < 5 ? "✓" : "✗"}` : "–";
    }],
    [
      "client API download ≥ basic-ftp (same runtime)",
      (rt) =>
        goal(med(`anyftp-api ${rt}`, "client-down") / med(`basic-ftp ${rt}`, "client-down"), 1),
    ],
    [
      "client API download ≥ 0.8× curl",
      (rt) => goal(med(`anyftp-api ${rt}`, "client-down") / med("curl", "client-down"), 0.8),
    ],
    [
      "`anyftp get` download ≥ basic-ftp (same runtime)",
      (rt) =>
        goal(med(`anyftp-get ${rt}`, "client-down") / med(`basic-ftp ${rt}`, "client-down"), 1),
    ],
    [
      "`anyftp get` download ≥ 0.8× curl",
      (rt) => goal(med(`anyftp-get ${rt}`, "client-down") / med("curl", "client-down"), 0.8),
    ],
    [
      "client API upload ≥ curl",
      (rt) => goal(med(`anyftp-api ${rt}`, "client-up") / med("curl", "client-up"), 1),
    ],
    [
      "`anyftp put` upload ≥ curl",
      (rt) => goal(med(`anyftp-get ${rt}`, "client-up") / med("curl", "client-up"), 1),
    ],
  ];
  return [
    "#### Targets (ratios from this run; ✓ met, ✗ not met)",
    "",
    `| target | ${RUNTIMES.join(" | ")} |`,
    `| --- | ${RUNTIMES.map(() => "---:").join(" | ")} |`,
    ...rows.map(([name, f]) => `| ${name} | ${RUNTIMES.map(f).join(" | ")} |`),
  ];
}
