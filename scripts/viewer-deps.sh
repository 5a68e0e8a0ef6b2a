#!/bin/sh
# Installs the viewer assets (OpenSeadragon, Mirador) and the browser-test
# driver (playwright-core) from npm into viewer/node_modules, exactly as
# viewer/package-lock.json pins them. Installs Node.js and npm from Debian
# first when there is no npm. Does nothing when they are installed already.
#   scripts/viewer-deps.sh
set -eu
ROOT=$(cd "$(dirname "$0")/.." && pwd)
DIR="$ROOT/viewer"

if ! command -v npm >/dev/null 2>&1; then
    "$ROOT/scripts/apt-install.sh" nodejs npm
fi

# npm ci writes node_modules/.package-lock.json: up to date when it is newer than the lockfile
stamp="$DIR/node_modules/.package-lock.json"
if [ -f "$stamp" ] && [ "$stamp" -nt "$DIR/package-lock.json" ] && [ -f "$DIR/node_modules/mirador/package.json" ] &&
    [ -f "$DIR/node_modules/openseadragon/package.json" ] && [ -f "$DIR/node_modules/playwright-core/package.json" ]; then
    exit 0
fi
echo "Installing the viewer assets with npm ci (viewer/package-lock.json)"
cd "$DIR"
npm ci --no-audit --no-fund --loglevel=error
