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
step "tests on deno" "$bin/deno" test -A --quiet --no-check "${files[@]}"
step "tests on bun" "$bin/bun" test --timeout 600000 "${files[@]/#/./}"
step "tests on node (dist/)" node --test --test-reporter=spec --test-concurrency=1 "${node_files[@]}"

echo
echo "=== summary ==="
printf '%s\n' "${summary[@]}"
exit $status
