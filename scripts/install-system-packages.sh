#!/usr/bin/env bash
# Debian packages the tests need: Chromium for the widget's browser tests, Redis for the
# shared rate limit. Installs only what is missing; needs root (or sudo).
set -euo pipefail
needed=()
[ -x /usr/bin/chromium ] || needed+=(chromium)
command -v redis-server >/dev/null 2>&1 || needed+=(redis-server)
[ ${#needed[@]} -eq 0 ] && exit 0
sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
echo "Installing Debian packages: ${needed[*]}"
$sudo apt-get update -q
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -q --no-install-recommends "${needed[@]}"
