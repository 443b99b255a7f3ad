#!/usr/bin/env bash
# Draws a run's training and dev curves (RUN/metrics.tsv, one row per validation, a group of
# columns per dev set) to RUN/curves.png: losses on the left, BLEU of every set and direction right.
#   scripts/plot_curves.sh runs/en-zh
set -euo pipefail
RUN=${1:?usage: plot_curves.sh RUN_FOLDER}
[ -f "$RUN/metrics.tsv" ] || { echo "plot_curves.sh: $RUN/metrics.tsv not found" >&2; exit 1; }
command -v gnuplot >/dev/null || { echo "plot_curves.sh: gnuplot not installed (apt-get install gnuplot-nox)" >&2; exit 1; }
[ "$(wc -l < "$RUN/metrics.tsv")" -ge 2 ] || { echo "plot_curves.sh: no validation in $RUN/metrics.tsv yet" >&2; exit 1; }
# Column numbers by header name (old runs wrote bleu_en_zh ... dev_nll without a set name).
IFS=$'\t' read -r -a HEADER < "$RUN/metrics.tsv"
losses="\"$RUN/metrics.tsv\" using 1:3 with linespoints title \"train\""
scores=""
for i in "${!HEADER[@]}"; do
  name=${HEADER[$i]} col=$((i + 1))
  case "$name" in
    *nll) [ "$name" = train_nll ] || losses+=", \"\" using 1:$col with linespoints title \"${name%_nll} dev\"" ;;
    *bleu_en_zh|*bleu_zh_en) scores+="${scores:+, }\"$RUN/metrics.tsv\" using 1:$col with linespoints title \"${name//_/ }\"" ;;
  esac
done
gnuplot <<GNUPLOT
set terminal pngcairo size 1200,500 font ",10"
set output "$RUN/curves.png"
set datafile separator "\t"
set key noenhanced
set multiplot layout 1,2 title "mt training: $RUN" noenhanced
set xlabel "step"
set ylabel "loss (nll per token)"
set grid
plot $losses
set ylabel "dev BLEU"
plot $scores
unset multiplot
GNUPLOT
echo "wrote $RUN/curves.png" >&2
