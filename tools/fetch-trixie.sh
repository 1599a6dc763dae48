#!/usr/bin/env bash
# fetch-trixie.sh PACKAGE DIR: one Debian trixie package unpacked into DIR (relative to the current directory),
# without root and without touching the machine's apt state. Used by tools/setup-deps.sh (`make`) and by
# `xlp setup` in an installed package (this file ships in the npm package).
set -euo pipefail
[ $# = 2 ] || { echo "usage: $0 PACKAGE DIR" >&2; exit 2; }

# Packages from Debian trixie, fetched with a private apt configuration (the machine's own apt sources and state
# are left alone) and unpacked into .deps/<dir>. The archive is taken only from the machine's own Debian entry
# (same mirror and keyring); no address is written here.
debian_archive() {
  grep -hE '^(URIs:|deb )' /etc/apt/sources.list.d/*.sources /etc/apt/sources.list 2>/dev/null \
    | grep -v security | grep -oE 'https?://[^ ]+/debian/?' | head -n1 || true
}
fetch_trixie() {
  local pkg=$1 dir=$2 uri apt_dir
  uri=$(debian_archive)
  if [ -z "$uri" ]; then
    echo "setup: no Debian archive entry in /etc/apt/sources.list or /etc/apt/sources.list.d/*.sources;" \
         "xlp fetches $pkg from the same archive as this machine's own packages: add a Debian entry and retry" >&2
    exit 1
  fi
  echo "setup: fetching $pkg (Debian trixie) into $dir"
  apt_dir=$(mktemp -d)
  echo "deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] $uri trixie main" > "$apt_dir/sources.list"
  mkdir -p "$apt_dir/lists/partial" "$apt_dir/cache/archives/partial"
  local opts=(-o Dir::Etc::SourceList="$apt_dir/sources.list" -o Dir::Etc::SourceParts=/dev/null
              -o Dir::State::Lists="$apt_dir/lists" -o Dir::Cache="$apt_dir/cache" -o Debug::NoLocking=1)
  [ "$(id -u)" = 0 ] && opts+=(-o APT::Sandbox::User=root)
  apt-get "${opts[@]}" update -qq
  (cd "$apt_dir" && apt-get "${opts[@]}" download "$pkg" >/dev/null)
  mkdir -p "$dir.partial"
  dpkg -x "$apt_dir"/"$pkg"_*.deb "$dir.partial"
  rm -rf "$apt_dir" "$dir"
  mv "$dir.partial" "$dir"
}

fetch_trixie "$1" "$2"
