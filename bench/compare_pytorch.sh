#!/usr/bin/env bash
# Runs kiln-bench nmt and, when Debian's python3-torch is installed, the same
# model in PyTorch at its best thread setting here (1 intra-op thread, 2
# OpenBLAS threads; KILN_TORCH_THREADS / KILN_TORCH_BLAS_THREADS change
# them), in one invocation, and prints kiln's speed-up.
#   bash bench/compare_pytorch.sh [build dir] [kiln-bench nmt options, e.g. --config transformer]
set -euo pipefail
build=${1:-build}
here=$(dirname "$0")

kiln_out=$("$build/bench/kiln-bench" nmt "${@:2}")
echo "$kiln_out"
if ! /usr/bin/python3 -c "import torch" 2>/dev/null; then
  echo "pytorch: python3-torch is not installed (apt-get install python3-torch); no comparison"
  exit 0
fi
# --config transformer times the Transformer translator on both sides.
torch_args=(--threads "${KILN_TORCH_THREADS:-1}")
configs="seed large"
for ((i = 2; i <= $#; i++)); do
  if [ "${!i}" = "--config" ]; then
    j=$((i + 1))
    configs=${!j}
    [ "$configs" = transformer ] && torch_args+=(--config transformer)
  fi
done
torch_out=$(OPENBLAS_NUM_THREADS=${KILN_TORCH_BLAS_THREADS:-2} /usr/bin/python3 "$here/pytorch_nmt.py" "${torch_args[@]}")
echo "$torch_out"
for config in $configs; do
  k=$(echo "$kiln_out" | sed -n "s/^config=$config ms_per_step=\([0-9.]*\).*/\1/p")
  t=$(echo "$torch_out" | sed -n "s/^torch_config=$config ms_per_step=\([0-9.]*\).*/\1/p")
  [ -n "$k" ] && [ -n "$t" ] && awk -v c="$config" -v k="$k" -v t="$t" \
    'BEGIN { printf "speedup_vs_pytorch config=%s ratio=%.2f\n", c, t / k }'
  # Process CPU time per step, where both sides print it: what a machine
  # shared with other work moves least.
  kc=$(echo "$kiln_out" | sed -n "s/^config=$config .*cpu_ms_per_step=\([0-9.]*\).*/\1/p")
  tc=$(echo "$torch_out" | sed -n "s/^torch_config=$config .*cpu_ms_per_step=\([0-9.]*\).*/\1/p")
  [ -n "$kc" ] && [ -n "$tc" ] && awk -v c="$config" -v k="$kc" -v t="$tc" \
    'BEGIN { printf "cpu_speedup_vs_pytorch config=%s ratio=%.2f\n", c, t / k }'
done
true
