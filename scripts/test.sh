#!/usr/bin/env bash
# The one test command: installs what is missing, configures, builds, and
# runs the whole suite (with the install test for libkiln.so and for
# libkiln.a, which default_library=both makes from the same objects); then
# builds and runs it again under AddressSanitizer (with LeakSanitizer) and
# UBSan in build-asan/, where any report fails the run. Exits non-zero on any failure.
#   bash scripts/test.sh            (build dirs: build/ and build-asan/)
# Environment:
#   KILN_BUILD_DIR=dir          the normal build directory (default build)
#   KILN_ASAN_BUILD_DIR=dir     the sanitizer build directory (default build-asan)
#   KILN_SKIP_SANITIZERS=1      skip the sanitizer build and run
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
# A build directory set up before libkiln.a came from the same objects (or
# with -Ddefault_library=shared) is switched to both: the suite tests both.
if ! grep -q "libkiln.a:" "$build/build.ninja"; then
  meson configure "$build" -Ddefault_library=both
fi
ninja -C "$build"

status=0
meson test -C "$build" --print-errorlogs --num-processes 1 || status=$?

# The same suite under ASan + UBSan, and UBSan halts on its first report
# (-fno-sanitize-recover) so every finding fails a test. GCC leaves
# float-cast-overflow out of -fsanitize=undefined: it is added by hand.
# -O1 -g1 (line tables, as sanitizer reports need): measured on
# models/training_loop.cpp, 13 s of compiler CPU against 31 s at -O2 -g,
# and this build is the largest part of a CI run. For the same reason the
# library compiles in unity blocks and the benchmarks (run by no test) are
# left out.
sanitizer_status=skipped
if [ "${KILN_SKIP_SANITIZERS:-0}" != 1 ]; then
  asan=${KILN_ASAN_BUILD_DIR:-build-asan}
  if [ ! -f "$asan/build.ninja" ]; then
    meson setup "$asan" --buildtype=plain -Doptimization=1 -Db_sanitize=address,undefined -Db_lundef=false \
      -Dcpp_args="-g1 -fno-sanitize-recover=all -fsanitize=float-cast-overflow" \
      -Dlibrary_unity=true -Dbenchmarks=false
  fi
  # A sanitizer build directory set up before those two options gets them.
  if ! grep -q "kiln-unity0.cpp" "$asan/build.ninja"; then
    meson setup --reconfigure "$asan" -Dlibrary_unity=true -Dbenchmarks=false
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
if [ "$sanitizer_status" = skipped ]; then
  echo "sanitizer run (ASan+UBSan): skipped (KILN_SKIP_SANITIZERS=1)"
else
  summarize "$asan" "sanitizer run (ASan+UBSan): "
fi
summarize "$build" ""
exit $status
