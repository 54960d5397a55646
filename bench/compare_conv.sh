#!/usr/bin/env bash
# Runs kiln-bench conv and, when Debian's python3-torch is installed, the same
# convolution steps in PyTorch with as many threads, in one invocation, and
# prints kiln's speed-up per case (PyTorch's median over kiln's).
#   bash bench/compare_conv.sh [build dir] [--threads N]   (default 1 thread)
set -euo pipefail
build=${1:-build}
threads=1
if [ "${2:-}" = "--threads" ]; then threads=${3:?--threads needs a value}; fi
here=$(dirname "$0")

kiln_out=$("$build/bench/kiln-bench" conv --threads "$threads")
echo "$kiln_out"
if ! /usr/bin/python3 -c "import torch" 2>/dev/null; then
  echo "pytorch: python3-torch is not installed (apt-get install python3-torch); no comparison"
  exit 0
fi
torch_out=$(OPENBLAS_NUM_THREADS=$threads /usr/bin/python3 "$here/pytorch_conv.py" --threads "$threads")
echo "$torch_out"
for name in $(echo "$kiln_out" | sed -n 's/^conv_case=\([^ ]*\) .*/\1/p'); do
  k=$(echo "$kiln_out" | sed -n "s/^conv_case=$name ms_fwd_bwd=\([0-9.]*\).*/\1/p")
  t=$(echo "$torch_out" | sed -n "s/^torch_conv_case=$name ms_fwd_bwd=\([0-9.]*\).*/\1/p")
  [ -n "$k" ] && [ -n "$t" ] && awk -v c="$name" -v k="$k" -v t="$t" -v n="$threads" \
    'BEGIN { printf "conv_speedup_vs_pytorch case=%s threads=%s ratio=%.2f\n", c, n, t / k }'
done
