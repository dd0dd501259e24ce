#!/usr/bin/env bash
# npm start: install what is missing, then run the local stack in the foreground.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/ensure-deps.sh
bash scripts/install-tools.sh
exec node --import tsx scripts/local-stack/main.ts
