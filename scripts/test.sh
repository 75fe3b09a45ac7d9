#!/usr/bin/env bash
# The whole check: type-check (tsc + deno check), deno lint, then the same node:test files
# on Deno, Bun and Node (Node runs the tsc-built dist/). One summary line per runtime;
# exits non-zero if any step fails. Pass file names to run only those tests.
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

# No `rm -rf dist`: tsc overwrites, and only tests/*.test.ts that exist are run from it.
step "tsc (type-check + build dist/)" "$bin/tsc" -p tsconfig.json
step "deno check" "$bin/deno" check --quiet mod.ts src/ tests/
step "deno lint" "$bin/deno" lint --quiet
step "JSDoc and README examples type-check" "$bin/deno" check --quiet --config doc_check.deno.json --doc-only README.md mod.ts src/
# The three runtimes' test runs wait mostly on sockets, timers and peers, so they run at the
# same time (each in its own process, ports from the system or checked free), their output
# kept apart and shown one runtime after the other. ANYFTP_TEST_SERIAL=1 runs them in turn.
runtimes=("tests on deno" "tests on bun" "tests on node (dist/)")
run_runtime() { # index
  case $1 in
    0) "$bin/deno" test -A --quiet --no-check "${files[@]}" ;;
    1) "$bin/bun" test --timeout 600000 "${files[@]/#/./}" ;;
    2) node --test --test-reporter=spec --test-concurrency=1 "${node_files[@]}" ;;
  esac
}
if [ "${ANYFTP_TEST_SERIAL:-}" = 1 ]; then
  for i in 0 1 2; do step "${runtimes[$i]}" run_runtime "$i"; done
else
  logs=$(mktemp -d)
  pids=()
  for i in 0 1 2; do
    (run_runtime "$i" >"$logs/$i.log" 2>&1; echo $? >"$logs/$i.rc") &
    pids+=($!)
  done
  for i in 0 1 2; do
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
