#!/usr/bin/env bash
# Installs node_modules from the lockfile when they are missing or were installed from another lockfile
# (compared by content: a checkout that only touches the lockfile's time reinstalls nothing).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/node24.sh
lock_digest=$(node -e 'process.stdout.write(require("crypto").createHash("sha256").update(require("fs").readFileSync("package-lock.json")).digest("hex"))')
stamp=node_modules/.meetplane-lock.sha256
if [ ! -d node_modules ] || [ ! -f node_modules/.package-lock.json ] || [ "$(cat "$stamp" 2>/dev/null)" != "$lock_digest" ]; then
  printf '\033[1m==>\033[0m %s\n' "node modules: installing from package-lock.json"
  npm ci --no-audit --no-fund
  printf '%s' "$lock_digest" >"$stamp"
fi
