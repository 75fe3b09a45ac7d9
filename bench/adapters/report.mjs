// Turn the JSON lines of run.sh into a Markdown table (medians) and put it into
// bench/README.md between the bench:adapters markers.
//   node report.mjs <results.jsonl> <README.md>
import { execFileSync } from "node:child_process";
import { cpus } from "node:os";
import { readFileSync, writeFileSync } from "node:fs";

const [resultsPath, readmePath] = process.argv.slice(2);
const rows = readFileSync(resultsPath, "utf8").trim().split("\n").filter(Boolean).map((l) => JSON.parse(l));
const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const gbps = (runtime, dir, impl) =>
  median(rows.filter((r) => r.runtime === runtime && r.dir === dir && r.impl === impl).map((r) => r.gbps));
const version = (cmd, args) => {
  try {
    return execFileSync(cmd, args, { encoding: "utf8" }).split("\n")[0].trim();
  } catch {
    return "?";
  }
};
const bin = new URL("../../node_modules/.bin/", import.meta.url).pathname;
const versions = { node: process.version, deno: version(bin + "deno", ["--version"]), bun: "bun " + version(bin + "bun", ["--version"]) };
const runs = Math.max(...rows.map((r) => rows.filter((x) => x.runtime === r.runtime && x.dir === r.dir && x.impl === r.impl).length));
const mib = rows[0] ? Math.round(rows[0].bytes / 2 ** 20) : 0;
const label = { send: "send (file → socket, RETR)", recv: "recv (socket → file, STOR)" };
const lines = [
  `Median of ${runs} runs, ${mib} MiB each, peer = separate Node process, ${cpus().length} cores, ` +
    `${new Date().toISOString().slice(0, 10)}; ${versions.node}, ${versions.deno}, ${versions.bun}.`,
  "",
  "| runtime | direction | plain GB/s | adapter GB/s | adapter / plain |",
  "| --- | --- | ---: | ---: | ---: |",
];
for (const runtime of [...new Set(rows.map((r) => r.runtime))]) {
  for (const dir of ["send", "recv"]) {
    const plain = gbps(runtime, dir, "plain");
    const adapter = gbps(runtime, dir, "adapter");
    if (plain === undefined || adapter === undefined) continue;
    lines.push(`| ${runtime} | ${label[dir]} | ${plain.toFixed(2)} | ${adapter.toFixed(2)} | ${(100 * adapter / plain).toFixed(0)} % |`);
  }
}
const table = lines.join("\n");
console.log(table);
const readme = readFileSync(readmePath, "utf8");
const start = "<!-- bench:adapters:start -->";
const end = "<!-- bench:adapters:end -->";
const at = readme.indexOf(start);
const until = readme.indexOf(end);
if (at < 0 || until < at) throw new Error(`${readmePath} lacks the ${start} … ${end} markers`);
writeFileSync(readmePath, readme.slice(0, at + start.length) + "\n" + table + "\n" + readme.slice(until));
