/**
 * Run by tests/client_hostile_server.test.ts in a fresh process of the same runtime (a test
 * runner's own bookkeeping, such as node:test's async tracking, would inflate the numbers):
 * list `/` of the server on 127.0.0.1:<port> and print one JSON line with the entry count and
 * the RSS before and at the peak of the listing.
 */
import process from "node:process";
import { Client } from "../../src/client/mod.ts";

const port = Number(process.argv[process.argv.length - 1]);
const client = await Client.connect(`ftp://u:p@127.0.0.1:${port}`, {
  socketTimeout: 30_000,
  dataTimeout: 30_000,
});
const before = process.memoryUsage().rss;
let peak = before;
const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 10);
const entries = await client.list("/").toArray();
peak = Math.max(peak, process.memoryUsage().rss);
clearInterval(sampler);
console.log(JSON.stringify({ count: entries.length, before, peak }));
client.close();
