#!/usr/bin/env bash
# What a glossary costs (issue 27): `mt translate` (defaults) with and without a 1,000-entry
# glossary on two files, timed in the same run, alternating, the median of --runs each:
#   unmatched  public test set English lines that hold none of the glossary's terms: only the
#              matching is paid (and the output must be byte-identical)
#   matched    the terminology set's sentences (scripts/terminology_eval.py), each with a term:
#              the constrained search is paid
# The glossary and the matched file come from scripts/terminology_eval.py's folder (run it first).
#
#   scripts/bench_glossary.sh [--terms runs/terminology] [--lines 300] [--runs 3] [--data DIR]
set -euo pipefail
cd "$(dirname "$0")/.."
MT=${MT:-$PWD/build/mt}
DATA=${MT_SHARED_DATA:-$PWD/../shared/data}
TERMS=runs/terminology
LINES=300
RUNS=3
while [ $# -gt 0 ]; do
  case "$1" in
    --terms) TERMS=$2; shift 2 ;;
    --lines) LINES=$2; shift 2 ;;
    --runs) RUNS=$2; shift 2 ;;
    --data) DATA=$2; shift 2 ;;
    *) echo "bench_glossary.sh: unknown option $1" >&2; exit 2 ;;
  esac
done
GLOSSARY=$TERMS/en-zh.glossary.tsv
[ -f "$GLOSSARY" ] || { echo "bench_glossary.sh: no $GLOSSARY: run scripts/terminology_eval.py first" >&2; exit 1; }
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT

# Lines without any term (whole words, any case, as mt matches English), and lines with one.
python3 - "$GLOSSARY" "$DATA/test/tatoeba-test.cmn_Hans.en" "$TERMS/en-zh.src" "$LINES" "$WORK" <<'EOF'
import re, sys
glossary, test, matched, lines, work = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]), sys.argv[5]
terms = [line.split("\t")[0].lower() for line in open(glossary, encoding="utf-8")]
pattern = re.compile("|".join(r"(?<![a-z0-9])" + re.escape(t) + r"(?![a-z0-9])" for t in sorted(terms, key=len, reverse=True)))
free = [s for s in open(test, encoding="utf-8") if not pattern.search(s.lower())][:lines]
open(f"{work}/unmatched.en", "w", encoding="utf-8").writelines(free)
open(f"{work}/matched.en", "w", encoding="utf-8").writelines(open(matched, encoding="utf-8").readlines()[:lines])
EOF

seconds() {  # the wall time of one translation
  local start end
  start=$(date +%s.%N)
  "$MT" translate --to zh "$@" > /dev/null 2>&1
  end=$(date +%s.%N)
  echo "$end - $start" | bc
}
median() { sort -n | awk '{a[NR] = $1} END {print a[int((NR + 1) / 2)]}'; }

echo "glossary: $(wc -l < "$GLOSSARY") entries; $(nproc) cores; $("$MT" --version 2>/dev/null | head -1)"
for file in unmatched matched; do
  in=$WORK/$file.en
  : > "$WORK/without" && : > "$WORK/with"
  for ((i = 0; i < RUNS; ++i)); do
    seconds -i "$in" >> "$WORK/without"
    seconds -i "$in" --glossary "$GLOSSARY" >> "$WORK/with"
  done
  without=$(median < "$WORK/without")
  with=$(median < "$WORK/with")
  same=""
  if [ "$file" = unmatched ]; then
    "$MT" translate --to zh -i "$in" -o "$WORK/a" 2>/dev/null
    "$MT" translate --to zh -i "$in" -o "$WORK/b" --glossary "$GLOSSARY" 2>/dev/null
    cmp -s "$WORK/a" "$WORK/b" && same=", output byte-identical" || same=", OUTPUT DIFFERS"
  fi
  printf '%-9s %4d lines: without %6.2f s, with %6.2f s: %.2fx%s\n' "$file" "$(wc -l < "$in")" "$without" "$with" \
    "$(echo "$with / $without" | bc -l)" "$same"
done
