#!/bin/sh
# Installs the Debian packages that building, running and testing tessera
# need, when some are missing. Runs apt-get as root, or through sudo.
#   scripts/deps.sh          build + run + test packages
#   scripts/deps.sh --check  only report what is missing (exit 1 if any)
set -eu

PACKAGES="
  gcc g++ make pkg-config meson ninja-build
  libvips-dev libvips-tools libh2o-evloop-dev libjansson-dev libtiff-dev libopenjp2-7-dev libopenjph-dev
  libjpeg62-turbo-dev libssl-dev
  clang libclang-rt-14-dev
  libyaml-dev libsqlite3-dev libxml2-dev
  python3 python3-pil python3-numpy python3-jsonschema python3-h2
  openjph-tools curl openssl
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
