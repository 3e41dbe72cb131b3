#!/usr/bin/env bash
# Debian packages the tests need: Chromium for the widget's browser tests (driven by
# Playwright for Python; Playwright's own browser download is never used), fonts for
# legible screenshots, Redis for the shared rate limit, nginx for `faqbot production`
# (bot/production.py), PostgreSQL's server for the Insights store's tests (they start
# their own server from its binaries; a cluster the package may start is never used).
# Installs only what is missing; needs root (or sudo).
set -euo pipefail
needed=()
[ -x /usr/bin/chromium ] || needed+=(chromium)
[ -d /usr/share/fonts/truetype/dejavu ] || needed+=(fonts-dejavu-core)
[ -d /usr/share/fonts/truetype/liberation ] || needed+=(fonts-liberation)
command -v redis-server >/dev/null 2>&1 || needed+=(redis-server)
[ -x /usr/sbin/nginx ] || needed+=(nginx)
compgen -G "/usr/lib/postgresql/*/bin/initdb" >/dev/null || needed+=(postgresql)
[ ${#needed[@]} -eq 0 ] && exit 0
sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
echo "Installing Debian packages: ${needed[*]}"
$sudo apt-get update -q
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -q --no-install-recommends "${needed[@]}"
