#!/usr/bin/env bash
# Installs nightjar on a Debian/Ubuntu host and starts it on defaults (run as root, from a
# checkout): system packages, a Node.js runtime of its own under /opt/nightjar/runtime when the
# host's is missing or older than 20.18 (packaging/install-runtime.sh), build, /opt/nightjar,
# `nightjar` on PATH, tracefs, a config file created once, then the systemd service where
# systemd runs (/run/systemd/system exists), else the agent in the foreground. Idempotent: run
# it again to upgrade; an edited config is never overwritten.
#   ./install.sh               install and start
#   ./install.sh --no-start    install only
#   ./install.sh --no-build    install what is already built (dist/)
#   ./install.sh --uninstall   remove the program, its runtime and the service; keep config, state, logs
#   ./install.sh --purge       remove config, state and logs too
# NIGHTJAR_ROOT=/some/dir puts every path under that directory (for tests; no packages,
# no service, no tracefs mount).
set -euo pipefail
cd "$(dirname "$0")"

ROOT="${NIGHTJAR_ROOT:-}"
PREFIX="$ROOT/opt/nightjar"
BIN="$ROOT/usr/local/bin/nightjar"
ETC="$ROOT/etc/nightjar"
STATE="$ROOT/var/lib/nightjar"
LOGS="$ROOT/var/log/nightjar"
UNIT="$ROOT/etc/systemd/system/nightjar.service"
RUNTIME="$PREFIX/runtime"
MODE=install
START=1
BUILD=1
for arg in "$@"; do
  case "$arg" in
    --no-start) START=0 ;;
    --no-build) BUILD=0 ;;
    --uninstall) MODE=uninstall ;;
    --purge) MODE=purge ;;
    -h|--help) sed -n '2,15p' "$0"; exit 0 ;;
    *) echo "install.sh: unknown option $arg" >&2; exit 2 ;;
  esac
done

say() { printf 'nightjar: %s\n' "$*"; }
die() { printf 'nightjar: %s\n' "$*" >&2; exit 1; }
# systemd's own test (sd_booted): the directory exists only where systemd is the init system.
systemd_here() { [ -z "$ROOT" ] && [ -d /run/systemd/system ]; }

[ "$(id -u)" -eq 0 ] || die "run as root (sudo ./install.sh)"

if [ "$MODE" != install ]; then
  if systemd_here; then
    systemctl disable --now nightjar.service 2>/dev/null || true
  fi
  rm -rf "$PREFIX" "$BIN" "$UNIT"
  systemd_here && systemctl daemon-reload
  if [ "$MODE" = purge ]; then
    rm -rf "$ETC" "$STATE" "$LOGS"
    say "removed nightjar, its config, state and logs"
  else
    say "removed nightjar and its runtime; kept $ETC, $STATE and $LOGS (--purge removes them)"
  fi
  exit 0
fi

if [ -z "$ROOT" ]; then
  command -v apt-get >/dev/null || die "needs a Debian or Ubuntu host (apt-get)"
  kernel=$(uname -r | cut -d. -f1-2)
  [ "$(printf '%s\n5.8\n' "$kernel" | sort -V | head -1)" = "5.8" ] || die "kernel $kernel is older than 5.8 (BTF and CAP_BPF)"
  [ -f /sys/kernel/btf/vmlinux ] || die "this kernel has no BTF (/sys/kernel/btf/vmlinux); nightjar needs CONFIG_DEBUG_INFO_BTF"
  need=()
  command -v bpftrace >/dev/null || need+=(bpftrace)
  command -v setpriv >/dev/null || need+=(util-linux)
  if ! packaging/install-runtime.sh --host-ok; then
    command -v curl >/dev/null || need+=(curl)
    [ -f /etc/ssl/certs/ca-certificates.crt ] || need+=(ca-certificates)
  fi
  if [ ${#need[@]} -gt 0 ]; then
    say "installing ${need[*]}"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
  fi
  if [ ! -d /sys/kernel/tracing/events ]; then
    say "mounting tracefs"
    mount -t tracefs nodev /sys/kernel/tracing
  fi
fi
# The host's Node.js when it is recent enough (with npm), else a pinned one for nightjar alone:
# it never goes on PATH, so the host's own node stays what it was.
if packaging/install-runtime.sh --host-ok; then
  NODE=$(command -v node)
  rm -rf "$RUNTIME"
  say "using this host's Node.js $(node --version) ($NODE)"
else
  found=$(command -v node >/dev/null && node --version || echo none)
  say "this host's Node.js ($found) is not >= 20.18 with npm: installing a pinned Node.js for nightjar alone in $RUNTIME"
  packaging/install-runtime.sh "$RUNTIME"
  NODE="$RUNTIME/bin/node"
  export PATH="$RUNTIME/bin:$PATH"
fi

if [ "$BUILD" -eq 1 ]; then
  say "building"
  npm ci --no-audit --no-fund --loglevel=error
  npm run -s build
fi
[ -f dist/cli/main.js ] || die "nothing built: run without --no-build"

say "installing to $PREFIX"
mkdir -p "$PREFIX" "$(dirname "$BIN")"
rm -rf "$PREFIX/dist" "$PREFIX/probes" "$PREFIX/rules" "$PREFIX/bin"
cp -r dist probes bin rules package.json package-lock.json README.md "$PREFIX/"
(cd "$PREFIX" && npm ci --omit=dev --no-audit --no-fund --loglevel=error)
rm -f "$BIN"
printf '#!/bin/sh\n# written by install.sh: the nightjar CLI on the Node.js runtime it chose\nexec "%s" "%s" "$@"\n' \
  "$NODE" "$PREFIX/dist/cli/main.js" >"$BIN"
chmod 0755 "$BIN"
install -d -m 0750 "$STATE" "$LOGS" "$ETC"
if [ ! -e "$ETC/config.yaml" ]; then
  install -m 0640 packaging/config.yaml "$ETC/config.yaml"
  say "wrote $ETC/config.yaml (yours to edit; never overwritten)"
fi

if [ -n "$ROOT" ]; then
  say "installed under $ROOT"
  exit 0
fi

say "checking the host"
"$BIN" doctor || die "fix what doctor reports, then run ./install.sh again"

if systemd_here; then
  install -m 0644 packaging/systemd/nightjar.service "$UNIT"
  systemctl daemon-reload
  if [ "$START" -eq 1 ]; then
    systemctl enable nightjar.service
    systemctl restart nightjar.service
    say "running as systemd service nightjar (journalctl -u nightjar -f; alerts: nightjar tail -f)"
  fi
else
  say "systemd is not running here (no /run/systemd/system): no service installed"
  if [ "$START" -eq 1 ]; then
    say "starting the agent in the foreground (Ctrl-C stops it)"
    exec "$BIN" run
  fi
fi
