#!/usr/bin/env bash
# Back-translation (Sennrich et al. 2016) of the monolingual news and Wikipedia text in
# ../shared/data/mono: every English sentence translated into Chinese and every Chinese one into
# English by a model, greedy and without reranking (a weak model's translations are only the source
# side: the target side stays real prose). The model is v2 by default, the one shipped before v3,
# taken from this repository's history (commit 8ed3a6d), so the recipe reproduces after v3 ships. Writes
#   OUT/mono-en.en.gz + OUT/mono-en.zh.gz   real English, machine Chinese: trains zh->en
#   OUT/mono-zh.zh.gz + OUT/mono-zh.en.gz   real Chinese, machine English: trains en->zh
# which the v3 recipe lists with `direction:` and `tag: bt` (tagged back-translation).
# Resumable: each mono file is translated once into OUT/parts/, and the pairs are assembled at the end.
#
#   scripts/back_translate.sh [--data DIR] [--out runs/bt] [-m MODEL] [--beam 1]
set -euo pipefail
cd "$(dirname "$0")/.."
MT=${MT:-$PWD/build/mt}
DATA=${MT_SHARED_DATA:-$PWD/../shared/data}
OUT=runs/bt
MODEL=""
V2_COMMIT=8ed3a6d
BEAM=1
while [ $# -gt 0 ]; do
  case "$1" in
    --data) DATA=$2; shift 2 ;;
    --out) OUT=$2; shift 2 ;;
    -m|--model) MODEL=$2; shift 2 ;;
    --beam) BEAM=$2; shift 2 ;;
    *) echo "back_translate.sh: unknown option $1" >&2; exit 2 ;;
  esac
done
[ -x "$MT" ] || { echo "back_translate.sh: $MT not built: run scripts/setup.sh first" >&2; exit 1; }
ls "$DATA"/mono/*.en.gz "$DATA"/mono/*.zh.gz >/dev/null 2>&1 \
  || { echo "back_translate.sh: no $DATA/mono/*.{en,zh}.gz (pass --data DIR)" >&2; exit 1; }
mkdir -p "$OUT/parts"
if [ -z "$MODEL" ]; then
  MODEL=$OUT/v2-model
  if [ ! -f "$MODEL/weights.pt" ]; then
    mkdir -p "$MODEL"
    git archive "$V2_COMMIT" models/en-zh/model.json models/en-zh/weights.pt models/en-zh/tokenizer.model \
      | tar -x -C "$MODEL" --strip-components=2 \
      || { echo "back_translate.sh: cannot take v2 from commit $V2_COMMIT (a git clone is needed; or pass -m MODEL)" >&2; exit 1; }
  fi
fi

# $1 real language, $2 the other: translate each mono file of language $1 into $2.
translate_side() {
  local real=$1 other=$2 file name
  for file in "$DATA"/mono/*."$real".gz; do
    name=$(basename "$file" ".$real.gz")
    [ -f "$OUT/parts/$name.$other" ] && continue  # done in an earlier run
    echo "==> back-translate $name ($(zcat "$file" | wc -l) lines, $real -> $other)" >&2
    zcat "$file" > "$OUT/parts/$name.$real"
    "$MT" translate -m "$MODEL" --to "$other" --beam "$BEAM" --reverse-weight 0 \
      -i "$OUT/parts/$name.$real" -o "$OUT/parts/$name.$other"
  done
  # The pairs, in the mono files' order, written whole or not at all.
  local stem=$OUT/mono-$real
  : > "$stem.$real.tmp" && : > "$stem.$other.tmp"
  for file in "$DATA"/mono/*."$real".gz; do
    name=$(basename "$file" ".$real.gz")
    cat "$OUT/parts/$name.$real" >> "$stem.$real.tmp"
    cat "$OUT/parts/$name.$other" >> "$stem.$other.tmp"
  done
  gzip -c "$stem.$real.tmp" > "$stem.$real.gz.tmp" && gzip -c "$stem.$other.tmp" > "$stem.$other.gz.tmp"
  mv "$stem.$real.gz.tmp" "$stem.$real.gz" && mv "$stem.$other.gz.tmp" "$stem.$other.gz"
  rm -f "$stem.$real.tmp" "$stem.$other.tmp"
  echo "==> $stem.{$real,$other}.gz: $(zcat "$stem.$real.gz" | wc -l) pairs" >&2
}
translate_side zh en
translate_side en zh
echo "==> back-translation done: $OUT" >&2
