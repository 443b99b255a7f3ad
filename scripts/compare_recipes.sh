#!/usr/bin/env bash
# Short runs of the same length that chose scripts/en-zh-v3.yaml's recipe (issue 25): each variant
# is the v3 config with one thing changed, trained for the same compute on one shared tokenizer,
# two runs at a time on one thread each (steps, not minutes, so load on the machine changes nothing),
# then scored on the first 500 pairs of every dev set, greedy (the final pick's "last
# checkpoint" line in each run's train.log). Variants:
#   base       v3's data, v2's network shape (d 256, 6+3 layers)
#   no-bt      base without the back-translated sources
#   no-commas  base with the subtitles as written (clause spaces, no <subs> tag)
#   subs-0.5   base with the subtitles at weight 0.5 instead of 0.2
#   v3-net     v3's data and network (d 384, 8+2 layers), for base's compute: 58% of its steps
#              (mt bench train, bf16, 2 threads: 4.56k tokens/s against 7.9k for v2's shape)
#   tatoeba-6  base with the everyday sentences at weight 6 instead of 3
#   anneal     base with the written and everyday text up and the subtitles down, as a cool-down's
#              mix: everyday sentences 5, news, Wikipedia, medical and TED twice theirs, UN 3,
#              subtitles 0.1, back-translations 1.5 (English targets) and 1 (Chinese targets)
#
# From scratch, a few hundred steps only tell the dev losses apart. With --from, each variant
# instead fine-tunes a model of the long run (its weights, network and tokenizer) for the same
# steps, warming up to 4e-4 and cooling to zero: there a few hundred steps show in BLEU. The
# variants' last weights and the model they started from are then scored on the whole dev sets,
# greedy, both directions (the table, and the harmonic mean the long run picks by).
#
#   scripts/compare_recipes.sh [--out runs/recipes] [--steps 600] [--from MODEL] VARIANT...
set -euo pipefail
cd "$(dirname "$0")/.."
MT=${MT:-$PWD/build/mt}
DATA=${MT_SHARED_DATA:-$PWD/../shared/data}
OUT=runs/recipes
STEPS=600
FROM=""
VARIANTS=()
while [ $# -gt 0 ]; do
  case "$1" in
    --out) OUT=$2; shift 2 ;;
    --steps) STEPS=$2; shift 2 ;;
    --from) FROM=$2; shift 2 ;;
    -*) echo "compare_recipes.sh: unknown option $1" >&2; exit 2 ;;
    *) VARIANTS+=("$1"); shift ;;
  esac
done
[ ${#VARIANTS[@]} -gt 0 ] || VARIANTS=(base no-bt no-commas v3-net)
mkdir -p "$OUT"

# The variant's config: v3's with one edit.
config() {
  local yaml=$OUT/$1.yaml
  case "$1" in
    base|v3-net) cp scripts/en-zh-v3.yaml "$yaml" ;;
    no-bt) grep -v 'runs/bt/' scripts/en-zh-v3.yaml > "$yaml" ;;
    no-commas) sed 's/, zh_spaces_to_commas: true, tag: subs//' scripts/en-zh-v3.yaml > "$yaml" ;;
    subs-0.5) sed 's|path: more/tvsub, weight: 0.2|path: more/tvsub, weight: 0.5|' scripts/en-zh-v3.yaml > "$yaml" ;;
    tatoeba-6) sed 's|tatoeba-manythings.tsv, weight: 3|tatoeba-manythings.tsv, weight: 6|' scripts/en-zh-v3.yaml > "$yaml" ;;
    anneal) sed -e 's|tatoeba-manythings.tsv, weight: 3|tatoeba-manythings.tsv, weight: 5|' \
                -e 's#\(wmt-news\|xquad\|tico19-dev\|iwslt17-tst\), weight: 2#\1, weight: 4#' \
                -e 's|wmt-altrefs, weight: 1|wmt-altrefs, weight: 2|' -e 's|un-v1-devtest, weight: 2|un-v1-devtest, weight: 3|' \
                -e 's|tvsub, weight: 0.2|tvsub, weight: 0.1|' -e 's|mono-en, weight: 1|mono-en, weight: 1.5|' \
                -e 's|mono-zh, weight: 0.5|mono-zh, weight: 1|' scripts/en-zh-v3.yaml > "$yaml" ;;
    *) echo "compare_recipes.sh: unknown variant $1" >&2; exit 2 ;;
  esac
  echo "$yaml"
}

TOKENIZER=$OUT/tokenizer.model
COMMON=(--set "data=$DATA" --set threads=1 --set lr=0.001 --set warmup=400 --set decay_steps=0
        --set batch_tokens=6000 --set valid_every=1000000 --set valid_sentences=300 --set final_beam=1
        --set final_sentences=500 --set average_last=1 --set log_every=50)
SMALL=(--set model.d_model=256 --set model.heads=4 --set model.ffn=1024 --set model.enc_layers=6 --set model.dec_layers=3)
if [ -n "$FROM" ]; then  # fine-tuning: the model's network, tokenizer and batch size
  [ -f "$FROM/model.json" ] || { echo "compare_recipes.sh: $FROM is not a model folder" >&2; exit 2; }
  # one validation, at the last step, so `best` is the last weights; it and the final pick read one
  # pair a set: the table below scores the whole sets
  COMMON=(--set "data=$DATA" --set threads=1 --set "init_from=$(realpath "$FROM")" --set lr=0.0004 --set warmup=50
          --set "decay_steps=$((STEPS - 50))" --set valid_every=1000000 --set valid_sentences=1 --set final_beam=1 --set final_sentences=1
          --set average_last=1 --set log_every=50)
  SMALL=()
  for name in "${VARIANTS[@]}"; do
    [ "$name" != v3-net ] || { echo "compare_recipes.sh: v3-net compares networks, which --from fixes" >&2; exit 2; }
  done
fi

# One variant in its own folder, on the shared tokenizer (the first run trains it).
run() {
  local name=$1 length=(--set "max_steps=$STEPS") shape=("${SMALL[@]}") tokenizer=()
  [ "$name" = v3-net ] && length=(--set "max_steps=$((STEPS * 58 / 100))") && shape=()
  [ -z "$FROM" ] && [ -f "$TOKENIZER" ] && tokenizer=(--set "tokenizer=$TOKENIZER")
  [ -d "$OUT/$name/final" ] && return 0
  "$MT" train -c "$(config "$name")" -o "$OUT/$name" "${COMMON[@]}" "${shape[@]}" "${length[@]}" "${tokenizer[@]}" \
    > "$OUT/$name.log" 2>&1
}

# The first variant trains the tokenizer alone (both cores), then the others start two at a time.
first=${VARIANTS[0]}
if [ -n "$FROM" ]; then
  rest=("${VARIANTS[@]}")
elif [ ! -f "$TOKENIZER" ]; then
  run "$first" &
  until [ -f "$OUT/$first/tokenizer.model" ]; do sleep 10; kill -0 $! 2>/dev/null || break; done
  cp "$OUT/$first/tokenizer.model" "$TOKENIZER"
  rest=("${VARIANTS[@]:1}")
else
  rest=("${VARIANTS[@]}")
fi
for name in "${rest[@]}"; do
  while [ "$(jobs -pr | wc -l)" -ge 2 ]; do sleep 20; done
  run "$name" &
done
wait
if [ -z "$FROM" ]; then
  for name in "${VARIANTS[@]}"; do
    echo "$name: $(grep -h 'last checkpoint: dev BLEU' "$OUT/$name/train.log" | tail -1 | sed 's/.*last checkpoint: //')"
  done
  exit 0
fi
# The start and each variant's last weights on the whole dev sets, greedy: one column each.
COLUMNS=("$FROM --beam 1")
for name in "${VARIANTS[@]}"; do COLUMNS+=("$OUT/$name/best --beam 1"); done
scripts/compare_models.sh --data "$DATA" --dev-only "${COLUMNS[@]}"
