#!/usr/bin/env bash
# kiln against PyTorch on a machine whose speed drifts (a shared VM host):
# short kiln and PyTorch runs alternate, each round's ratio is taken from
# the two runs next to each other, and the median and p10/p90 of those
# ratios are printed. One long run of each side (compare_pytorch.sh) can
# land in a fast and a slow period of the host and report either side's luck.
#   bash bench/alternate_pytorch.sh [build dir] [--config seed|large|transformer] [--rounds N] [--threads T]
# PyTorch runs at its best setting here: 1 intra-op thread, 2 OpenBLAS
# threads (KILN_TORCH_THREADS / KILN_TORCH_BLAS_THREADS change them).
set -euo pipefail
build=build
if (($#)) && [[ $1 != -* ]]; then
  build=$1
  shift
fi
config=seed rounds=8 threads=2
while (($#)); do
  case $1 in
    --config) config=$2; shift 2 ;;
    --rounds) rounds=$2; shift 2 ;;
    --threads) threads=$2; shift 2 ;;
    *) echo "alternate_pytorch.sh: unknown option '$1'" >&2; exit 2 ;;
  esac
done
if ! [[ $rounds =~ ^[1-9][0-9]*$ ]]; then
  echo "alternate_pytorch.sh: --rounds expects a positive whole number, got '$rounds'" >&2
  exit 2
fi
here=$(dirname "$0")
if ! /usr/bin/python3 -c "import torch" 2>/dev/null; then
  echo "pytorch: python3-torch is not installed (apt-get install python3-torch); no comparison"
  exit 0
fi
torch_args=(--threads "${KILN_TORCH_THREADS:-1}" --steps 10)
# pytorch_nmt.py times seed and large together, or the Transformer alone.
[ "$config" = transformer ] && torch_args+=(--config transformer)

ratios=()
for ((r = 1; r <= rounds; r++)); do
  k=$("$build/bench/kiln-bench" nmt --quick --config "$config" --threads "$threads" |
    sed -n "s/^config=$config ms_per_step=\([0-9.]*\).*/\1/p")
  t=$(OPENBLAS_NUM_THREADS=${KILN_TORCH_BLAS_THREADS:-2} /usr/bin/python3 "$here/pytorch_nmt.py" "${torch_args[@]}" |
    sed -n "s/^torch_config=$config ms_per_step=\([0-9.]*\).*/\1/p")
  if [ -z "$k" ] || [ -z "$t" ]; then
    echo "alternate_pytorch.sh: round $r printed no ms_per_step for config $config (kiln: '$k', PyTorch: '$t')" >&2
    exit 1
  fi
  ratio=$(awk -v k="$k" -v t="$t" 'BEGIN { printf "%.3f", t / k }')
  echo "round=$r config=$config kiln_ms=$k torch_ms=$t ratio=$ratio"
  ratios+=("$ratio")
done
printf '%s\n' "${ratios[@]}" | sort -g | awk -v c="$config" '
  { v[NR] = $1 }
  # Linear interpolation between the sorted values (the median of an even
  # count is the mean of the middle two).
  function at(q,   h, i) { h = q * (NR - 1) + 1; i = int(h); return i >= NR ? v[NR] : v[i] + (h - i) * (v[i + 1] - v[i]) }
  END { printf "alternating config=%s rounds=%d ratio_median=%.2f ratio_p10=%.2f ratio_p90=%.2f\n", c, NR, at(0.5), at(0.1), at(0.9) }'
