#!/usr/bin/env bash
# Run the server and client benchmarks one after another (never in parallel: the reference machine
# has 2 cores) and write their tables into bench/server/README.md and bench/client/README.md.
#   bash bench/run_all.sh            # server, then client
#   BENCH_WITH_ADAPTERS=1 bash bench/run_all.sh   # the socket-adapter bench first
#   BENCH_WITH_MEMORY=0 bash bench/run_all.sh     # skip the 1 GiB memory bench at the end
# Each bench waits (up to 10 min) for the 1-minute load average to fall below BENCH_MAX_LOAD
# (1.5) and records the load and other processes' CPU use in its report. Raw samples go to
# bench/results/*.json. Every child is bounded in time and stopped at the end.
set -euo pipefail
cd "$(dirname "$0")/.."
deno=$PWD/node_modules/.bin/deno
if [ "${BENCH_WITH_ADAPTERS:-}" = 1 ]; then bash bench/adapters/run.sh; fi
timeout 3600 "$deno" run -A bench/server/throughput.ts
timeout 3600 "$deno" run -A bench/client/throughput.ts
# RSS of our server during 1 GiB transfers (flat = no whole-file buffering); fails when RSS
# grows by more than 10 % of the file size.
if [ "${BENCH_WITH_MEMORY:-1}" = 1 ]; then timeout 1800 "$deno" run -A bench/server/memory.ts; fi
