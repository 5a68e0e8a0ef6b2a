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
# shellcheck disable=SC2086
"$(dirname "$0")/apt-install.sh" $missing
