#!/bin/sh
# The `nmt` program from the outside: help, exit codes, and the
# one-line-out-per-line-in contract of `nmt translate`.
# Usage: nmt_cli_test.sh path/to/nmt
set -u
NMT="$1"
WORK=$(mktemp -d "${TMPDIR:-/tmp}/nmt_cli_test.XXXXXX")
trap 'rm -rf "$WORK"' EXIT
FAILED=0

fail() { echo "FAIL: $*"; FAILED=1; }
pass() { echo "ok: $*"; }

# expect_exit CODE DESCRIPTION -- command...
expect_exit() {
  want=$1; what=$2; shift 3
  "$@" >"$WORK/out" 2>"$WORK/err"
  got=$?
  if [ "$got" -eq "$want" ]; then pass "$what (exit $got)"; else fail "$what: exit $got, expected $want"; cat "$WORK/err"; fi
}
expect_in() {  # FILE TEXT DESCRIPTION
  if grep -q -F -- "$2" "$1"; then pass "$3"; else fail "$3: '$2' not in $1:"; cat "$1"; fi
}
one_line_stderr() {
  n=$(wc -l <"$WORK/err")
  if [ "$n" -eq 1 ]; then pass "$1: one line on stderr"; else fail "$1: $n lines on stderr"; cat "$WORK/err"; fi
}

# --- help lists every option ---
expect_exit 0 "nmt --help" -- "$NMT" --help
for opt in --data-dir --pairs --samples --out --epochs --batch-size --hidden --en-timesteps --fr-timesteps \
           --embed --bidirectional --test-split --seed --threads --quiet --model --beam --heatmap \
           --checkpoint-every --checkpoint-dir --resume --line-buffered --strict; do
  expect_in "$WORK/out" "$opt" "nmt --help lists $opt"
done
for cmd in train translate evaluate; do
  expect_exit 0 "nmt $cmd --help" -- "$NMT" $cmd --help
  expect_in "$WORK/out" "default" "nmt $cmd --help states defaults"
done

# --- bad command lines: exit 2 and one line on stderr ---
expect_exit 2 "no command" -- "$NMT"
expect_exit 2 "unknown command" -- "$NMT" fly
expect_exit 2 "unknown flag" -- "$NMT" train --colour
one_line_stderr "unknown flag"
expect_exit 2 "negative size" -- "$NMT" train --epochs -3
one_line_stderr "negative size"
expect_exit 2 "missing value" -- "$NMT" train --hidden
expect_exit 2 "missing data directory" -- "$NMT" train --data-dir "$WORK/nowhere"
expect_exit 2 "missing pairs file" -- "$NMT" evaluate --model "$WORK/m" --pairs "$WORK/nowhere.tsv"
expect_in "$WORK/err" "--pairs file '$WORK/nowhere.tsv' does not exist" "a missing pairs file is named"
expect_exit 2 "a directory as the pairs file" -- "$NMT" evaluate --model "$WORK/m" --pairs "$WORK"
expect_in "$WORK/err" "is a directory; give a tab-separated file" "a directory is not called missing"
expect_exit 2 "translate without --model" -- "$NMT" translate

# --- a tiny model, trained for real ---
expect_exit 0 "train a tiny model" -- "$NMT" train --samples 300 --hidden 16 --epochs 2 --en-timesteps 12 \
  --fr-timesteps 14 --quiet --threads 1 --out "$WORK/model"
for f in config.json weights.safetensors vocab_en.json vocab_fr.json attention.png attention.svg history.csv history.png; do
  if [ -s "$WORK/model/$f" ]; then pass "train wrote $f"; else fail "train did not write $f"; fi
done
expect_in "$WORK/out" "BLEU" "train reports BLEU"

# --- translate: exactly one output line per input line ---
printf 'the cat is black .\n\nwe like the red car .\n   \nzzz unknown words here\n' >"$WORK/in.txt"
printf 'no final newline' >>"$WORK/in.txt"
"$NMT" translate --model "$WORK/model" <"$WORK/in.txt" >"$WORK/fr.txt" 2>"$WORK/err"
code=$?
[ "$code" -eq 0 ] && pass "translate exit 0" || { fail "translate exit $code"; cat "$WORK/err"; }
in_lines=$(awk 'END { print NR }' "$WORK/in.txt")
out_lines=$(awk 'END { print NR }' "$WORK/fr.txt")
[ "$in_lines" -eq "$out_lines" ] && pass "translate: $out_lines lines for $in_lines" ||
  fail "translate: $out_lines output lines for $in_lines input lines"
[ -z "$(sed -n 2p "$WORK/fr.txt")" ] && pass "empty line -> empty line" || fail "line 2 not empty"
[ -n "$(sed -n 1p "$WORK/fr.txt")" ] && pass "a sentence -> a translation" || fail "line 1 empty"
expect_in "$WORK/err" "unknown words" "translate warns about unknown words on stderr"
printf 'the cat is black .\n' | "$NMT" translate --model "$WORK/model" --beam 3 --heatmap "$WORK/h.png" >"$WORK/fr3.txt" 2>"$WORK/err"
[ "$(awk 'END { print NR }' "$WORK/fr3.txt")" -eq 1 ] && pass "beam search: one line" || fail "beam search output"
[ -s "$WORK/h.png" ] && [ ! -e "$WORK/h.svg" ] && pass "--heatmap FILE.png wrote a PNG only" || fail "--heatmap FILE.png"

# --- evaluate ---
printf 'the cat is black .\tle chat est noir .\nwe like the red car .\tnous aimons la voiture rouge .\n' >"$WORK/pairs.tsv"
expect_exit 0 "evaluate on a pairs file" -- "$NMT" evaluate --model "$WORK/model" --pairs "$WORK/pairs.tsv"
expect_in "$WORK/out" "token accuracy" "evaluate prints token accuracy"
mkfifo "$WORK/pairs.fifo"
cat "$WORK/pairs.tsv" >"$WORK/pairs.fifo" &
writer=$!
expect_exit 0 "evaluate on pairs from a pipe" -- "$NMT" evaluate --model "$WORK/model" --pairs "$WORK/pairs.fifo"
kill "$writer" 2>/dev/null  # still blocked opening the pipe if evaluate never read it
wait "$writer" 2>/dev/null
expect_in "$WORK/out" "BLEU" "evaluate from a pipe reports BLEU"
expect_exit 1 "evaluate on an empty corpus" -- "$NMT" evaluate --model "$WORK/model" --pairs /dev/null
expect_in "$WORK/err" "--pairs '/dev/null' holds no sentence pairs" "an empty corpus is named"

# --- damaged model directories: exit 1 naming the file ---
cp -r "$WORK/model" "$WORK/damaged"
head -c 100 "$WORK/model/weights.safetensors" >"$WORK/damaged/weights.safetensors"
expect_exit 1 "truncated weights" -- sh -c "echo hello | '$NMT' translate --model '$WORK/damaged'"
expect_in "$WORK/err" "weights.safetensors" "truncated weights: the message names the file"
rm "$WORK/damaged/vocab_fr.json"
expect_exit 1 "missing vocabulary" -- sh -c "echo hello | '$NMT' translate --model '$WORK/damaged'"
expect_in "$WORK/err" "vocab_fr.json" "missing vocabulary: the message names the file"
expect_exit 1 "no model directory" -- sh -c "echo hello | '$NMT' translate --model '$WORK/nowhere'"
expect_exit 1 "evaluate with a damaged model" -- "$NMT" evaluate --model "$WORK/damaged" --pairs "$WORK/pairs.tsv"

if [ "$FAILED" -ne 0 ]; then echo "nmt_cli_test: FAILED"; exit 1; fi
echo "nmt_cli_test: all passed"
