#!/usr/bin/env bash
# Regenerates tests/golden/tfjs/*.safetensors with TensorFlow.js from the npm
# registry (pure JavaScript, no native add-on: installed with --ignore-scripts).
#   bash scripts/references/make_tfjs.sh            every tfjs/*.js script
#   bash scripts/references/make_tfjs.sh dense      just tfjs/dense.js
# The suite never runs this: it reads the committed results.
set -euo pipefail
cd "$(dirname "$0")"
if [ ! -d node_modules/@tensorflow/tfjs ]; then
  npm install --ignore-scripts --no-audit --no-fund --silent
fi
scripts=("$@")
if ((${#scripts[@]} == 0)); then
  for f in tfjs/*.js; do [ "$(basename "$f")" = common.js ] || scripts+=("$(basename "$f" .js)"); done
fi
for s in "${scripts[@]}"; do
  echo "tfjs/$s.js" >&2
  node "tfjs/$s.js" 2> >(grep -v -e 'Hi, looks like you are running' -e 'tfjs-node' -e '^=*$' >&2)
done
