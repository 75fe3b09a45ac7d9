#!/usr/bin/env bash
# Release checks (run by .ci/run after npm test; needs dist/ built and the npm registry for
# publint and attw): JSR dry run publishes only the library, deno doc --lint is silent, the
# npm tarball passes publint and attw (ESM entry points), installs without a warning into
# scratch Node, Bun and Deno projects, and the README's examples run there and in the
# checkout, each on its runtime. One summary line per check; exits non-zero if any fails.
set -u
cd "$(dirname "$0")/.."
root=$PWD
bin=$root/node_modules/.bin
export NO_COLOR=1
status=0
summary=()
check() { # name, command...
  local name=$1; shift
  echo "::: $name"
  if "$@"; then summary+=("PASS  $name"); else summary+=("FAIL  $name"); status=1; fi
}
work=$(mktemp -d "${TMPDIR:-/tmp}/anyftp-release-XXXXXX")
trap 'rm -rf "$work"' EXIT
# Every run below is bounded: an example that hangs fails its check.
bounded() { timeout 180 "$@"; }

# Exactly mod.ts, src/, README.md, LICENSE (and deno.json, which JSR always takes).
jsr_dry_run() {
  local out
  out=$("$bin/deno" publish --dry-run --allow-dirty 2>&1) || { echo "$out"; return 1; }
  local files
  files=$(grep -o "file://$root/[^ ]*" <<<"$out" | sed "s|file://$root/||")
  echo "$files" | sed 's/^/  /'
  local extra
  extra=$(grep -Ev '^(mod\.ts|README\.md|LICENSE|deno\.json|src/.+\.ts)$' <<<"$files")
  [ -z "$extra" ] || { echo "not part of the library: $extra"; return 1; }
  for f in mod.ts README.md LICENSE src/testing/mod.ts; do
    grep -qx "$f" <<<"$files" || { echo "missing from the publish list: $f"; return 1; }
  done
  grep -q "Dry run complete" <<<"$out"
}

# Over every export of deno.json at once (as JSR documents them): no error, no warning.
doc_lint() {
  local entries out
  mapfile -t entries < <(node -e 'for (const p of Object.values(require("./deno.json").exports)) console.log(p)')
  out=$("$bin/deno" doc --lint "${entries[@]}" 2>&1) || { echo "$out"; return 1; }
  echo "$out"
  ! grep -Eqi 'warning|error' <<<"$out"
}

# npm pack runs prepack (a clean build); the tarball holds the package files only.
pack() {
  npm pack --pack-destination "$work" --silent >"$work/pack.log" 2>&1 || { cat "$work/pack.log"; return 1; }
  tgz=$(ls "$work"/anyftp-*.tgz) || return 1
  local unexpected
  unexpected=$(tar -tzf "$tgz" | grep -Ev '^package/(package\.json|README\.md|LICENSE|dist/mod\.(js|d\.ts|js\.map)|dist/src/.+\.(js|d\.ts|js\.map))$')
  [ -z "$unexpected" ] || { echo "unexpected in the tarball: $unexpected"; return 1; }
}

publint_clean() { bounded npx --yes publint@0.3.25 --strict "$tgz"; }
attw_clean() { bounded npx --yes @arethetypeswrong/cli@0.18.5 --profile esm-only "$tgz"; }

# A scratch project in $work/$1 with the tarball installed by $2...; fails on any warning.
scratch() {
  local dir=$work/$1; shift
  mkdir -p "$dir" && cd "$dir" || return 1
  printf '{ "name": "scratch", "private": true, "type": "module" }\n' >package.json
  cp "$root"/examples/* .
  local out
  out=$(bounded "$@" 2>&1); local rc=$?
  echo "$out"
  [ $rc = 0 ] && ! grep -Eqi '(^|[^a-z])warn' <<<"$out"
}

# Every source map in the installed package carries its sources (src/*.ts is not shipped).
maps_self_contained() {
  node -e '
    const { readdirSync, readFileSync } = require("node:fs");
    const { join } = require("node:path");
    const walk = (d) => readdirSync(d, { withFileTypes: true }).flatMap((e) =>
      e.isDirectory() ? walk(join(d, e.name)) : e.name.endsWith(".map") ? [join(d, e.name)] : []);
    const maps = walk("node_modules/anyftp/dist");
    const bad = maps.filter((m) => {
      const map = JSON.parse(readFileSync(m, "utf8"));
      return !Array.isArray(map.sourcesContent) || map.sourcesContent.length !== map.sources.length ||
        map.sourcesContent.some((s) => typeof s !== "string" || s.length === 0);
    });
    if (maps.length === 0 || bad.length > 0) { console.error("maps without sources:", bad); process.exit(1); }
    console.log(maps.length, "source maps, each with its sources");'
}

node_project() {
  scratch node npm install --no-audit --no-fund "$tgz" || return 1
  maps_self_contained &&
    bounded node node.mjs &&
    bounded node node_pool.mjs &&
    bounded node node_files.mjs &&
    bounded node node_trace.mjs 2>/dev/null &&
    bounded node --test --test-reporter=dot testing.test.mjs conformance.test.mjs
}

bun_project() {
  scratch bun "$bin/bun" add "$tgz" || return 1
  bounded "$bin/bun" bun.ts &&
    bounded "$bin/bun" node_pool.mjs &&
    bounded "$bin/bun" test ./testing.test.mjs ./conformance.test.mjs
}

# Deno's own `deno install` links a file: tarball instead of unpacking it, so npm installs
# it; Deno then runs from node_modules (and type-checks the tests: @types/node for node:test).
deno_project() {
  scratch deno npm install --no-audit --no-fund "$tgz" @types/node@20 || return 1
  bounded "$bin/deno" test -A testing.test.mjs conformance.test.mjs
}

# The Deno examples import jsr:@anyftp/anyftp, which resolves to this checkout (deno.json's name).
deno_examples() {
  bounded "$bin/deno" run --allow-net examples/deno.ts &&
    bounded "$bin/deno" run --allow-net examples/deno_node_adapter.ts
}

# The README's quick start, `npx anyftp serve --memory`, on a free port: curl lists its root.
quick_start() {
  local log=$work/serve.log
  setsid npx anyftp serve --memory --port 0 >"$log" 2>&1 &
  local pid=$! url="" # its own process group: npx and the server it starts stop together
  for _ in $(seq 1 100); do
    url=$(grep -o 'ftp://127\.0\.0\.1:[0-9]*/' "$log" | head -1)
    [ -n "$url" ] && break
    kill -0 $pid 2>/dev/null || break
    sleep 0.2
  done
  local ok=1
  [ -n "$url" ] && bounded curl -sS --max-time 20 "$url" && ok=0
  kill -- -$pid 2>/dev/null; wait $pid 2>/dev/null
  cat "$log"
  return $ok
}

check "deno publish --dry-run: only the library" jsr_dry_run
check "deno doc --lint (every export)" doc_lint
if check "npm pack (clean build, package files only)" pack; then
  check "publint --strict" publint_clean
  check "attw --profile esm-only" attw_clean
  check "tarball into a scratch Node project: no warning, examples run" node_project
  check "tarball into a scratch Bun project: no warning, examples run" bun_project
  check "tarball into a scratch Deno project: no warning, tests run" deno_project
fi
cd "$root" || exit 1
check "Deno examples in the checkout (jsr:@anyftp/anyftp)" deno_examples
check "quick start: npx anyftp serve --memory" quick_start

echo
echo "=== release checks ==="
printf '%s\n' "${summary[@]}"
exit $status
