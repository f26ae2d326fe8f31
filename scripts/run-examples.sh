#!/usr/bin/env bash
# Runs every examples/*.ts with tsx (CI runs this after the tests); fails on the first example that fails.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/ensure-redis.sh
status=0
for example in examples/*.ts; do
  echo "=== $example"
  start=$(date +%s)
  if ! timeout 180 npx --no-install tsx "$example"; then
    echo "example failed: $example" >&2
    status=1
    break
  fi
  echo "=== $example ok ($(( $(date +%s) - start )) s)"
done
exit $status
