#!/usr/bin/env bash
# The per-instruction-set kernel objects (ops/kernels/) may define no weak
# or vague-linkage symbol: an inline function (std::max, a vector method)
# instantiated in the AVX-512 object could be the copy the linker keeps for
# the whole library, and the portable build would then run AVX-512 code
# on any CPU. Allowed: the C++ runtime's own personality reference, and
# xsimd templates whose names carry an instruction set (xsimd::avx512bw,
# xsimd::fma3<xsimd::avx2>, ...): only code built for that instruction set
# can refer to them (a build that does not inline, such as the sanitized
# one, emits them out of line).
#   kernel_objects_test.sh libkiln_kernels_v2.a libkiln_kernels_v3.a ...
set -euo pipefail
status=0
for archive in "$@"; do
  shared=$(nm -C "$archive" | awk '$2 ~ /^[WwVvu]$/ && $3 != "DW.ref.__gxx_personality_v0"' |
    grep -Ev 'xsimd::(avx512[a-z]*|avx2|avx|fma3|sse[0-9_]*|ssse3)\b' || true)
  if [ -n "$shared" ]; then
    echo "$(basename "$archive") defines symbols the baseline code could end up using:" >&2
    echo "$shared" >&2
    status=1
  else
    echo "$(basename "$archive"): no weak symbol the baseline code could use"
  fi
done
exit $status
