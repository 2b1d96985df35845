#!/usr/bin/env bash
# Sets up a Debian/Ubuntu machine for the whole test suite (as root) and runs it:
# system packages, tracefs, npm ci, build, unit + kernel tests.
set -euo pipefail
cd "$(dirname "$0")/.."

PACKAGES=(bpftrace runc busybox-static netcat-openbsd netcat-traditional ncat openssl iproute2 procps util-linux systemd)
missing=()
for p in "${PACKAGES[@]}"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
if [ ${#missing[@]} -gt 0 ]; then
  echo "installing: ${missing[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# Both netcat variants are installed; `nc` is netcat-openbsd, as on a default Debian.
update-alternatives --set nc /bin/nc.openbsd >/dev/null

if [ ! -d /sys/kernel/tracing/events ]; then
  mount -t tracefs nodev /sys/kernel/tracing
fi

npm ci --no-audit --no-fund --loglevel=error
npm run -s build
exec npx vitest run "$@"
