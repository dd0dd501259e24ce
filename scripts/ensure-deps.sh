#!/usr/bin/env bash
# Installs node_modules from the lockfile when they are missing or older than it.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/node24.sh
if [ ! -d node_modules ] || [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  printf '\033[1m==>\033[0m %s\n' "node modules: installing from package-lock.json"
  npm ci --no-audit --no-fund
fi
