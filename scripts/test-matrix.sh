#!/usr/bin/env bash
# npm run test:matrix: the compatibility matrix. Runs the integration and fault tests that matter on
# every server version, one version after another, and ends with one line per server.
#
# Which servers (each entry: a server binary, a source tarball, a source directory, or NAME-VERSION):
#   REDIS_SERVERS=/opt/redis-5.0.14.tar.gz,/src/valkey,/usr/local/bin/redis-server npm run test:matrix
#   npm run test:matrix -- redis-6.2.16 ~/valkey-8.0.1.tar.gz
# Default: redis-5.0.14 redis-6.2.16 redis-7.2.6 valkey-8.0.1, each built by ../shared/servers/build.sh
# (SERVER_BUILD_SCRIPT overrides its path), plus the redis-server on PATH (Debian's 7.0: TLS and the
# mixed-version cases run against it). Tarballs and source dirs are built with make (libc malloc, no TLS)
# into $SERVER_CACHE (default ~/.cache/redis-cluster-ops/servers).
set -uo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
cache=${SERVER_CACHE:-$HOME/.cache/redis-cluster-ops/servers}
build_script=${SERVER_BUILD_SCRIPT:-$root/../shared/servers/build.sh}

say() { echo "test:matrix: $*" >&2; }

# Prints the server binary for one entry (building it when needed).
resolve() {
  local entry=$1 name dir bin
  if [ -f "$entry" ] && [ -x "$entry" ]; then echo "$entry"; return 0; fi
  if [ -f "$entry" ] && [[ "$entry" == *.tar.gz || "$entry" == *.tgz ]]; then
    name=$(basename "$entry"); name=${name%.tar.gz}; name=${name%.tgz}
    dir="$cache/$name"
    if [ ! -d "$dir/src" ]; then
      mkdir -p "$cache"
      local tmp; tmp=$(mktemp -d "$cache/.extract-XXXXXX")
      tar -xzf "$entry" -C "$tmp" || { say "cannot extract $entry"; return 1; }
      local top; top=$(find "$tmp" -mindepth 1 -maxdepth 1 -type d | head -1)
      rm -rf "$dir"; mv "$top" "$dir"; rm -rf "$tmp"
    fi
    entry=$dir
  fi
  if [ -d "$entry" ] && [ -f "$entry/Makefile" ]; then
    for bin in valkey-server redis-server; do [ -x "$entry/src/$bin" ] && { echo "$entry/src/$bin"; return 0; }; done
    say "building $entry (make MALLOC=libc BUILD_TLS=no; 1-2 minutes)"
    make -C "$entry" -j"$(nproc)" MALLOC=libc BUILD_TLS=no >"$entry/.build.log" 2>&1 || { tail -20 "$entry/.build.log" >&2; say "build of $entry failed"; return 1; }
    for bin in valkey-server redis-server; do [ -x "$entry/src/$bin" ] && { echo "$entry/src/$bin"; return 0; }; done
    return 1
  fi
  if [[ "$entry" =~ ^(redis|valkey)-[0-9]+\.[0-9]+\.[0-9]+$ ]]; then
    [ -x "$build_script" ] || [ -f "$build_script" ] || { say "no build script at $build_script for $entry (set SERVER_BUILD_SCRIPT, or pass a tarball or source dir)"; return 1; }
    bash "$build_script" "$entry"
    return $?
  fi
  command -v "$entry" 2>/dev/null && return 0
  say "cannot use '$entry': not an executable, a .tar.gz, a source dir or NAME-VERSION"
  return 1
}

entries=()
if [ $# -gt 0 ]; then entries=("$@")
elif [ -n "${REDIS_SERVERS:-}" ]; then IFS=',' read -r -a entries <<<"$REDIS_SERVERS"
else entries=(redis-5.0.14 redis-6.2.16 redis-7.2.6 valkey-8.0.1)
fi

# The tests that matter on every version: create, check, fix, membership and forget, migration with
# keys and drain, crash-resume, every failover mode with replica reads, import, config boot, doctor,
# and the version-specific behaviours (capabilities). Every test file reads the server under test
# from REDIS_CLUSTER_OPS_TEST_SERVER (test/helpers/test-cluster.ts).
files=(
  test/matrix/capabilities.test.ts
  test/integration/topology-create.test.ts
  test/integration/topology-check.test.ts
  test/integration/fix-open-slots.test.ts
  test/integration/membership-add-remove.test.ts
  test/integration/migrate-reshard.test.ts
  test/faults/migrate-kill.test.ts
  test/integration/failover-manual.test.ts
  test/integration/import-data.test.ts
  test/integration/config-boot.test.ts
  test/integration/config-boot-paths.test.ts
  test/integration/doctor-real.test.ts
)
# Run once, against the redis-server on PATH and the newest server of the list: TLS, mixed versions.
once=(test/integration/tls-cluster.test.ts test/matrix/mixed-version.test.ts)

mkdir -p .tmp/matrix
summary=()
status=0
newest=""
for entry in "${entries[@]}"; do
  server=$(resolve "$entry") || { summary+=("$entry: NOT BUILT"); status=1; continue; }
  version=$("$server" --version | head -1 | sed -E 's/ sha=.*//')
  case "$version" in *"v=7.2"*|*Valkey*) newest=$server ;; esac
  say "== $version ($server)"
  report=".tmp/matrix/$(echo "$version" | tr ' =' '__').json"
  start=$(date +%s)
  # Valkey 8 waits for replica acks on every SETSLOT: bulk moves take longer (minutes for a 4096-slot
  # rebalance and drain on a busy host), so tests get more time.
  REDIS_CLUSTER_OPS_TEST_SERVER=$server npx --no-install vitest run "${files[@]}" \
    --testTimeout=600000 --hookTimeout=240000 --reporter=dot --reporter=json --outputFile.json="$report"
  code=$?
  line=$(node scripts/test-summary.mjs "$report" 2>/dev/null | tail -1)
  summary+=("$version: $line ($(( $(date +%s) - start )) s)")
  [ $code -eq 0 ] || status=1
done

if [ -n "$newest" ]; then
  say "== TLS (redis-server on PATH) and mixed versions (redis-server on PATH + $newest)"
  start=$(date +%s)
  REDIS_CLUSTER_OPS_UPGRADE_SERVER=$newest npx --no-install vitest run "${once[@]}" \
    --testTimeout=240000 --hookTimeout=240000 --reporter=dot --reporter=json --outputFile.json=.tmp/matrix/once.json
  code=$?
  summary+=("TLS + mixed versions: $(node scripts/test-summary.mjs .tmp/matrix/once.json 2>/dev/null | tail -1) ($(( $(date +%s) - start )) s)")
  [ $code -eq 0 ] || status=1
fi

echo
echo "compatibility matrix:"
for line in "${summary[@]}"; do echo "  $line"; done
exit $status
