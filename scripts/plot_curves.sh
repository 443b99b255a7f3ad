#!/usr/bin/env bash
# Draws a run's training and dev curves (RUN/metrics.tsv, one row per validation) to RUN/curves.png.
#   scripts/plot_curves.sh runs/en-zh
set -euo pipefail
RUN=${1:?usage: plot_curves.sh RUN_FOLDER}
[ -f "$RUN/metrics.tsv" ] || { echo "plot_curves.sh: $RUN/metrics.tsv not found" >&2; exit 1; }
command -v gnuplot >/dev/null || { echo "plot_curves.sh: gnuplot not installed (apt-get install gnuplot-nox)" >&2; exit 1; }
gnuplot <<GNUPLOT
set terminal pngcairo size 1200,500 font ",10"
set output "$RUN/curves.png"
set datafile separator "\t"
set key autotitle columnhead
set multiplot layout 1,2 title "mt training: $RUN"
set xlabel "step"
set ylabel "loss (nll per token)"
set grid
plot "$RUN/metrics.tsv" using 1:3 with linespoints title "train", \
     "" using 1:9 with linespoints title "dev"
set ylabel "dev score"
plot "$RUN/metrics.tsv" using 1:4 with linespoints title "BLEU en-zh", \
     "" using 1:6 with linespoints title "BLEU zh-en", \
     "" using 1:5 with lines dashtype 2 title "chrF en-zh", \
     "" using 1:7 with lines dashtype 2 title "chrF zh-en"
unset multiplot
GNUPLOT
echo "wrote $RUN/curves.png" >&2
