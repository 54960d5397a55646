#!/usr/bin/env bash
# The one test command: installs what is missing, configures, builds, and
# runs the whole suite. Exits non-zero on any failure.
#   bash scripts/test.sh            (build dir: build/)
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/install-deps.sh

build=${KILN_BUILD_DIR:-build}
if [ ! -f "$build/build.ninja" ]; then
  meson setup "$build" --buildtype=release
fi
ninja -C "$build"

status=0
meson test -C "$build" --print-errorlogs --num-processes 1 || status=$?

# One plain summary line for CI: doctest cases from every doctest binary,
# plus the other (script) tests counted by meson.
log="$build/meson-logs/testlog.json"
if [ -f "$log" ]; then
  read -r passed failed skipped < <(awk '
    { line = $0
      if (match(line, /test cases: *[0-9]+ \| *[0-9]+ passed \| *[0-9]+ failed \| *[0-9]+ skipped/)) {
        split(substr(line, RSTART, RLENGTH), n, /[^0-9]+/); p += n[3]; f += n[4]; s += n[5]
      } else if (line ~ /"result": "OK"/) { p++ }
      else if (line ~ /"result": "SKIP"/) { s++ }
      else if (line ~ /"result": "(FAIL|TIMEOUT|ERROR|UNEXPECTEDPASS)"/) { f++ }
    }
    END { print p + 0, f + 0, s + 0 }' "$log")
  echo "${passed} passed, ${failed} failed, ${skipped} skipped"
fi
exit $status
