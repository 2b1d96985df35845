#!/usr/bin/env bash
# Installs nightjar on a Debian/Ubuntu host and starts it on defaults (run as root, from a
# checkout): system packages, build, /opt/nightjar, `nightjar` on PATH, tracefs, then the
# systemd service where systemd is PID 1, else the agent in the foreground.
#   ./install.sh               install (again: idempotent) and start
#   ./install.sh --no-start    install only
set -euo pipefail
cd "$(dirname "$0")"

PREFIX=/opt/nightjar
START=1
for arg in "$@"; do
  case "$arg" in
    --no-start) START=0 ;;
    -h|--help) sed -n '2,6p' "$0"; exit 0 ;;
    *) echo "install.sh: unknown option $arg" >&2; exit 2 ;;
  esac
done

say() { printf 'nightjar: %s\n' "$*"; }
die() { printf 'nightjar: %s\n' "$*" >&2; exit 1; }

[ "$(id -u)" -eq 0 ] || die "run as root (sudo ./install.sh)"
command -v apt-get >/dev/null || die "needs a Debian or Ubuntu host (apt-get)"
kernel=$(uname -r | cut -d. -f1-2)
[ "$(printf '%s\n5.8\n' "$kernel" | sort -V | head -1)" = "5.8" ] || die "kernel $kernel is older than 5.8 (BTF and CAP_BPF)"
[ -f /sys/kernel/btf/vmlinux ] || die "this kernel has no BTF (/sys/kernel/btf/vmlinux); nightjar needs CONFIG_DEBUG_INFO_BTF"

need=()
command -v bpftrace >/dev/null || need+=(bpftrace)
command -v setpriv >/dev/null || need+=(util-linux)
command -v node >/dev/null || need+=(nodejs)
command -v npm >/dev/null || need+=(npm)
if [ ${#need[@]} -gt 0 ]; then
  say "installing ${need[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi
node -e 'const [a,b]=process.versions.node.split(".").map(Number); process.exit(a>20||(a===20&&b>=18)?0:1)' \
  || die "Node.js >= 20.18 is required (found $(node --version))"

if [ ! -d /sys/kernel/tracing/events ]; then
  say "mounting tracefs"
  mount -t tracefs nodev /sys/kernel/tracing
fi

say "building"
npm ci --no-audit --no-fund --loglevel=error
npm run -s build

say "installing to $PREFIX"
mkdir -p "$PREFIX"
rm -rf "$PREFIX/dist" "$PREFIX/probes" "$PREFIX/rules" "$PREFIX/bin"
cp -r dist probes bin package.json package-lock.json README.md "$PREFIX/"
[ -d rules ] && cp -r rules "$PREFIX/"
(cd "$PREFIX" && npm ci --omit=dev --no-audit --no-fund --loglevel=error)
ln -sf "$PREFIX/bin/nightjar" /usr/local/bin/nightjar
install -d -m 0750 /var/lib/nightjar /var/log/nightjar /etc/nightjar

say "checking the host"
nightjar doctor || die "fix what doctor reports, then run ./install.sh again"

if [ "$(ps -p 1 -o comm= 2>/dev/null)" = "systemd" ]; then
  install -m 0644 packaging/systemd/nightjar.service /etc/systemd/system/nightjar.service
  systemctl daemon-reload
  if [ "$START" -eq 1 ]; then
    systemctl enable --now nightjar.service
    systemctl restart nightjar.service
    say "running as systemd service nightjar (journalctl -u nightjar -f; alerts: nightjar tail -f)"
  fi
else
  say "systemd is not PID 1 here: no service installed"
  if [ "$START" -eq 1 ]; then
    say "starting the agent in the foreground (Ctrl-C stops it)"
    exec nightjar run
  fi
fi
