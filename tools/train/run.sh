#!/bin/sh
# run.sh — regenerate the trained model end to end (make train calls it from the repo root).
#
#   tools/train/run.sh [WORK_DIR]      (default /tmp/deepgo-train)
#
# Environment: DEEPGO (the binary, default bin/deepgo), TOKENIZER (the full DeepSeek-V3
# tokenizer directory, default ../shared/fixtures/tokenizer/deepseek-v3), UPSTREAM (a directory
# with the official inference/model.py, kernel.py and convert.py: check.py runs when set) and
# LLAMA (llama.cpp's build/bin: evaluate.py adds its rows when set).
#
# Writes models/deepseek-v3-kjv/ (BF16 checkpoint, tokenizer, expected logits, training
# record) and models/deepseek-v3-kjv-q8_0.gguf, the two committed outputs; the FP8 checkpoint,
# the other GGUFs and the evaluation stay in WORK_DIR.
set -eu
WORK=${1:-/tmp/deepgo-train}
DEEPGO=$(realpath "${DEEPGO:-bin/deepgo}")
TOKENIZER=$(realpath "${TOKENIZER:-../shared/fixtures/tokenizer/deepseek-v3}")
MODEL=$(realpath -m models/deepseek-v3-kjv)
GGUF=$(realpath -m models/deepseek-v3-kjv-q8_0.gguf)
# Debian's torch runs its matrix products on the reference BLAS unless OpenBLAS is installed,
# and its many short-lived buffers fault pages on every allocation under glibc's malloc:
# with libopenblas0-pthread and jemalloc a step is ~10× faster.
JEMALLOC=/usr/lib/x86_64-linux-gnu/libjemalloc.so.2
PY="env LD_PRELOAD=$JEMALLOC /usr/bin/python3"
for f in "$JEMALLOC" /usr/lib/x86_64-linux-gnu/libopenblas.so.0; do
  [ -e "$f" ] || { echo "run.sh: $f missing: apt-get install python3-torch python3-numpy bible-kjv libopenblas0-pthread libjemalloc2" >&2; exit 1; }
done
mkdir -p "$WORK"
cd "$(dirname "$0")"

$PY data.py --deepgo "$DEEPGO" --tokenizer "$TOKENIZER" --out "$WORK/data"
$PY train.py --data "$WORK/data" --out "$WORK/run" 2>&1 | tee "$WORK/train.log"
rm -rf "$MODEL" "$WORK/fp8"
$PY export.py --state "$WORK/run/state.pt" --data "$WORK/data" --out "$MODEL" --fp8 "$WORK/fp8" --deepgo "$DEEPGO"
$PY record.py --data "$WORK/data" --run "$WORK/run" --out "$MODEL/training.json"
if [ -n "${UPSTREAM:-}" ]; then
  $PY check.py --upstream "$UPSTREAM" --model "$MODEL" --fp8 "$WORK/fp8"
else
  echo "run.sh: UPSTREAM unset: not checked against the official model.py (see tools/refgen/README.md)"
fi
mkdir -p "$WORK/gguf"
for t in bf16 q8_0 q6_k q5_k_m q4_k_m q3_k_m; do
  "$DEEPGO" convert --in "$MODEL" --out "$WORK/gguf/$t.gguf" --type "$t" --name "DeepSeek-V3 KJV tiny"
done
cp "$WORK/gguf/q8_0.gguf" "$GGUF"
$PY evaluate.py --deepgo "$DEEPGO" --model "$MODEL" --fp8 "$WORK/fp8" --gguf "$WORK/gguf" \
  --data "$WORK/data" --state "$WORK/run/state.pt" ${LLAMA:+--llama "$LLAMA"} --out "$WORK/eval.json"
