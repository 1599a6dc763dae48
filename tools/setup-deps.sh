#!/usr/bin/env bash
# Installs what xlp needs on a Debian machine; idempotent and quick when all is present.
#  - gcc, binutils, make, gdb (tests check our DWARF reader against it) and Debian's Xen 4.17 debug image via
#    apt-get (--no-install-recommends: nothing else is installed or upgraded; sudo when not root);
#  - from Debian trixie, with a private apt configuration into .deps/ (nothing installed system-wide): Unicorn
#    >= 2.1 (libunicorn2t64, loaded by path) and Xen 4.20's debug image (xen-hypervisor-4.20-amd64-dbg);
#  - npm packages from the lock file (npm ci) when node_modules is missing or older than the lock file.
set -euo pipefail
cd "$(dirname "$0")/.."
SUDO=""; [ "$(id -u)" = 0 ] || SUDO="sudo"
export DEBIAN_FRONTEND=noninteractive

missing=()
for p in gcc binutils make gdb xen-hypervisor-4.17-amd64-dbg; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing ${missing[*]} with apt-get"
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq --no-install-recommends --no-upgrade "${missing[@]}"
fi

# Unicorn >= 2.1 (bookworm's libunicorn2 2.0.1 ignores page tables).
ls .deps/unicorn/usr/lib/x86_64-linux-gnu/libunicorn.so.2* >/dev/null 2>&1 || bash tools/fetch-trixie.sh libunicorn2t64 .deps/unicorn
# Xen 4.20's debug image, Debian 13's hypervisor: .deps/xen-4.20/usr/lib/debug/boot/xen-syms-4.20-amd64.
ls .deps/xen-4.20/usr/lib/debug/boot/xen-syms-4.20-amd64 >/dev/null 2>&1 || bash tools/fetch-trixie.sh xen-hypervisor-4.20-amd64-dbg .deps/xen-4.20

# Debian's chromium for the HTML tests (installed here, never from inside a test).
bash tools/ensure-chromium.sh

if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "setup: npm ci"
  npm ci --no-audit --no-fund --loglevel=error
fi
