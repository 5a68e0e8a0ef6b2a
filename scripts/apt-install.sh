#!/bin/sh
# Installs the given Debian packages with apt-get, as root or through sudo.
# The one place the setup scripts (deps.sh, bench-deps.sh, test-deps.sh,
# viewer-deps.sh) install from.
#   scripts/apt-install.sh PACKAGE...
set -eu
[ "$#" -gt 0 ] || exit 0
echo "Installing Debian packages: $*"
if [ "$(id -u)" -eq 0 ]; then
    SUDO=""
elif command -v sudo >/dev/null 2>&1; then
    SUDO="sudo"
else
    echo "error: need root or sudo to install: $*" >&2
    exit 1
fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq "$@" >/dev/null
