#!/usr/bin/env bash
# Models side by side (issue 25): BLEU and chrF at mt translate's defaults (sacreBLEU's tokenizers:
# zh for Chinese, 13a for English) on the public Tatoeba test set and every dev set, both
# directions, and the seconds each model takes to translate the test set (load included), all in
# one run on one machine, so the times compare. Nothing else should run meanwhile: pause a
# training run with kill -STOP and resume it with kill -CONT.
#
#   scripts/compare_models.sh [--data ../shared/data] MODEL...
#   scripts/compare_models.sh models/en-zh runs/en-zh-v3/final
set -euo pipefail
cd "$(dirname "$0")/.."
MT=${MT:-$PWD/build/mt}
DATA=${MT_SHARED_DATA:-$PWD/../shared/data}
MODELS=()
while [ $# -gt 0 ]; do
  case "$1" in
    --data) DATA=$2; shift 2 ;;
    -*) echo "compare_models.sh: unknown option $1" >&2; exit 2 ;;
    *) MODELS+=("$1"); shift ;;
  esac
done
[ ${#MODELS[@]} -gt 0 ] || { echo "usage: compare_models.sh [--data DIR] MODEL..." >&2; exit 2; }
for model in "${MODELS[@]}"; do
  [ -f "$model/model.json" ] || { echo "compare_models.sh: $model is not a model folder" >&2; exit 2; }
done
if pgrep -f 'mt train' | xargs -r -n1 ps -o stat= -p | grep -qv T; then
  echo "compare_models.sh: warning: a training run is using the cores; the times will not compare" >&2
fi
SETS=(test/tatoeba-test.cmn_Hans dev/tatoeba-dev dev/newstest2017 extra/ud-pud)

# Score one model on one set and direction (mt eval picks sacreBLEU's tokenizer by the reference's
# language); prints "bleu chrf milliseconds".
score() {
  local start json end
  start=$(date +%s%N)
  json=$("$MT" eval -m "$1" -s "$DATA/$2.$3" -r "$DATA/$2.$4" --to "$4" --json)
  end=$(date +%s%N)
  /usr/bin/python3 -c 'import json,sys; s=json.loads(sys.argv[1]); print("%.2f %.2f" % (s["bleu"], s["chrf"]), end=" ")' "$json"
  echo $(((end - start) / 1000000))
}

header="| set | direction |"
rule="| --- | --- |"
for model in "${MODELS[@]}"; do header+=" $model BLEU / chrF |"; rule+=" ---: |"; done
echo "$header"
echo "$rule"
declare -A TEST_MS
for stem in "${SETS[@]}"; do
  [ -f "$DATA/$stem.en" ] || { echo "compare_models.sh: $DATA/$stem.en is missing" >&2; exit 1; }
  for direction in en-zh zh-en; do
    row="| ${stem##*/} | $direction |"
    for model in "${MODELS[@]}"; do
      read -r bleu chrf ms < <(score "$model" "$stem" "${direction%-*}" "${direction#*-}")
      row+=" $bleu / $chrf |"
      [[ $stem == test/* ]] && TEST_MS[$model]=$((${TEST_MS[$model]:-0} + ms))
    done
    echo "$row"
  done
done
echo
first=${MODELS[0]}
for model in "${MODELS[@]}"; do
  awk -v m="$model" -v ms="${TEST_MS[$model]}" -v base="${TEST_MS[$first]}" -v f="$first" \
    'BEGIN { printf "test set, both directions: %s %.1f s (%.2fx %s)\n", m, ms / 1000, ms / base, f }'
done
