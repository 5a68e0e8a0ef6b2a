#!/bin/sh
# Installs what only the tests need: Debian's chromium for the browser tests,
# and nginx, which serves a static export to them.
#   scripts/test-deps.sh
set -eu
missing=""
command -v chromium >/dev/null 2>&1 || missing="$missing chromium"
[ -x /usr/sbin/nginx ] || command -v nginx >/dev/null 2>&1 || missing="$missing nginx"
if [ -z "$missing" ]; then
    exit 0
fi
echo "Installing Debian packages:$missing"
if [ "$(id -u)" -eq 0 ]; then SUDO=""; elif command -v sudo >/dev/null 2>&1; then SUDO="sudo"; else
    echo "error: need root or sudo to install:$missing" >&2
    exit 1
fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
# shellcheck disable=SC2086
$SUDO apt-get install -y -qq $missing >/dev/null
