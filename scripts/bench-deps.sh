#!/bin/sh
# Installs the Debian packages that `make bench` needs on top of
# scripts/deps.sh, when some are missing. Runs apt-get as root, or through
# sudo. Only bench/ uses these; building and testing tessera do not.
#   scripts/bench-deps.sh          install what is missing
#   scripts/bench-deps.sh --check  only report what is missing (exit 1 if any)
#
# nginx serves the static ceiling (started by bench/run.py on a loopback port
# as the current user; the Debian package also installs a system service,
# which the bench never uses), wrk generates the load, libvips-tools and
# `tessera convert` write the test material, python3-skimage ships the
# photographs it is made of.
set -eu

PACKAGES="
  nginx wrk
  libvips-tools
  python3 python3-numpy python3-pil python3-skimage
"

missing=""
for p in $PACKAGES; do
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
        missing="$missing $p"
    fi
done

if [ -z "$missing" ]; then
    exit 0
fi
if [ "${1:-}" = "--check" ]; then
    echo "missing packages:$missing"
    exit 1
fi

# shellcheck disable=SC2086
"$(dirname "$0")/apt-install.sh" $missing
