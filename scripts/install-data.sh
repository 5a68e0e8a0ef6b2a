#!/bin/sh
# Installs tessera's own files beside the binary (called by `meson install`):
#   PREFIX/share/tessera/samples      the bundled sample images and sidecars
#   PREFIX/share/tessera/viewer       the built files of the viewer packages
#                                     (OpenSeadragon, Mirador) and their package.json
# The binary finds them there, or next to itself wherever the prefix was moved
# (lib/core/datadir.h). DESTDIR is honoured through MESON_INSTALL_DESTDIR_PREFIX.
#   scripts/install-data.sh DATADIR      (the datadir option, relative to the prefix)
set -eu
src="${MESON_SOURCE_ROOT:?run by meson install}"
dest="${MESON_INSTALL_DESTDIR_PREFIX:?run by meson install}/${1:-share}/tessera"
mkdir -p "$dest"
rm -rf "$dest/samples"
cp -R "$src/samples" "$dest/samples"
modules="$src/viewer/node_modules"
if [ -f "$modules/mirador/package.json" ] && [ -f "$modules/openseadragon/package.json" ]; then
    rm -rf "$dest/viewer"
    mkdir -p "$dest/viewer/mirador" "$dest/viewer/openseadragon/build"
    cp "$modules/mirador/package.json" "$dest/viewer/mirador/"
    cp -R "$modules/mirador/dist" "$dest/viewer/mirador/dist"
    cp "$modules/openseadragon/package.json" "$dest/viewer/openseadragon/"
    cp -R "$modules/openseadragon/build/openseadragon" "$dest/viewer/openseadragon/build/openseadragon"
    echo "Installed the samples and the viewer assets in $dest"
else
    echo "Installed the samples in $dest; no viewer assets (run scripts/viewer-deps.sh first): /viewer/ will answer 503" >&2
fi
