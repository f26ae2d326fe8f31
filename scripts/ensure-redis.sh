#!/usr/bin/env bash
# Makes sure redis-server and redis-cli (Redis 7.x) are on PATH, installing Debian's
# redis-server and redis-tools packages when they are missing. Called by `npm test` and `npm run demo`.
set -euo pipefail

have() { command -v "$1" >/dev/null 2>&1; }

if have redis-server && have redis-cli; then
  exit 0
fi
# iproute2 (ip netns) lets the host-tuning test run for real; it is optional.
extra=""
have ip || extra="iproute2"

echo "redis-cluster-ops: redis-server/redis-cli not found; installing Debian packages redis-server and redis-tools" >&2
if ! have apt-get; then
  echo "redis-cluster-ops: cannot install Redis here (no apt-get). Install redis-server and redis-tools 7.x and put them on PATH." >&2
  exit 1
fi

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  if have sudo; then SUDO="sudo -n"; else
    echo "redis-cluster-ops: run as root or install redis-server and redis-tools yourself: apt-get update && apt-get install -y redis-server redis-tools" >&2
    exit 1
  fi
fi

export DEBIAN_FRONTEND=noninteractive
if ! { $SUDO apt-get update -qq && $SUDO apt-get install -y -qq --no-install-recommends redis-server redis-tools $extra >/dev/null; }; then
  echo "redis-cluster-ops: apt-get could not install redis-server and redis-tools. Install them yourself: apt-get update && apt-get install -y redis-server redis-tools" >&2
  exit 1
fi

# Debian's package starts a system-wide redis on 6379; our tools start their own processes on free ports.
if have systemctl; then $SUDO systemctl disable --now redis-server >/dev/null 2>&1 || true; fi
if have service; then $SUDO service redis-server stop >/dev/null 2>&1 || true; fi

if ! { have redis-server && have redis-cli; }; then
  echo "redis-cluster-ops: redis-server/redis-cli still missing after install; install redis-server and redis-tools 7.x" >&2
  exit 1
fi
echo "redis-cluster-ops: installed $(redis-server --version | cut -d' ' -f3)" >&2
