#!/bin/bash
# `nmt` under faults (issue 14): full disks and closed pipes, racing writers,
# out-of-range values, odd line endings, a co-process on a pipe, and a
# training interrupted by SIGTERM and resumed.
# Usage: nmt_reliability_test.sh path/to/nmt
set -u
NMT="$1"
WORK=$(mktemp -d "${TMPDIR:-/tmp}/nmt_reliability.XXXXXX")
SMALL="$WORK/small"
cleanup() {
  mountpoint -q "$SMALL" 2>/dev/null && umount "$SMALL"
  rm -rf "$WORK"
}
trap cleanup EXIT
FAILED=0
fail() { echo "FAIL: $*"; FAILED=1; }
pass() { echo "ok: $*"; }
# expect_exit CODE DESCRIPTION -- command...: stdout in $WORK/out, stderr in $WORK/err
expect_exit() {
  want=$1; what=$2; shift 3
  "$@" >"$WORK/out" 2>"$WORK/err"
  got=$?
  if [ "$got" -eq "$want" ]; then pass "$what (exit $got)"; else fail "$what: exit $got, expected $want"; cat "$WORK/err"; fi
}
expect_in() {  # FILE TEXT DESCRIPTION
  if grep -q -F -- "$2" "$1"; then pass "$3"; else fail "$3: '$2' not in $1:"; head -c 2000 "$1"; fi
}
TINY=(--samples 300 --hidden 16 --epochs 2 --en-timesteps 12 --fr-timesteps 14 --quiet --threads 1)

expect_exit 0 "train a tiny model" -- "$NMT" train "${TINY[@]}" --out "$WORK/model"
for i in $(seq 1 400); do echo "the cat is black ."; done >"$WORK/in.txt"
printf 'the cat is black .\tle chat est noir .\n' >"$WORK/pairs.tsv"

# --- 2. every write checked: /dev/full and a closed pipe end with exit 1 ---
expect_exit 1 "translate > /dev/full" -- sh -c "'$NMT' translate --model '$WORK/model' <'$WORK/in.txt' >/dev/full"
expect_in "$WORK/err" "cannot write standard output: No space left on device" "translate > /dev/full: the message"
expect_exit 1 "evaluate > /dev/full" -- sh -c "'$NMT' evaluate --model '$WORK/model' --pairs '$WORK/pairs.tsv' >/dev/full"
expect_in "$WORK/err" "No space left on device" "evaluate > /dev/full: the message"
expect_exit 1 "--help > /dev/full" -- sh -c "'$NMT' --help >/dev/full"
expect_exit 1 "train --help > /dev/full" -- sh -c "'$NMT' train --help >/dev/full"
# The reader closes its end at once; translate writes only after a second.
(sleep 1; cat "$WORK/in.txt") | "$NMT" translate --model "$WORK/model" 2>"$WORK/err" | (exec 0<&-; sleep 3)
code=${PIPESTATUS[1]}
[ "$code" -eq 1 ] && pass "translate into a closed pipe: exit 1" || fail "translate into a closed pipe: exit $code"
expect_in "$WORK/err" "Broken pipe" "translate into a closed pipe: the message"

# --- 2, 1. a small file system that fills up ---
mkdir -p "$SMALL"
if mount -t tmpfs -o size=200k tmpfs "$SMALL" 2>/dev/null; then
  cp -r "$WORK/model" "$SMALL/model"
  head -c 100000 /dev/zero >"$SMALL/filler" 2>/dev/null
  expect_exit 1 "translate into a full file system" -- \
    sh -c "'$NMT' translate --model '$SMALL/model' <'$WORK/in.txt' >'$SMALL/fr.txt'"
  expect_in "$WORK/err" "No space left on device" "full file system: the message"
  rm -f "$SMALL/fr.txt"
  head -c 60000 /dev/zero >"$SMALL/filler2" 2>/dev/null
  expect_exit 1 "train --out on a full file system" -- "$NMT" train "${TINY[@]}" --out "$SMALL/model"
  expect_in "$WORK/err" "No space left on device" "train on a full file system: the message"
  if cmp -s "$WORK/model/weights.safetensors" "$SMALL/model/weights.safetensors" &&
     cmp -s "$WORK/model/vocab_fr.json" "$SMALL/model/vocab_fr.json"; then
    pass "full file system: the old model is intact"
  else fail "full file system: the old model changed"; fi
  left=$(ls -A "$SMALL" | grep -v -x -e model -e filler -e filler2 | tr '\n' ' ')
  [ -z "$left" ] && pass "full file system: nothing left behind" || fail "full file system: left $left"
  expect_exit 0 "the old model still translates" -- sh -c "echo 'the cat .' | '$NMT' translate --model '$SMALL/model'"
  expect_exit 1 "train --out a mount point, before any work" -- "$NMT" train "${TINY[@]}" --out "$SMALL"
  expect_in "$WORK/err" "is a mount point" "--out a mount point: the message"
  umount "$SMALL"
else
  echo "skip: cannot mount a tmpfs here (needs root); the full-file-system checks did not run"
fi

# --- 1. two writers of one --out: the second fails at once ---
"$NMT" train --samples 2000 --hidden 16 --epochs 30 --quiet --threads 1 --out "$WORK/race" >/dev/null 2>"$WORK/first_err" &
first=$!
for i in $(seq 1 100); do [ -e "$WORK/.race.lock" ] && break; sleep 0.1; done
start=$(date +%s)
expect_exit 1 "a second train on the same --out" -- "$NMT" train "${TINY[@]}" --out "$WORK/race"
expect_in "$WORK/err" "is being written by process $first" "second writer: names the holder"
[ $(( $(date +%s) - start )) -lt 20 ] && pass "second writer failed at once" || fail "second writer took long"
kill -TERM "$first"; wait "$first"

# --- 4. checked before the work ---
echo x >"$WORK/a-file"
for out in /proc/nmt-out "$WORK/a-file"; do
  expect_exit 1 "train --out $out" -- "$NMT" train --out "$out"
  if grep -q "Epoch\|Corpus" "$WORK/out"; then fail "--out $out: failed only after starting"; else pass "--out $out: refused before any work"; fi
done
mkdir -p "$WORK/mine"; echo keep >"$WORK/mine/notes.txt"
expect_exit 1 "train --out a directory of other files" -- "$NMT" train "${TINY[@]}" --out "$WORK/mine"
[ "$(cat "$WORK/mine/notes.txt")" = keep ] && pass "the user's files are untouched" || fail "notes.txt changed"
expect_exit 0 "--heatmap x.svg" -- sh -c "echo 'the cat .' | '$NMT' translate --model '$WORK/model' --heatmap '$WORK/h.svg'"
if head -c 200 "$WORK/h.svg" | grep -q "<svg" && [ ! -e "$WORK/h.png" ]; then pass "--heatmap .svg writes SVG only"
else fail "--heatmap .svg wrote a PNG or no SVG"; fi
expect_exit 0 "--heatmap x.png" -- sh -c "echo 'the cat .' | '$NMT' translate --model '$WORK/model' --heatmap '$WORK/g.png'"
if head -c 4 "$WORK/g.png" | grep -q PNG && [ ! -e "$WORK/g.svg" ]; then pass "--heatmap .png writes PNG only"
else fail "--heatmap .png"; fi
expect_exit 2 "--heatmap x.jpg" -- "$NMT" translate --model "$WORK/model" --heatmap "$WORK/h.jpg"
expect_exit 1 "--heatmap in /proc, before translating" -- \
  sh -c "'$NMT' translate --model '$WORK/model' --heatmap /proc/h.png <'$WORK/in.txt'"
[ ! -s "$WORK/out" ] && pass "--heatmap /proc: nothing translated first" || fail "--heatmap /proc: translated first"

# --- 3. bounded resources ---
expect_exit 2 "--threads 4294967297" -- "$NMT" translate --model "$WORK/model" --threads 4294967297
expect_exit 2 "--beam 99999999999" -- "$NMT" translate --model "$WORK/model" --beam 99999999999
expect_exit 0 "--beam 1000 (above the vocabulary: capped)" -- \
  timeout 120 sh -c "echo 'the cat is black .' | '$NMT' translate --model '$WORK/model' --beam 1000"
cp -r "$WORK/model" "$WORK/huge"
sed -i 's/"en_timesteps": [0-9]*/"en_timesteps": 1000000000/' "$WORK/huge/config.json"
expect_exit 1 "config.json en_timesteps 1e9" -- \
  timeout 20 sh -c "echo 'the cat .' | '$NMT' translate --model '$WORK/huge'"
expect_in "$WORK/err" "en_timesteps" "en_timesteps 1e9: names the field"
sed -i 's/"en_timesteps": [0-9]*/"en_timesteps": 5/' "$WORK/huge/config.json"
expect_exit 0 "config.json en_timesteps 5: translate" -- \
  sh -c "echo 'the big cat is very black today .' | '$NMT' translate --model '$WORK/huge'"
expect_in "$WORK/err" "only the first 5 are translated" "en_timesteps 5: translate says it cuts"
printf 'the big cat is very black today .\tle chat .\n' >"$WORK/long.tsv"
expect_exit 0 "config.json en_timesteps 5: evaluate" -- "$NMT" evaluate --model "$WORK/huge" --pairs "$WORK/long.tsv"
expect_in "$WORK/err" "only their first 5 are translated" "en_timesteps 5: evaluate says it cuts"

# --- 5. CR-only line endings ---
i=0; : >"$WORK/cr.tsv"
while [ $i -lt 300 ]; do printf 'the cat is black .\tle chat est noir .\r' >>"$WORK/cr.tsv"; i=$((i + 1)); done
expect_exit 0 "evaluate on a CR-only pairs file" -- "$NMT" evaluate --model "$WORK/model" --pairs "$WORK/cr.tsv"
expect_in "$WORK/out" "(300 sentences)" "CR-only: 300 pairs read"

# --- 6. translate as a co-process: each answer before the next question ---
mkfifo "$WORK/to" "$WORK/from"
"$NMT" translate --model "$WORK/model" <"$WORK/to" >"$WORK/from" 2>"$WORK/co_err" &
co=$!
exec 3>"$WORK/to" 4<"$WORK/from"
answered=0
for sentence in "the cat is black ." "we like the red car ." "she goes to the park ."; do
  echo "$sentence" >&3
  if read -r -t 60 reply <&4; then answered=$((answered + 1)); else break; fi
done
exec 3>&- 4<&-
wait "$co"; code=$?
[ "$answered" -eq 3 ] && pass "co-process: 3 answers, each before the next line" || fail "co-process: $answered answers"
[ "$code" -eq 0 ] && pass "co-process: exit 0" || fail "co-process: exit $code"

# --- 7. SIGTERM writes a checkpoint; --resume ends with the uninterrupted weights ---
RUN=(--samples 3000 --hidden 16 --epochs 6 --batch-size 16 --en-timesteps 12 --fr-timesteps 14 --threads 1)
expect_exit 0 "uninterrupted run" -- "$NMT" train "${RUN[@]}" --quiet --out "$WORK/whole"
"$NMT" train "${RUN[@]}" --out "$WORK/cut" --checkpoint-every 1 >"$WORK/cut_out" 2>"$WORK/cut_err" &
run=$!
# Right after the first epoch's checkpoint, five epochs before the end.
for i in $(seq 1 1200); do [ -e "$WORK/cut.checkpoint/training_state.json" ] && break; sleep 0.05; done
kill -TERM "$run"; wait "$run"; code=$?
[ "$code" -eq 143 ] && pass "SIGTERM: exit 143 after the checkpoint" || { fail "SIGTERM: exit $code"; cat "$WORK/cut_err"; }
grep "Checkpoint written" "$WORK/cut_out"
expect_in "$WORK/cut_err" "nmt train --resume $WORK/cut.checkpoint" "SIGTERM: says how to resume"
[ ! -e "$WORK/cut/weights.safetensors" ] && pass "SIGTERM: no half-trained model in --out" || fail "SIGTERM: --out written"
expect_exit 0 "nmt train --resume" -- "$NMT" train --resume "$WORK/cut.checkpoint" --quiet
expect_in "$WORK/out" "Resuming" "resume: says where it resumes"
if cmp -s "$WORK/whole/weights.safetensors" "$WORK/cut/weights.safetensors"; then
  pass "interrupted + resumed = uninterrupted (identical weights)"
else fail "resumed weights differ from the uninterrupted run's"; fi

if [ "$FAILED" -ne 0 ]; then echo "nmt_reliability_test: FAILED"; exit 1; fi
echo "nmt_reliability_test: all passed"
