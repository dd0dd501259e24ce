#!/usr/bin/env bash
# npm test: installs what is missing, checks types and lint, then runs the unit,
# CDK and integration suites. The integration suite starts the local stack (or
# reuses a running one) and stops what it started.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/node24.sh
step() { printf '\033[1m==>\033[0m %s\n' "$*"; }

bash scripts/ensure-deps.sh
bash scripts/install-tools.sh

step "type check"
npx --no-install tsc --noEmit -p tsconfig.json
npx --no-install tsc --noEmit -p web/tsconfig.json
step "lint"
npx --no-install eslint --max-warnings 0 .

step "tests (unit, cdk, integration)"
mkdir -p .tools
rm -f .tools/jest-results.json
status=0
node --experimental-vm-modules --no-warnings=ExperimentalWarning node_modules/jest/bin/jest.js \
  --runInBand --json --outputFile=.tools/jest-results.json "$@" || status=$?

# One plain closing line that any log reader understands.
[ -f .tools/jest-results.json ] && node -e '
  const r = JSON.parse(require("fs").readFileSync(".tools/jest-results.json", "utf8"));
  const failed = r.numFailedTests + r.numRuntimeErrorTestSuites;
  console.log(`\njest: ${r.numPassedTests} passed, ${failed} failed, ${r.numPendingTests + r.numTodoTests} skipped`);
' || true

# Dependencies paused and killed under load, on a stack of its own (a few minutes); its last line is `faults: …`.
# Only on a full run: arguments select Jest tests.
if [ $# -eq 0 ]; then
  step "faults (test/faults: DynamoDB, KMS and LiveKit paused and killed under load)"
  node --import tsx test/faults/run.ts || status=1
fi
exit $status
