#!/usr/bin/env bash
# Installs kiln's build and test dependencies from Debian packages, skipping
# the apt round-trip when everything is already present.
#   bash scripts/install-deps.sh          everything: library, tests, examples, MPI
#   bash scripts/install-deps.sh --demo   without OpenMPI, qemu-user and cmake (the
#                                         demo trains in one process; a faster first run)
#   bash scripts/install-deps.sh --golden only what scripts/make_golden.py needs
#                                         (python3-torch; the suite itself does not)
set -euo pipefail

packages=(
  g++ meson ninja-build pkg-config
  xtensor-dev libxtensor-blas-dev libxsimd-dev libopenblas-dev
  doctest-dev nlohmann-json3-dev libcairo2-dev
)
case "${1:-}" in
  --demo) ;;
  --golden) packages=(python3-torch) ;;
  # MPI for multi-process training; qemu-user runs the portable build on an
  # emulated CPU without AVX-512; cmake builds the find_package(kiln) client.
  # ONNX export and import (libonnx-dev, libprotobuf-dev) and the checker the
  # tests validate every export with (python3-onnx).
  *) packages+=(libopenmpi-dev openmpi-bin qemu-user cmake libonnx-dev libprotobuf-dev python3-onnx) ;;
esac

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done

if ((${#missing[@]})); then
  echo "installing: ${missing[*]}" >&2
  sudo_cmd=""
  [ "$(id -u)" -eq 0 ] || sudo_cmd="sudo"
  $sudo_cmd apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
fi
