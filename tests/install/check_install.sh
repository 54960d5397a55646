#!/usr/bin/env bash
# Installs the built kiln into a scratch prefix, then builds and runs an
# outside program against it through pkg-config, as a user would.
#   check_install.sh <build dir> <app.cpp>
set -euo pipefail
build=$1
app=$2
stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT

meson install -C "$build" --destdir "$stage" --quiet >/dev/null
pc=$(find "$stage" -name kiln.pc | head -n 1)
[ -n "$pc" ] || { echo "kiln.pc was not installed"; exit 1; }
header=$(find "$stage" -path '*/include/kiln/kiln.hpp' | head -n 1)
[ -n "$header" ] || { echo "include/kiln/kiln.hpp was not installed"; exit 1; }

export PKG_CONFIG_PATH=$(dirname "$pc")
export PKG_CONFIG_SYSROOT_DIR=$stage
g++ -std=c++20 "$app" -o "$stage/app" $(pkg-config --cflags --libs kiln)
libdir=$(dirname "$(find "$stage" -name 'libkiln.so*' | head -n 1)")
LD_LIBRARY_PATH=$libdir "$stage/app"
