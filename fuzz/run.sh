#!/usr/bin/env bash
# Fuzzes kiln's readers of untrusted bytes with libFuzzer, under
# AddressSanitizer and UBSan:
#
#   bash fuzz/run.sh [seconds per target, default 60] [target ...]
#
# Targets (fuzz/targets.hpp): safetensors_loader, tokenizer_json,
# parallel_corpus, model_json. Builds them with clang in build-fuzz/ (a meson build with
# -Dfuzzing=true; the whole library is instrumented), then runs each for
# the given time starting from the seeds in fuzz/corpus/<target>/ (new
# inputs go to build-fuzz/corpus/<target>/, not into the source tree).
# An input that crashes, leaks, times out or runs out of memory is saved
# in fuzz/regressions/<target>/ and the script exits non-zero once every
# target has run. Fix the bug and keep the file: tests/test_fuzz_regressions.cpp
# replays every file there in the normal test suite.
#
# Needs clang and libclang-rt-dev (apt-get install clang libclang-rt-14-dev);
# it is not part of scripts/test.sh. Seeds: python3 fuzz/make_seeds.py and
# fuzz/make_model_seeds.cpp.
set -euo pipefail
cd "$(dirname "$0")/.."

seconds=${1:-60}
shift || true
targets=("$@")
((${#targets[@]})) || targets=(safetensors_loader tokenizer_json parallel_corpus model_json)

build=${KILN_FUZZ_BUILD_DIR:-build-fuzz}
if [ ! -f "$build/build.ninja" ]; then
  CC=clang CXX=clang++ meson setup "$build" \
    -Dfuzzing=true -Dbuildtype=debugoptimized \
    -Db_sanitize=address,undefined -Db_lundef=false \
    -Dcpp_args="-fsanitize=fuzzer-no-link -fno-sanitize-recover=all"
fi
ninja -C "$build" "${targets[@]/#/fuzz/fuzz-}"

export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-halt_on_error=1:print_stacktrace=1}

failed=()
for target in "${targets[@]}"; do
  mkdir -p "$build/corpus/$target" "fuzz/regressions/$target"
  echo "=== fuzzing $target for ${seconds}s"
  if ! "$build/fuzz/fuzz-$target" "$build/corpus/$target" "fuzz/corpus/$target" \
      -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
      -artifact_prefix="fuzz/regressions/$target/"; then
    failed+=("$target")
  fi
done

if ((${#failed[@]})); then
  echo "fuzz: crashes in ${failed[*]}; inputs saved in fuzz/regressions/<target>/" >&2
  exit 1
fi
echo "fuzz: no crash in ${targets[*]} (${seconds}s each)"
