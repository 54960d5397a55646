#!/usr/bin/env bash
# Installs the built kiln into a scratch prefix, then builds and runs an
# outside program against it through pkg-config, as a user would.
#   check_install.sh <build dir> <app.cpp> [b_sanitize of that build]
set -euo pipefail
build=$1
app=$2
sanitize=${3:-none}
# A sanitized libkiln needs the sanitizer runtime in the program too.
app_flags=()
[ "$sanitize" = none ] || app_flags=("-fsanitize=$sanitize")
stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT

meson install -C "$build" --destdir "$stage" --quiet >/dev/null
pc=$(find "$stage" -name kiln.pc | head -n 1)
[ -n "$pc" ] || { echo "kiln.pc was not installed"; exit 1; }
header=$(find "$stage" -path '*/include/kiln/kiln.hpp' | head -n 1)
[ -n "$header" ] || { echo "include/kiln/kiln.hpp was not installed"; exit 1; }
# The umbrella header must bring in every installed header.
incdir=$(dirname "$header")
for h in $(cd "$incdir" && find . -mindepth 2 -name '*.hpp' | sed 's|^\./||'); do
  grep -q "#include \"$h\"" "$header" || { echo "kiln.hpp does not include $h"; exit 1; }
done

export PKG_CONFIG_PATH=$(dirname "$pc")
export PKG_CONFIG_SYSROOT_DIR=$stage
g++ -std=c++20 "${app_flags[@]}" "$app" -o "$stage/app" $(pkg-config --cflags --libs kiln)
libdir=$(dirname "$(find "$stage" -name 'libkiln.so*' | head -n 1)")
LD_LIBRARY_PATH=$libdir "$stage/app"
