#!/usr/bin/env bash
# The demo: installs what is missing, builds, and trains the attention NMT
# example on the built-in English-French phrasebook, then prints test
# translations with BLEU and writes nmt-out/ (weights, vocabularies,
# attention.png). Extra arguments go to `nmt train`, e.g.
#   bash scripts/demo.sh --data-dir ../shared/data/small_vocab --epochs 10
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/install-deps.sh --demo

build=${KILN_BUILD_DIR:-build}
if [ ! -f "$build/build.ninja" ]; then
  meson setup "$build" --buildtype=release >/dev/null
fi
ninja -C "$build" examples/nmt

"$build/examples/nmt" train "$@"
