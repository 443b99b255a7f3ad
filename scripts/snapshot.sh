#!/usr/bin/env bash
# Commits-ready snapshot of a long run's best weights, stored as bfloat16 (half the size), for a new
# machine that comes without the run folder: scripts/train.sh starts from it then.
#   scripts/snapshot.sh [runs/en-zh-v3] [models/en-zh-v3-snapshot]
set -euo pipefail
cd "$(dirname "$0")/.."
RUN=${1:-runs/en-zh-v3}
OUT=${2:-models/$(basename "$RUN")-snapshot}
MT=${MT:-build/mt}
[ -d "$RUN/best" ] || { echo "snapshot.sh: $RUN/best not found (no validation yet)" >&2; exit 1; }
"$MT" export -m "$RUN/best" -o "$OUT" --weights bfloat16
# The step of the best dev score: the column named "score" (which column it is depends on the dev sets).
step=$(awk -F'\t' 'NR == 1 { for (i = 1; i <= NF; ++i) if ($i == "score") c = i; next }
                   NR == 2 || $c > best { best = $c; step = $1 } END { print step }' "$RUN/metrics.tsv")
echo "best of $RUN (step $step by the dev score) as of $(date -u +%Y-%m-%d)" > "$OUT/SNAPSHOT"
echo "wrote $OUT: $(cat "$OUT/SNAPSHOT")"
