#!/usr/bin/env bash
# The per-instruction-set kernel objects (ops/kernels/) may define no weak
# or vague-linkage symbol: an inline function (std::max, a vector method)
# instantiated in the AVX-512 object could be the copy the linker keeps for
# the whole library, and the portable build would then run AVX-512 code
# on any CPU. Only the C++ runtime's own personality reference is allowed.
#   kernel_objects_test.sh libkiln_kernels_v2.a libkiln_kernels_v3.a ...
set -euo pipefail
status=0
for archive in "$@"; do
  shared=$(nm -C "$archive" | awk '$2 ~ /^[WwVvu]$/ && $3 != "DW.ref.__gxx_personality_v0"')
  if [ -n "$shared" ]; then
    echo "$(basename "$archive") defines symbols the baseline code could end up using:" >&2
    echo "$shared" >&2
    status=1
  else
    echo "$(basename "$archive"): no weak symbols"
  fi
done
exit $status
