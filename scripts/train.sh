#!/usr/bin/env bash
# The whole recipe of the shipped model, from ../shared/data (or --data DIR):
#   back-translate the monolingual text (when the config trains on ./runs/bt) -> prepare (clean +
#   normalise, inside mt train) -> tokenizer -> train -> average -> word aligner -> evaluate on the public test set
#   and the dev sets -> install into models/. By default that is scripts/en-zh-v3.yaml: every
#   corpus (2.3M pairs), weighted, tagged back-translations, three dev sets, one long run that
#   resumes across sessions. Each later stage (--finetune) fine-tunes the stage before with its own config.
#
#   scripts/train.sh                 # full run (resumes if the run folder has a checkpoint)
#   scripts/train.sh --tiny          # end-to-end smoke run of a small network (no install)
#   scripts/train.sh --data DIR --out runs/x --minutes 90 --install models/en-zh
#   scripts/train.sh --finetune A.yaml [--finetune B.yaml]   # these later stages instead
#   scripts/train.sh --no-finetune   # stage 1 only
#   scripts/train.sh --glossary      # stage 2 with the CC-CEDICT glossary (scripts/en-zh-glossary.yaml)
#   scripts/train.sh --config scripts/en-zh-v2.yaml --out runs/en-zh-v2 --finetune scripts/en-zh-v2-restart.yaml
#                                    # the previous model (v2): 330k pairs, two stages
#   scripts/train.sh --config scripts/en-zh.yaml --out runs/en-zh \
#     --finetune scripts/en-zh-restart.yaml --finetune scripts/en-zh-restart2.yaml
#                                    # the first model: Tatoeba only, three cool-downs
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
MT=${MT:-$ROOT/build/mt}
DATA=${MT_SHARED_DATA:-$ROOT/../shared/data}
OUT=runs/en-zh-v3
CONFIG=scripts/en-zh-v3.yaml
FINETUNE_CONFIGS=()
CUSTOM_STAGES=0
INSTALL=models/en-zh
MINUTES=""
TINY=0
EXTRA=()
while [ $# -gt 0 ]; do
  case "$1" in
    --data) DATA=$2; shift 2 ;;
    --out) OUT=$2; shift 2 ;;
    --config) CONFIG=$2; shift 2 ;;
    --minutes) MINUTES=$2; shift 2 ;;
    --install) INSTALL=$2; shift 2 ;;
    --no-install) INSTALL=""; shift ;;
    --finetune) [ "$CUSTOM_STAGES" = 1 ] || FINETUNE_CONFIGS=(); CUSTOM_STAGES=1; FINETUNE_CONFIGS+=("$2"); shift 2 ;;
    --no-finetune) FINETUNE_CONFIGS=(); CUSTOM_STAGES=1; shift ;;
    --glossary) FINETUNE_CONFIGS=(scripts/en-zh-glossary.yaml); CUSTOM_STAGES=1; shift ;;
    --tiny) TINY=1; shift ;;
    --set) EXTRA+=(--set "$2"); shift 2 ;;
    *) echo "train.sh: unknown option $1" >&2; exit 2 ;;
  esac
done
[ -x "$MT" ] || { echo "train.sh: $MT not built: run scripts/setup.sh first" >&2; exit 1; }
NEEDED=(train/tatoeba-manythings.tsv dev/tatoeba-dev.en test/tatoeba-test.cmn_Hans.en)
# A fine-tuning config that names a glossary gets the one in the data folder.
uses_glossary() { grep -q '^glossary:' "$1"; }
for config in "${FINETUNE_CONFIGS[@]}"; do
  [ -f "$config" ] || { echo "train.sh: $config not found" >&2; exit 1; }
  uses_glossary "$config" && NEEDED+=(dict/cedict.tsv)
done
for f in "${NEEDED[@]}"; do
  [ -f "$DATA/$f" ] || { echo "train.sh: $DATA/$f not found (pass --data DIR)" >&2; exit 1; }
done
# Back-translations the config trains on are made first (once: the script skips what exists).
if grep -q '\./runs/bt/' "$CONFIG" && [ "$TINY" = 0 ]; then
  [ -f runs/bt/mono-en.zh.gz ] && [ -f runs/bt/mono-zh.en.gz ] || scripts/back_translate.sh --data "$DATA" --out runs/bt
fi

# The configs name their corpora and dev sets relative to `data`: this folder.
ARGS=(--set "data=$DATA")
if [ "$TINY" = 1 ]; then  # the stages are what is being checked: 100 dev pairs will do
  DEV=$DATA/dev/tatoeba-dev
  mkdir -p "$OUT" && head -100 "$DEV.en" > "$OUT-dev.en" && head -100 "$DEV.zh" > "$OUT-dev.zh"
  ARGS+=(--set "dev=$(realpath "$OUT-dev")")
  # A small network for a few hundred steps: checks that every stage runs, not quality.
  ARGS+=(--set vocab_size=4000 --set model.d_model=64 --set model.heads=2 --set model.ffn=128
         --set model.enc_layers=1 --set model.dec_layers=1 --set max_steps=60 --set decay_steps=20 --set valid_every=30 --set batch_tokens=1500
         --set valid_sentences=50 --set warmup=20 --set log_every=10 --set max_minutes=0)
  INSTALL=""
fi
[ -n "$MINUTES" ] && ARGS+=(--set "max_minutes=$MINUTES")
# A new machine comes without the run folder: start again from the newest committed snapshot of the
# run's weights (scripts/snapshot.sh), with its tokenizer; the schedule starts over.
SNAPSHOT=models/$(basename "$CONFIG" .yaml)-snapshot
if [ "$TINY" = 0 ] && [ ! -f "$OUT/checkpoint.pt" ] && [ ! -d "$OUT/final" ] && [ -d "$SNAPSHOT" ]; then
  echo "==> $OUT has no checkpoint: starting from the weights of $SNAPSHOT" >&2
  ARGS+=(--set "init_from=$SNAPSHOT")
fi
# One stage: train CONFIG into run folder $1 (resuming a checkpoint, skipped once finished).
stage() {
  local config=$1 out=$2
  shift 2
  local resume=()
  [ -f "$out/checkpoint.pt" ] && [ ! -d "$out/final" ] && resume=(--resume)
  echo "==> train $config ($out)" >&2
  local start
  start=$(date +%s)
  if [ ! -d "$out/final" ]; then
    "$MT" train -c "$config" -o "$out" "${ARGS[@]}" "$@" "${EXTRA[@]}" "${resume[@]}"
  fi
  echo "==> training took $(( ($(date +%s) - start) / 60 )) min (this invocation)" >&2
}
stage "$CONFIG" "$OUT"
STAGES=("$OUT")
for config in "${FINETUNE_CONFIGS[@]}"; do
  TUNE=(--set "init_from=$OUT/final")
  # --tiny: a few steps check the stage runs
  [ "$TINY" = 1 ] && TUNE+=(--set max_steps=20 --set decay_steps=10 --set valid_every=10 --set warmup=5 --set glossary_max_words=1)
  # runs/en-zh-v2-restart for scripts/en-zh-v2-restart.yaml after en-zh-v2, runs/en-zh-glossary for
  # en-zh-glossary.yaml after en-zh: the stage's name without the first stage's (or en-zh-) prefix
  name=$(basename "$config" .yaml)
  suffix=${name#"$(basename "$CONFIG" .yaml)"-}
  [ "$suffix" = "$name" ] && suffix=${name#en-zh-}
  stage "$config" "${STAGES[0]}-$suffix" "${TUNE[@]}"
  OUT=${STAGES[0]}-$suffix
  STAGES+=("$OUT")
done
# The word aligner that places markup in documents (model/align), from the same corpora.
if [ ! -f "$OUT/final/aligner.bin" ]; then
  echo "==> word aligner" >&2
  ALIGNER=(--pairs-per-source 20000)
  [ "$TINY" = 1 ] && ALIGNER=(--pairs-per-source 1000)
  "$MT" train-aligner -c "$CONFIG" --set "data=$DATA" "${ALIGNER[@]}" -o "$OUT/final/aligner.bin"
fi

echo "==> evaluate on the public test set and the dev sets (translate's defaults)" >&2
# One set, both directions: $1 the files' stem, $2 the name of its scores ($2-en-zh.json, ...).
evaluate() {
  "$MT" eval -m "$OUT/final" -s "$1.en" -r "$1.zh" --to zh --tokenize zh --json > "$OUT/$2-en-zh.json"
  "$MT" eval -m "$OUT/final" -s "$1.zh" -r "$1.en" --to en --tokenize 13a --json > "$OUT/$2-zh-en.json"
  echo "$2 en->zh: $(cat "$OUT/$2-en-zh.json")" >&2
  echo "$2 zh->en: $(cat "$OUT/$2-zh-en.json")" >&2
}
TEST=$DATA/test/tatoeba-test.cmn_Hans
if [ "$TINY" = 1 ]; then  # the stage is what is being checked: 200 sentences will do
  head -200 "$TEST.en" > "$OUT/test-sample.en" && head -200 "$TEST.zh" > "$OUT/test-sample.zh"
  evaluate "$OUT/test-sample" test
else
  evaluate "$TEST" test
  for dev in dev/tatoeba-dev dev/newstest2017 extra/ud-pud; do  # the dev sets too (the final pick saw them: not held out)
    if [ -f "$DATA/$dev.en" ]; then evaluate "$DATA/$dev" "dev-${dev##*/}"; fi
  done
fi
[ -f "$OUT/metrics.tsv" ] && scripts/plot_curves.sh "$OUT" || true

if [ -n "$INSTALL" ]; then
  echo "==> install into $INSTALL" >&2
  rm -rf "$INSTALL.tmp" && mkdir -p "$INSTALL.tmp"
  # Weights stored as bfloat16 where float32 would pass the 80 MB a committed model may take (v3's
  # 25M parameters: 100 MB); loading converts them back.
  if [ "$(stat -c %s "$OUT/final/weights.pt")" -gt $((80 * 1000 * 1000)) ]; then
    "$MT" export -m "$OUT/final" -o "$INSTALL.tmp" --weights bfloat16
  else
    cp "$OUT"/final/* "$INSTALL.tmp/"
  fi
  cp "$OUT/config.yaml" "$OUT/train.log" "$OUT/metrics.tsv" "$OUT"/test-*.json "$INSTALL.tmp/"
  for f in data-report.tsv "$OUT"/dev-*.json; do [ -f "$OUT/${f##*/}" ] && cp "$OUT/${f##*/}" "$INSTALL.tmp/"; done
  [ -f "$OUT/curves.png" ] && cp "$OUT/curves.png" "$INSTALL.tmp/"
  for (( i = 0; i + 1 < ${#STAGES[@]}; ++i )); do  # a fine-tuned model keeps the records of its earlier stages
    for f in config.yaml train.log metrics.tsv curves.png; do
      [ -f "${STAGES[$i]}/$f" ] && cp "${STAGES[$i]}/$f" "$INSTALL.tmp/stage$((i + 1))-$f"
    done
  done
  rm -rf "$INSTALL" && mv "$INSTALL.tmp" "$INSTALL"
fi
echo "==> done" >&2
