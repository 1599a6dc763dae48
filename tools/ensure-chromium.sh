#!/usr/bin/env bash
# Installs Debian's chromium (for the HTML trace test) when /usr/bin/chromium is missing; quick when present.
# apt-get with --no-install-recommends (sudo when not root); `apt-get update` only when the install fails
# without it, so an up-to-date machine's package lists are left alone.
set -euo pipefail
[ -x /usr/bin/chromium ] && exit 0
SUDO=""; [ "$(id -u)" = 0 ] || SUDO="sudo"
export DEBIAN_FRONTEND=noninteractive
install_chromium() { $SUDO apt-get install -y -qq --no-install-recommends chromium; }
echo "ensure-chromium: installing Debian's chromium with apt-get" >&2
if ! install_chromium; then
  echo "ensure-chromium: install failed; running apt-get update and retrying" >&2
  $SUDO apt-get update -qq
  install_chromium
fi
[ -x /usr/bin/chromium ] || { echo "ensure-chromium: /usr/bin/chromium still missing after install" >&2; exit 1; }
