#!/usr/bin/env bash
# Installs the built kiln into a scratch prefix, then builds and runs outside
# programs against it as users would: through pkg-config with three sets of
# compiler flags, through CMake's find_package(kiln), and a second program
# that loads the model the first one saved. Every build must print the same
# numbers, bit for bit. Where qemu-user is installed (and the build is not
# sanitized), the pkg-config program also runs on emulated CPUs without
# AVX-512 (Haswell) and without AVX (Nehalem).
#   check_install.sh <build dir> <tests/install dir> [b_sanitize of that build] [shared|static]
# static: the clients link libkiln.a. A default_library=both build installs
# both, so the staged libkiln.so* are removed first, as a static-only install
# would be; CMake clients also set kiln_USE_STATIC_LIBS.
set -euo pipefail
build=$1
here=$2
sanitize=${3:-none}
linkage=${4:-shared}
case "$linkage" in shared | static) ;; *) echo "check_install: linkage must be shared or static, not '$linkage'" >&2; exit 2 ;; esac
# A sanitized libkiln needs the sanitizer runtime in the program too.
san_flags=()
[ "$sanitize" = none ] || san_flags=("-fsanitize=$sanitize")
stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT

fail() { echo "check_install: $*" >&2; exit 1; }

# The whole build is made before (meson test does); install only copies.
meson install -C "$build" --destdir "$stage" --no-rebuild --quiet >/dev/null
if [ "$linkage" = static ]; then
  [ -n "$(find "$stage" -name libkiln.a)" ] || { echo "check_install: SKIPPED, this build makes no libkiln.a (meson -Ddefault_library=both or static)"; exit 77; }
  find "$stage" -name 'libkiln.so*' -delete
fi
pc=$(find "$stage" -name kiln.pc | head -n 1)
[ -n "$pc" ] || fail "kiln.pc was not installed"
header=$(find "$stage" -path '*/include/kiln/kiln.hpp' | head -n 1)
[ -n "$header" ] || fail "include/kiln/kiln.hpp was not installed"
[ -f "$(dirname "$header")/version.hpp" ] || fail "include/kiln/version.hpp was not installed"
# The umbrella header must bring in every installed header.
incdir=$(dirname "$header")
for h in $(cd "$incdir" && find . -mindepth 2 -name '*.hpp' | sed 's|^\./||'); do
  grep -q "#include \"$h\"" "$header" || fail "kiln.hpp does not include $h"
done
prefix=$(dirname "$(dirname "$incdir")")  # <stage>/<prefix>

export PKG_CONFIG_PATH=$(dirname "$pc")
export PKG_CONFIG_SYSROOT_DIR=$stage
# The ABI must not depend on the client's flags: nothing for it to match.
cflags=$(pkg-config --cflags kiln)
if grep -Eq -- '-march|-m(avx|sse|fma)|-D' <<<"$cflags"; then
  fail "kiln.pc asks clients for target flags or defines: $cflags"
fi

static=false
if lib=$(find "$stage" -name 'libkiln.so.*' -type f | head -n 1) && [ -n "$lib" ]; then
  soname=$(readelf -d "$lib" | sed -n 's/.*(SONAME).*\[\(.*\)\]/\1/p')
  [[ "$soname" =~ ^libkiln\.so\.[0-9]+(\.[0-9]+)?$ ]] || fail "libkiln has no versioned SONAME (got '$soname')"
  libdir=$(dirname "$lib")
  pc_libs=(--libs)
else
  lib=$(find "$stage" -name libkiln.a | head -n 1)
  [ -n "$lib" ] || fail "neither libkiln.so.* nor libkiln.a was installed"
  libdir=$(dirname "$lib")
  static=true
  pc_libs=(--static --libs)
fi
export LD_LIBRARY_PATH=$libdir

# Builds app.cpp with extra flags $2..., runs it (saving a model into $1 when
# $1 is not -), and leaves its output in $stage/out.<name>.
run_pkg_config_app() {
  local name=$1 save=$2
  shift 2
  g++ -std=c++20 "${san_flags[@]}" "$@" "$here/app.cpp" -o "$stage/app.$name" $(pkg-config --cflags "${pc_libs[@]}" kiln)
  if [ "$save" = - ]; then "$stage/app.$name" >"$stage/out.$name"; else "$stage/app.$name" save "$save" >"$stage/out.$name"; fi
}
# The numbers of $stage/out.<name>, one a line, in decimal (bash's printf reads %a).
numbers_of() {
  local v
  for v in $(grep -oE -- '-?0x[0-9a-f.]+p[-+][0-9]+' "$stage/out.$1"); do printf '%.9e\n' "$v"; done
}
close_output() {  # close_output <reference> <other> <what>: equal within float32 rounding
  paste <(numbers_of "$1") <(numbers_of "$2") | awk -v what="$3" '
    { d = $1 - $2; if (d < 0) d = -d; m = ($1 < 0 ? -$1 : $1); if (d > 1e-5 * m + 1e-7) bad++; n++ }
    END { if (n == 0 || bad) { printf "%s: %d of %d numbers differ by more than float32 rounding\n", what, bad, n; exit 1 } }' >&2 ||
    { diff "$stage/out.$1" "$stage/out.$2" >&2 || true; fail "$3 prints other numbers than the $1 run"; }
}
same_output() {  # same_output <reference> <other> <what>: bit for bit
  cmp -s "$stage/out.$1" "$stage/out.$2" || { diff "$stage/out.$1" "$stage/out.$2" >&2 || true; fail "$3 prints other numbers than the $1 run"; }
}

run_pkg_config_app plain "$stage/model"
run_pkg_config_app x86-64 - -march=x86-64
run_pkg_config_app native - -march=native
grep -q "installed kiln works" "$stage/out.plain" || fail "the plain build did not finish: $(cat "$stage/out.plain")"
same_output plain x86-64 "the -march=x86-64 build"
same_output plain native "the -march=native build"
echo "pkg-config client: identical numbers built plain, -march=x86-64 and -march=native ($($static && echo "static libkiln" || echo "SONAME $soname"))"
if grep -q '^onnx:' "$stage/out.plain"; then
  echo "ONNX: the client exports a model and imports it back to the same predictions"
else
  echo "ONNX: not built into this kiln (onnx_supported() is false)"
fi

# A second program that only loads the saved model predicts what the first did.
g++ -std=c++20 "${san_flags[@]}" "$here/load_app.cpp" -o "$stage/load_app" $(pkg-config --cflags "${pc_libs[@]}" kiln)
"$stage/load_app" "$stage/model" >"$stage/out.loaded"
diff <(grep '^p\[' "$stage/out.plain") "$stage/out.loaded" >&2 || fail "the loaded model predicts other numbers"
echo "load_model in a program that names no layer: same predictions"

if command -v cmake >/dev/null; then
  # The sysroot is for kiln.pc in the stage; the static package asks pkg-config for
  # the system openblas, whose paths must stay as they are.
  static_cmake=()
  $static && static_cmake=(-Dkiln_USE_STATIC_LIBS=ON)
  env -u PKG_CONFIG_SYSROOT_DIR cmake -S "$here/cmake" -B "$stage/cmake-build" -DCMAKE_PREFIX_PATH="$prefix" -DCMAKE_BUILD_TYPE=Release "${static_cmake[@]}" \
    -DCMAKE_CXX_FLAGS="${san_flags[*]}" >"$stage/cmake.log" 2>&1 || { cat "$stage/cmake.log" >&2; fail "cmake could not configure against the install"; }
  cmake --build "$stage/cmake-build" >>"$stage/cmake.log" 2>&1 || { cat "$stage/cmake.log" >&2; fail "the CMake client does not build"; }
  "$stage/cmake-build/app" >"$stage/out.cmake"
  same_output plain cmake "the CMake (find_package(kiln), kiln::kiln) build"
  "$stage/cmake-build/load_app" "$stage/model" | diff <(grep '^p\[' "$stage/out.plain") - >&2 || fail "the CMake load_app predicts other numbers"
  echo "CMake client: find_package(kiln) builds, identical numbers"
else
  echo "CMake client: SKIPPED, cmake is not installed (bash scripts/install-deps.sh installs it)"
fi

# On emulated CPUs the kernels pick the widest variant the CPU has. The host
# running that same variant (KILN_ISA) must print the same numbers, up to
# float32 rounding: OpenBLAS, too, picks its kernels by CPU, and sums a
# matrix product in another order on a Nehalem than on this machine.
if [ "$sanitize" != none ]; then
  echo "qemu: SKIPPED in a sanitized build (the sanitizers' runtime does not run under qemu-user)"
elif ! command -v qemu-x86_64 >/dev/null; then
  echo "qemu: SKIPPED, qemu-x86_64 is not installed (bash scripts/install-deps.sh installs qemu-user)"
else
  for cpu_isa in Haswell:x86-64-v3 Nehalem:x86-64-v2; do
    cpu=${cpu_isa%%:*} isa=${cpu_isa#*:}
    KILN_ISA=$isa "$stage/app.plain" >"$stage/out.host-$isa"
    qemu-x86_64 -cpu "$cpu" "$stage/app.plain" >"$stage/out.qemu-$cpu" 2>"$stage/qemu-$cpu.log" ||
      { cat "$stage/qemu-$cpu.log" >&2; fail "the client dies under qemu-x86_64 -cpu $cpu"; }
    grep -q "installed kiln works" "$stage/out.qemu-$cpu" || fail "the client did not finish under -cpu $cpu"
    grep -q "kernels $isa" "$stage/out.qemu-$cpu" || fail "under -cpu $cpu the kernels are not $isa: $(head -n 1 "$stage/out.qemu-$cpu")"
    close_output "host-$isa" "qemu-$cpu" "the client under qemu -cpu $cpu"
    echo "qemu -cpu $cpu: runs, kernels $isa, the host's numbers (running $isa) within float32 rounding"
  done
fi
