#!/usr/bin/env bash
# Models side by side (issue 25): BLEU and chrF (sacreBLEU's tokenizers: zh for Chinese, 13a for
# English) on the public Tatoeba test set and every dev set, both directions, the harmonic mean of
# the dev BLEU scores (0 if any is 0, as the training's final pick computes it; the pick folds
# Traditional references to Simplified, mt eval scores them as they are), and the seconds each column takes
# to translate the test set (load included), all in one run on one machine, so the times compare.
# A column is a model folder, at mt translate's defaults or with the decoding options written after
# it in the same argument: that is also how the defaults are tuned (on the dev sets only). Nothing
# else should run meanwhile: pause a training run with kill -STOP and resume it with kill -CONT.
#
#   scripts/compare_models.sh [--data ../shared/data] [--dev-only] [--lines N] COLUMN...
#   scripts/compare_models.sh models/en-zh runs/en-zh-v3/final
#   scripts/compare_models.sh --dev-only --lines 500 M 'M --lenpen 1.0' 'M --beam 6 --reverse-weight 0'
set -euo pipefail
cd "$(dirname "$0")/.."
MT=${MT:-$PWD/build/mt}
DATA=${MT_SHARED_DATA:-$PWD/../shared/data}
COLUMNS=()
LINES=0
DEV_SETS=(dev/tatoeba-dev dev/newstest2017 extra/ud-pud)
SETS=(test/tatoeba-test.cmn_Hans "${DEV_SETS[@]}")
while [ $# -gt 0 ]; do
  case "$1" in
    --data) DATA=$2; shift 2 ;;
    --lines) LINES=$2; shift 2 ;;
    --dev-only) SETS=("${DEV_SETS[@]}"); shift ;;
    -*) echo "compare_models.sh: unknown option $1" >&2; exit 2 ;;
    *) COLUMNS+=("$1"); shift ;;
  esac
done
[ ${#COLUMNS[@]} -gt 0 ] || { echo "usage: compare_models.sh [--data DIR] [--dev-only] [--lines N] 'MODEL [OPTION...]'..." >&2; exit 2; }
[[ $LINES =~ ^[0-9]+$ ]] || { echo "compare_models.sh: --lines takes a number" >&2; exit 2; }
for column in "${COLUMNS[@]}"; do
  read -r model _ <<< "$column"
  [ -f "$model/model.json" ] || { echo "compare_models.sh: $model is not a model folder" >&2; exit 2; }
done
if pgrep -f 'mt train' | xargs -r -n1 ps -o stat= -p | grep -qv T; then
  echo "compare_models.sh: warning: a training run is using the cores; the times will not compare" >&2
fi
# --lines N: the first N lines of each set, in a folder removed on exit.
if [ "$LINES" -gt 0 ]; then
  SAMPLE=$(mktemp -d)
  trap 'rm -rf "$SAMPLE"' EXIT
  for stem in "${SETS[@]}"; do
    mkdir -p "$SAMPLE/$(dirname "$stem")"
    for lang in en zh; do head -n "$LINES" "$DATA/$stem.$lang" > "$SAMPLE/$stem.$lang"; done
  done
  DATA=$SAMPLE
fi

# Score one column on one set and direction (mt eval picks sacreBLEU's tokenizer by the reference's
# language); prints "bleu chrf milliseconds".
score() {
  local model options start json end
  read -r model options <<< "$1"
  start=$(date +%s%N)
  # shellcheck disable=SC2086  # the column's options are words
  json=$("$MT" eval -m "$model" $options -s "$DATA/$2.$3" -r "$DATA/$2.$4" --to "$4" --json)
  end=$(date +%s%N)
  /usr/bin/python3 -c 'import json,sys; s=json.loads(sys.argv[1]); print("%.2f %.2f" % (s["bleu"], s["chrf"]), end=" ")' "$json"
  echo $(((end - start) / 1000000))
}

header="| set | direction |"
rule="| --- | --- |"
for column in "${COLUMNS[@]}"; do header+=" $column BLEU / chrF |"; rule+=" ---: |"; done
echo "$header"
echo "$rule"
declare -A TEST_MS DEV_BLEU
for stem in "${SETS[@]}"; do
  [ -f "$DATA/$stem.en" ] || { echo "compare_models.sh: $DATA/$stem.en is missing" >&2; exit 1; }
  for direction in en-zh zh-en; do
    row="| ${stem##*/} | $direction |"
    for column in "${COLUMNS[@]}"; do
      read -r bleu chrf ms < <(score "$column" "$stem" "${direction%-*}" "${direction#*-}")
      row+=" $bleu / $chrf |"
      if [[ $stem == test/* ]]; then
        TEST_MS[$column]=$((${TEST_MS[$column]:-0} + ms))
      else
        DEV_BLEU[$column]+="$bleu "
      fi
    done
    echo "$row"
  done
done
row="| dev sets | harmonic mean of the BLEU scores |"
for column in "${COLUMNS[@]}"; do
  row+=" $(awk '{ for (i = 1; i <= NF; ++i) { if ($i <= 0) { print "0.00"; exit } s += 1 / $i } printf "%.2f", NF / s }' <<< "${DEV_BLEU[$column]}") |"
done
echo "$row"
if [[ ${SETS[0]} == test/* ]]; then
  echo
  first=${COLUMNS[0]}
  for column in "${COLUMNS[@]}"; do
    awk -v m="$column" -v ms="${TEST_MS[$column]}" -v base="${TEST_MS[$first]}" -v f="$first" \
      'BEGIN { printf "test set, both directions: %s %.1f s (%.2fx %s)\n", m, ms / 1000, ms / base, f }'
  done
fi
