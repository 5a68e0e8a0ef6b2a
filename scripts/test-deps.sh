#!/bin/sh
# Installs what only the tests need: Debian's chromium for the browser tests.
#   scripts/test-deps.sh
set -eu
if command -v chromium >/dev/null 2>&1; then
    exit 0
fi
echo "Installing Debian packages: chromium"
if [ "$(id -u)" -eq 0 ]; then SUDO=""; elif command -v sudo >/dev/null 2>&1; then SUDO="sudo"; else
    echo "error: need root or sudo to install chromium" >&2
    exit 1
fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq chromium >/dev/null
