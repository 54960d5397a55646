#!/usr/bin/env bash
# Installs ONNX Runtime for the test suite: npm's onnxruntime-node, into
# .onnxruntime/ in the project (git-ignored), where tests/onnx_support.hpp
# and bench/ look for it. --ignore-scripts: the package's install script
# downloads GPU binaries from a host that is not reachable here, and the CPU
# library (bin/napi-v6/linux/x64/libonnxruntime.so.1) is inside the package.
# Without npm it says so and exits 0: the ONNX Runtime checks are then skipped.
set -euo pipefail
cd "$(dirname "$0")/.."

dir=${KILN_ONNXRUNTIME_DIR:-.onnxruntime}
version=${KILN_ONNXRUNTIME_VERSION:-1.30.0}
if [ -f "$dir/node_modules/onnxruntime-node/package.json" ]; then
  exit 0
fi
if ! command -v npm >/dev/null 2>&1 || ! command -v node >/dev/null 2>&1; then
  echo "install-onnxruntime: npm or node is not installed: the ONNX Runtime checks will be skipped" >&2
  exit 0
fi
mkdir -p "$dir"
[ -f "$dir/package.json" ] || echo '{"name": "kiln-onnxruntime", "private": true}' > "$dir/package.json"
echo "installing onnxruntime-node@$version into $dir" >&2
if ! npm install --prefix "$dir" --ignore-scripts --no-audit --no-fund --loglevel=error \
    "onnxruntime-node@$version" >&2; then
  echo "install-onnxruntime: npm install failed: the ONNX Runtime checks will be skipped" >&2
fi
