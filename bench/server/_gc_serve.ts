/**
 * `anyftp serve` (the CLI's `runCli`) with a forced-GC hook, for bench/server/session_memory.ts:
 * for each line on standard input the process runs a full garbage collection (Node `--expose-gc`, Deno
 * `--v8-flags=--expose-gc`, `Bun.gc(true)`) and prints `gc` on standard output, so the
 * bench reads RSS after a collection rather than whenever the collector last ran.
 *
 * usage: `<runtime> [gc flag] bench/server/_gc_serve.ts serve DIR [options]`.
 */
import process from "node:process";
import { runCli } from "../../src/cli/main.ts";
import { exitAfterFlush, processIO } from "../../src/cli/_runtime.ts";

function collect(): void {
  const g = globalThis as { gc?: () => void; Bun?: { gc(force: boolean): void } };
  if (g.Bun) g.Bun.gc(true);
  else g.gc?.();
}

// Standard input, not a signal: Deno's node:process let a second SIGUSR2 kill the process.
process.stdin.on("data", () => {
  // Twice: the first pass finalises, the second frees what the finalisers let go.
  collect();
  collect();
  const { heapUsed, external } = process.memoryUsage();
  process.stdout.write(`gc ${JSON.stringify({ heapUsed, external })}\n`);
});
await exitAfterFlush(await runCli(processIO()));
