#!/usr/bin/env bash
# Installs what xlp needs on a Debian machine; idempotent and quick when all is present.
#  - gcc, binutils, make and Debian's Xen 4.17 debug image via apt-get (--no-install-recommends: nothing else
#    is installed or upgraded; sudo when not root);
#  - Unicorn >= 2.1: trixie's libunicorn2t64, fetched with a private apt configuration (the machine's own apt
#    sources are left alone) and unpacked into .deps/unicorn, which the emulator loads by path
#    (bookworm's libunicorn2 2.0.1 ignores page tables);
#  - npm packages from the lock file (npm ci) when node_modules is missing or older than the lock file.
set -euo pipefail
cd "$(dirname "$0")/.."
SUDO=""; [ "$(id -u)" = 0 ] || SUDO="sudo"
export DEBIAN_FRONTEND=noninteractive

missing=()
for p in gcc binutils make xen-hypervisor-4.17-amd64-dbg; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing ${missing[*]} with apt-get"
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq --no-install-recommends --no-upgrade "${missing[@]}"
fi

UC_DIR=.deps/unicorn
if ! ls "$UC_DIR"/usr/lib/x86_64-linux-gnu/libunicorn.so.2* >/dev/null 2>&1; then
  echo "setup: fetching Unicorn 2.1 (Debian trixie libunicorn2t64) into $UC_DIR"
  apt_dir=$(mktemp -d)
  # Same mirror and keyring as the machine's own Debian entry.
  uri=$(grep -hE '^(URIs:|deb )' /etc/apt/sources.list.d/*.sources /etc/apt/sources.list 2>/dev/null \
        | grep -v security | grep -oE 'https?://[^ ]+/debian/?' | head -n1 || true)
  uri=${uri:-http://deb.debian.org/debian}
  echo "deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] $uri trixie main" > "$apt_dir/sources.list"
  mkdir -p "$apt_dir/lists/partial" "$apt_dir/cache/archives/partial"
  opts=(-o Dir::Etc::SourceList="$apt_dir/sources.list" -o Dir::Etc::SourceParts=/dev/null
        -o Dir::State::Lists="$apt_dir/lists" -o Dir::Cache="$apt_dir/cache" -o Debug::NoLocking=1
        )
  [ "$(id -u)" = 0 ] && opts+=(-o APT::Sandbox::User=root)
  apt-get "${opts[@]}" update -qq
  (cd "$apt_dir" && apt-get "${opts[@]}" download libunicorn2t64 >/dev/null)
  mkdir -p "$UC_DIR"
  dpkg -x "$apt_dir"/libunicorn2t64_*.deb "$UC_DIR"
  rm -rf "$apt_dir"
fi

# Debian's chromium for the HTML tests (installed here, never from inside a test).
bash tools/ensure-chromium.sh

if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "setup: npm ci"
  npm ci --no-audit --no-fund --loglevel=error
fi
