#!/usr/bin/env bash
# npm start: install what is missing, then run the local stack in the foreground.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/node24.sh
bash scripts/ensure-deps.sh
bash scripts/install-tools.sh
exec node --import tsx scripts/local-stack/main.ts
