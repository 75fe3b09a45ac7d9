#!/usr/bin/env bash
# Run the throughput benchmarks one after another (never in parallel: the reference machine
# has 2 cores) and write their tables into bench/server/README.md and bench/client/README.md.
#   bash bench/run_all.sh            # server, then client
#   BENCH_WITH_ADAPTERS=1 bash bench/run_all.sh   # the socket-adapter bench first
# Each bench waits (up to 10 min) for the 1-minute load average to fall below BENCH_MAX_LOAD
# (1.5) and records the load and other processes' CPU use in its report. Raw samples go to
# bench/results/*.json. Every child is bounded in time and stopped at the end.
set -euo pipefail
cd "$(dirname "$0")/.."
deno=$PWD/node_modules/.bin/deno
if [ "${BENCH_WITH_ADAPTERS:-}" = 1 ]; then bash bench/adapters/run.sh; fi
timeout 3600 "$deno" run -A bench/server/throughput.ts
timeout 3600 "$deno" run -A bench/client/throughput.ts
