#!/usr/bin/env bash
# The README's test command (`npm test`): installs Redis when missing, builds, typechecks, runs every test,
# and ends with one plain summary line ("N passed, N failed, N skipped").
set -uo pipefail
cd "$(dirname "$0")/.."
bash scripts/ensure-redis.sh || exit 1
npm run --silent build || exit 1
npm run --silent typecheck || exit 1
mkdir -p .tmp
rm -f .tmp/vitest-report.json
npx --no-install vitest run --reporter=default --reporter=json --outputFile.json=.tmp/vitest-report.json "$@"
status=$?
node scripts/test-summary.mjs .tmp/vitest-report.json || true
exit $status
