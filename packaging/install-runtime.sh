#!/usr/bin/env bash
# The pinned Node.js runtime nightjar runs on when the host's is missing or too old: the official
# node binary from the npm registry's node-linux-<arch> package, plus npm, each tarball checked
# against the sha512 pinned here. Needs only curl, tar, gzip and sha512sum.
#   packaging/install-runtime.sh DIR    DIR/bin/{node,npm,npx}; a no-op when DIR has this version
#   packaging/install-runtime.sh --host-ok   exit 0 when `node` (>= 20.18) and `npm` are on PATH
set -euo pipefail

NODE_VERSION=22.23.5
NPM_VERSION=10.9.9
declare -A NODE_SHA512=(
  [x64]=de3842fb07285b1299c5c46a176b144a5d1cf47117167babfe7b883f1e8ee8258a5748ce516426ec7b70e52b97aaa94c084862d1c26ac9b14f11be6185c06233
  [arm64]=7b52ce506295aee3c6b8b56eb67f3e0a09b9a48d403e6e0abe1fb36dbfea7bf6690fdb3e4d06f2e6252064e5a63e96d22a98f44ddf033f53743449d76ac1e2ce
)
NPM_SHA512=d60fba8cb42f688b81e33c2f1cbef2ad7b977166700ec0ad057f1b6d60ea6ef2524abf673e20c35931cd8305d1dbb8887134d6eefdc0e7b8435bd458bf65b862
REGISTRY="${npm_config_registry:-https://registry.npmjs.org}"
REGISTRY="${REGISTRY%/}"

die() { printf 'nightjar: %s\n' "$*" >&2; exit 1; }

if [ "${1:-}" = --host-ok ]; then
  command -v node >/dev/null && command -v npm >/dev/null || exit 1
  exec node -e 'const [a,b]=process.versions.node.split(".").map(Number); process.exit(a>20||(a===20&&b>=18)?0:1)'
fi
[ $# -eq 1 ] || die "usage: install-runtime.sh DIR | --host-ok"
DIR="$1"
STAMP="node $NODE_VERSION npm $NPM_VERSION globalconfig /etc/npmrc"
if [ -x "$DIR/bin/node" ] && [ "$(cat "$DIR/STAMP" 2>/dev/null)" = "$STAMP" ]; then
  exit 0
fi

case "$(uname -m)" in
  x86_64) arch=x64 ;;
  aarch64|arm64) arch=arm64 ;;
  *) die "no pinned Node.js runtime for $(uname -m) (x86_64 and aarch64 are supported): install Node.js >= 20.18 and npm, then run again" ;;
esac
for tool in curl tar gzip sha512sum; do command -v "$tool" >/dev/null || die "install-runtime.sh needs $tool"; done

new="$DIR.new"
rm -rf "$new" "$DIR.old"
trap 'rm -rf "$new"' EXIT
mkdir -p "$new/lib/node_modules/npm" "$new/bin"
fetch() { # URL SHA512 DEST-DIR
  local tgz="$new/download.tgz"
  curl -fsSL --retry 3 -o "$tgz" "$1" || die "cannot download $1"
  [ "$(sha512sum "$tgz" | cut -d' ' -f1)" = "$2" ] || die "$1: sha512 differs from the pinned one"
  tar -xzf "$tgz" -C "$3" --strip-components=1 --no-same-owner
  rm -f "$tgz"
}
fetch "$REGISTRY/node-linux-$arch/-/node-linux-$arch-$NODE_VERSION.tgz" "${NODE_SHA512[$arch]}" "$new"
fetch "$REGISTRY/npm/-/npm-$NPM_VERSION.tgz" "$NPM_SHA512" "$new/lib/node_modules/npm"
rm -rf "$new/include" "$new/share" "$new/package.json"
# npm's global config where Debian's own npm reads it (a proxy's CA, a registry mirror).
printf 'globalconfig=/etc/npmrc\n' >"$new/lib/node_modules/npm/npmrc"
for tool in npm npx; do
  printf '#!/bin/sh\nd=$(dirname "$(readlink -f "$0")")\nexec "$d/node" "$d/../lib/node_modules/npm/bin/%s-cli.js" "$@"\n' "$tool" >"$new/bin/$tool"
  chmod 0755 "$new/bin/$tool"
done
"$new/bin/node" --version >/dev/null || die "the pinned node does not run on this host"
printf '%s\n' "$STAMP" >"$new/STAMP"
# Swap in whole: a failed download never leaves half a runtime behind.
[ -e "$DIR" ] && mv "$DIR" "$DIR.old"
mv "$new" "$DIR"
rm -rf "$DIR.old"
