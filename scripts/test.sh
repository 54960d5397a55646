#!/usr/bin/env bash
# The one test command: installs what is missing, configures, builds, and
# runs the whole suite; then builds and runs it again under AddressSanitizer
# (with LeakSanitizer) and UBSan in build-asan/, where any report fails the
# run. Exits non-zero on any failure.
#   bash scripts/test.sh            (build dirs: build/ and build-asan/)
# Environment:
#   KILN_BUILD_DIR=dir          the normal build directory (default build)
#   KILN_ASAN_BUILD_DIR=dir     the sanitizer build directory (default build-asan)
#   KILN_SKIP_SANITIZERS=1      skip the sanitizer build and run
#   KILN_STATIC_BUILD_DIR=dir   the static library's build directory (default build-static)
#   KILN_SKIP_STATIC=1          skip the static build and its install test
# Fuzzing is separate: bash fuzz/run.sh (needs clang).
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/install-deps.sh
# ONNX Runtime (npm's onnxruntime-node) for the ONNX tests; skipped with a note without npm.
bash scripts/install-onnxruntime.sh

build=${KILN_BUILD_DIR:-build}
if [ ! -f "$build/build.ninja" ]; then
  meson setup "$build" --buildtype=release
fi
ninja -C "$build"

status=0
meson test -C "$build" --print-errorlogs --num-processes 1 || status=$?

# A static libkiln (-Ddefault_library=static): only the library is built,
# then installed and used as tests/install uses the shared one (pkg-config
# and CMake clients, and a program that loads a saved model, which checks
# that the layer registry survives a static link).
static_status=skipped
if [ "${KILN_SKIP_STATIC:-0}" != 1 ]; then
  static=${KILN_STATIC_BUILD_DIR:-build-static}
  if [ ! -f "$static/build.ninja" ]; then
    meson setup "$static" --buildtype=release -Ddefault_library=static
  fi
  static_status=0
  { ninja -C "$static" libkiln.a && bash tests/install/check_install.sh "$static" tests/install none; } || static_status=$?
  ((static_status == 0)) || status=$static_status
fi

# The same suite under ASan + UBSan, and UBSan halts on its first report
# (-fno-sanitize-recover) so every finding fails a test. GCC leaves
# float-cast-overflow out of -fsanitize=undefined: it is added by hand.
# -O1 -g1 (line tables, as sanitizer reports need): measured on
# models/training_loop.cpp, 13 s of compiler CPU against 31 s at -O2 -g,
# and this build is the largest part of a CI run.
sanitizer_status=skipped
if [ "${KILN_SKIP_SANITIZERS:-0}" != 1 ]; then
  asan=${KILN_ASAN_BUILD_DIR:-build-asan}
  if [ ! -f "$asan/build.ninja" ]; then
    meson setup "$asan" --buildtype=plain -Doptimization=1 -Db_sanitize=address,undefined -Db_lundef=false \
      -Dcpp_args="-g1 -fno-sanitize-recover=all -fsanitize=float-cast-overflow"
  fi
  ninja -C "$asan"
  sanitizer_status=0
  # UBSAN_OPTIONS and LSAN_OPTIONS come from the test setup in meson.build.
  meson test -C "$asan" --print-errorlogs --num-processes 1 || sanitizer_status=$?
  ((sanitizer_status == 0)) || status=$sanitizer_status
fi

# One plain summary line for CI: doctest cases from every doctest binary,
# plus the other (script) tests counted by meson.
summarize() {
  local log="$1/meson-logs/testlog.json"
  [ -f "$log" ] || return 0
  read -r passed failed skipped < <(awk '
    { line = $0
      if (match(line, /test cases: *[0-9]+ \| *[0-9]+ passed \| *[0-9]+ failed \| *[0-9]+ skipped/)) {
        split(substr(line, RSTART, RLENGTH), n, /[^0-9]+/); p += n[3]; f += n[4]; s += n[5]
      } else if (line ~ /"result": "OK"/) { p++ }
      else if (line ~ /"result": "SKIP"/) { s++ }
      else if (line ~ /"result": "(FAIL|TIMEOUT|ERROR|UNEXPECTEDPASS)"/) { f++ }
    }
    END { print p + 0, f + 0, s + 0 }' "$log")
  echo "${2}${passed} passed, ${failed} failed, ${skipped} skipped"
}
case "$static_status" in
  skipped) echo "static build: skipped (KILN_SKIP_STATIC=1)" ;;
  0) echo "static build: install test passed" ;;
  *) echo "static build: install test FAILED" ;;
esac
if [ "$sanitizer_status" = skipped ]; then
  echo "sanitizer run (ASan+UBSan): skipped (KILN_SKIP_SANITIZERS=1)"
else
  summarize "$asan" "sanitizer run (ASan+UBSan): "
fi
summarize "$build" ""
exit $status
