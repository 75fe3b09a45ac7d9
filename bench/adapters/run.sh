#!/usr/bin/env bash
# Adapter throughput: for each runtime, stream a 512 MiB file over loopback to a separate
# peer process (send = file → socket, as a server's RETR) and from it (recv = socket → file,
# as STOR), once through our adapter and once through the runtime's fastest plain path.
# Runs one benchmark at a time (2-core machines), BENCH_RUNS times each with plain and
# adapter runs alternating, and writes the median table into bench/README.md.
#   BENCH_RUNS=3 BENCH_MIB=512 BENCH_RUNTIMES="node deno bun" npm run bench:adapters
set -euo pipefail
cd "$(dirname "$0")/../.."
bin=$PWD/node_modules/.bin
runs=${BENCH_RUNS:-3}
mib=${BENCH_MIB:-512}
runtimes=${BENCH_RUNTIMES:-node deno bun}
bytes=$((mib * 1024 * 1024))
dir=/dev/shm; [ -w "$dir" ] || dir=${TMPDIR:-/tmp}   # RAM-backed: measure sockets, not disks
src=$dir/anyftp-bench-$mib.bin
out=$dir/anyftp-bench-out.bin
results=bench/results/adapters.jsonl
mkdir -p bench/results
[ "$(stat -c %s "$src" 2>/dev/null || echo 0)" = "$bytes" ] || head -c "$bytes" /dev/urandom >"$src"

# Node runs the tsc build; a private outDir, since the test script wipes dist/.
build=bench/results/dist
"$bin/tsc" -p tsconfig.json --outDir "$build" >/dev/null 2>&1 || true
echo '{"type":"module"}' >"$build/package.json"
[ -f "$build/bench/adapters/node_bench.js" ] || { echo "tsc did not build the Node bench" >&2; exit 1; }

: >"$results"
for runtime in $runtimes; do
  for way in send recv; do
    # Alternate plain and adapter runs so load from other processes hits both alike.
    for ((i = 1; i <= runs; i++)); do
      for impl in plain adapter; do
        portfile=$(mktemp -u)
        if [ "$way" = send ]; then node bench/adapters/peer.mjs sink "$portfile" & else
          node bench/adapters/peer.mjs source "$portfile" "$bytes" & fi
        peer=$!
        for ((t = 0; t < 200; t++)); do [ -s "$portfile" ] && break; sleep 0.05; done
        port=$(cat "$portfile"); rm -f "$portfile"
        file=$src; [ "$way" = recv ] && file=$out
        case $runtime in
          node) node "$build/bench/adapters/node_bench.js" "$way" "$impl" "$file" "$port" "$bytes" ;;
          deno) "$bin/deno" run -A bench/adapters/deno_bench.ts "$way" "$impl" "$file" "$port" "$bytes" ;;
          bun) "$bin/bun" bench/adapters/bun_bench.ts "$way" "$impl" "$file" "$port" "$bytes" ;;
        esac | tee -a "$results"
        wait "$peer"
        rm -f "$out"
      done
    done
  done
done
node bench/adapters/report.mjs "$results" bench/README.md
