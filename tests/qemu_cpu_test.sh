#!/usr/bin/env bash
# The portable build on CPUs this machine is not: `nmt --help` and a short
# `nmt train` under qemu-user emulating a Haswell (AVX2, no AVX-512), the
# CPU of most machines a library built here gets shipped to. Before the
# portable build they died of SIGILL in a static initializer, before main.
# Exits 77 (meson: skipped) with a message when qemu-x86_64 is absent.
#   qemu_cpu_test.sh path/to/nmt
set -euo pipefail
nmt=$1
if ! command -v qemu-x86_64 >/dev/null; then
  echo "SKIPPED: qemu-x86_64 is not installed (bash scripts/install-deps.sh installs qemu-user)"
  exit 77
fi
work=$(mktemp -d "${TMPDIR:-/tmp}/qemu_cpu_test.XXXXXX")
trap 'rm -rf "$work"' EXIT
cpu=Haswell

# qemu warns on stderr about host features it does not emulate; keep it apart.
run() { qemu-x86_64 -cpu "$cpu" "$@" 2> >(grep -v "^qemu-x86_64: warning:" >&2); }

run "$nmt" --help >"$work/help"
grep -q -- "--epochs" "$work/help" || { echo "FAIL: nmt --help under -cpu $cpu printed no options"; cat "$work/help"; exit 1; }
echo "ok: nmt --help under qemu-x86_64 -cpu $cpu"

# Small enough for an emulator (tens of seconds), real enough to run every
# kernel: GRU gates, attention, softmax, cross-entropy, Adam.
run "$nmt" train --samples 64 --hidden 8 --epochs 1 --batch-size 32 --en-timesteps 8 --fr-timesteps 10 \
  --quiet --threads 1 --out "$work/model" >"$work/train"
grep -q "BLEU" "$work/train" || { echo "FAIL: nmt train under -cpu $cpu reported no BLEU"; cat "$work/train"; exit 1; }
[ -s "$work/model/weights.safetensors" ] || { echo "FAIL: nmt train under -cpu $cpu wrote no weights"; exit 1; }
echo "ok: a short nmt train under qemu-x86_64 -cpu $cpu trains, reports BLEU and writes its weights"
