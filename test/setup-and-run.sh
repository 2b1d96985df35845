#!/usr/bin/env bash
# The README's test command (`npm test` runs it too). Sets up a Debian/Ubuntu machine for the whole
# suite and runs it: system packages and tracefs (as root), Node.js (the host's when >= 20.18 with
# npm, else the pinned runtime of packaging/install-runtime.sh in ~/.cache/nightjar), npm ci,
# build, unit + kernel tests. Ends with "N passed, N failed, N skipped".
set -euo pipefail
cd "$(dirname "$0")/.."

PACKAGES=(bpftrace runc busybox-static netcat-openbsd netcat-traditional ncat openssl iproute2 procps
  util-linux systemd git curl ca-certificates)
# The systemd and fresh-host tests build Debian roots; inside such a root they do not run again.
[ -n "${NIGHTJAR_TEST_ROOT:-}" ] || PACKAGES+=(debootstrap systemd-container)
missing=()
for p in "${PACKAGES[@]}"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
if [ "$(id -u)" -ne 0 ]; then
  [ ${#missing[@]} -eq 0 ] || echo "not root: not installing ${missing[*]} (kernel tests will skip)"
else
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
fi

if ! packaging/install-runtime.sh --host-ok; then
  runtime="${XDG_CACHE_HOME:-$HOME/.cache}/nightjar/runtime"
  echo "this host has no Node.js >= 20.18 with npm: using the pinned one in $runtime"
  packaging/install-runtime.sh "$runtime"
  export PATH="$runtime/bin:$PATH"
fi

npm ci --no-audit --no-fund --loglevel=error
npm run -s build
exec npx vitest run "$@"
