#!/usr/bin/env bash
# The whole check: type-check (tsc + deno check), deno lint, then the same node:test files
# on Deno, Bun and Node (Node runs the tsc-built dist/), and the accept-rate tests also on a
# current LTS Node. One summary line per runtime; exits non-zero if any step fails. Pass file
# names to run only those tests.
set -u
cd "$(dirname "$0")/.."
bin=node_modules/.bin
status=0
summary=()
step() { # name, command...
  local name=$1; shift
  echo "::: $name"
  if "$@"; then summary+=("PASS  $name"); else summary+=("FAIL  $name"); status=1; fi
}

if [ $# -gt 0 ]; then files=("$@"); else files=(tests/*.test.ts); fi
node_files=()
for f in "${files[@]}"; do node_files+=("dist/${f%.ts}.js"); done

# The accept-rate tests also run on a current LTS Node (the machine's node may be older: Node
# 20 has no `reusePort`, so ListenOptions.acceptors keeps one socket there; see bench/soak.md).
# scripts/node_lts.sh fetches it from npm once. ANYFTP_NODE_LTS: its version (default 24), or
# "off". Without npm access it is skipped, except under CI=true.
lts_version=${ANYFTP_NODE_LTS:-24}
lts_files=()
for f in "${files[@]}"; do
  case "$f" in tests/net_acceptors.test.ts | tests/server_soak.test.ts) lts_files+=("dist/${f%.ts}.js") ;; esac
done
lts_node=""
if [ "$lts_version" != off ] && [ ${#lts_files[@]} -gt 0 ]; then
  if lts_node=$(bash scripts/node_lts.sh "$lts_version"); then :
  elif [ "${CI:-}" = true ]; then summary+=("FAIL  node $lts_version (scripts/node_lts.sh)"); status=1; lts_node=""
  else summary+=("SKIP  tests on node $lts_version (scripts/node_lts.sh failed)"); lts_node=""
  fi
fi

# No `rm -rf dist`: tsc overwrites, and only tests/*.test.ts that exist are run from it.
step "tsc (type-check + build dist/)" "$bin/tsc" -p tsconfig.json
step "deno check" "$bin/deno" check --quiet mod.ts src/ tests/
step "deno lint" "$bin/deno" lint --quiet
step "JSDoc and README examples type-check" "$bin/deno" check --quiet --config doc_check.deno.json --doc-only README.md mod.ts src/
# The three runtimes' test runs wait mostly on sockets, timers and peers, so they run at the
# same time (each in its own process, ports from the system or checked free), their output
# kept apart and shown one runtime after the other. ANYFTP_TEST_SERIAL=1 runs them in turn.
runtimes=("tests on deno" "tests on bun" "tests on node $(node --version) (dist/)")
indexes=(0 1 2)
if [ -n "$lts_node" ]; then
  runtimes+=("accept-rate tests on node $("$lts_node" --version) (dist/)")
  indexes+=(3)
fi
run_runtime() { # index
  case $1 in
    0) "$bin/deno" test -A --quiet --no-check "${files[@]}" ;;
    1) "$bin/bun" test --timeout 600000 "${files[@]/#/./}" ;;
    2) node --test --test-reporter=spec --test-concurrency=1 "${node_files[@]}" ;;
    3) PATH="$(dirname "$lts_node"):$PATH" "$lts_node" --test --test-reporter=spec --test-concurrency=1 "${lts_files[@]}" ;;
  esac
}
if [ "${ANYFTP_TEST_SERIAL:-}" = 1 ]; then
  for i in "${indexes[@]}"; do step "${runtimes[$i]}" run_runtime "$i"; done
else
  logs=$(mktemp -d)
  pids=()
  for i in "${indexes[@]}"; do
    (run_runtime "$i" >"$logs/$i.log" 2>&1; echo $? >"$logs/$i.rc") &
    pids+=($!)
  done
  for i in "${indexes[@]}"; do
    wait "${pids[$i]}"
    echo "::: ${runtimes[$i]}"
    cat "$logs/$i.log"
    if [ "$(cat "$logs/$i.rc")" = 0 ]; then summary+=("PASS  ${runtimes[$i]}"); else summary+=("FAIL  ${runtimes[$i]}"); status=1; fi
  done
  rm -rf "$logs"
fi

echo
echo "=== summary ==="
printf '%s\n' "${summary[@]}"
exit $status
