#!/usr/bin/env bash
# Speed of mt against the plain-PyTorch reference (../shared/tools/ref_transformer.py), measured in
# the same run on the same threads, then a real translation of the public test set.
#   scripts/bench.sh [--threads 2] [--model models/en-zh] [--quick] [--repeat 3]
# Each row runs the reference and mt in turn, --repeat times, and compares their medians: one
# run of either drifts by 10-20% on a shared machine.
# Needs: python3-torch (apt-get install python3-torch) for the reference. Run on a quiet machine.
set -euo pipefail
cd "$(dirname "$0")/.."
MT=${MT:-build/mt}
REF=${REF:-../shared/tools/ref_transformer.py}
DATA=${MT_SHARED_DATA:-../shared/data}
THREADS=2
MODEL=models/en-zh
SENTENCES=64
REPEAT=3
while [ $# -gt 0 ]; do
  case "$1" in
    --threads) THREADS=$2; shift 2 ;;
    --model) MODEL=$2; shift 2 ;;
    --quick) SENTENCES=32; shift ;;
    --repeat) REPEAT=$2; shift 2 ;;
    *) echo "bench.sh: unknown option $1" >&2; exit 2 ;;
  esac
done
[ -f "$REF" ] || { echo "bench.sh: reference $REF not found" >&2; exit 1; }
/usr/bin/python3 -c 'import torch' 2>/dev/null || { echo "bench.sh: needs python3-torch (apt-get install python3-torch)" >&2; exit 1; }

# The reference runs on the OpenBLAS kernels mt chose (mt restarts itself with OPENBLAS_CORETYPE set
# where OpenBLAS mistakes a new CPU for an SSE3 one; see app/blas_core.h), so both use the same.
if [ -z "${OPENBLAS_CORETYPE:-}" ]; then
  core=$(OPENBLAS_VERBOSE=2 "$MT" --version 2>&1 | sed -n 's/^Core: //p' | tail -1)
  [ -n "$core" ] && export OPENBLAS_CORETYPE=$core
fi
echo "OpenBLAS kernels: ${OPENBLAS_CORETYPE:-as OpenBLAS detects them}"

M="--d-model 256 --heads 4 --ffn 1024 --enc-layers 3 --dec-layers 3 --vocab 8000"
D="--batch-size 32 --sentences $SENTENCES --force-steps 20"
T="--batch-tokens 4096 --src-len 16 --tgt-len 18 --steps 30"
key() { /usr/bin/python3 -c "import json,sys; print(json.loads(sys.stdin.readline())['$1'])"; }
median() { tr ' ' '\n' | sort -g | awk '{v[NR] = $1} END {print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2}'; }
row() {  # name, reference command, mt command, key
  local refs="" ours="" ref mine
  for _ in $(seq "$REPEAT"); do
    refs+=" $(/usr/bin/python3 "$REF" $2 --threads "$THREADS" --json 2>/dev/null | key "$4")"
    ours+=" $("$MT" --threads "$THREADS" $3 --json | key "$4")"
  done
  ref=$(echo $refs | median); mine=$(echo $ours | median)
  printf "%-34s %12.1f %12.1f %8.2fx\n" "$1" "$ref" "$mine" "$(echo "$mine / $ref" | bc -l)"
}

echo "mt bench vs ref_transformer.py — small config (d 256, 4 heads, FFN 1024, 3+3 layers, vocab 8000), $THREADS threads, median of $REPEAT alternating runs each"
printf "%-34s %12s %12s %9s\n" "work" "reference" "mt" "ratio"
row "decode beam 4, fp32 (sent/s)"    "decode-bench $M --beam 4 $D"  "bench decode $M --beam 4 $D"                          sentences_per_s
row "decode beam 4, bf16 (sent/s)"    "decode-bench $M --beam 4 $D"  "bench decode $M --beam 4 $D --compute-type bfloat16"  sentences_per_s
row "decode greedy, fp32 (sent/s)"    "decode-bench $M --greedy $D"  "bench decode $M --greedy $D"                          sentences_per_s
row "decode greedy, bf16 (sent/s)"    "decode-bench $M --greedy $D"  "bench decode $M --greedy $D --compute-type bfloat16"  sentences_per_s
row "train fp32 (src+tgt tok/s)"      "train-bench $M $T"            "bench train $M $T --precision fp32"                   src_tgt_tokens_per_s
row "train bf16 (tok/s)"                "train-bench $M $T"            "bench train $M $T --precision bf16"                   src_tgt_tokens_per_s
report_train() {  # name, model flags, train flags: how close mt's bf16 step is to the matrix-product peaks, where it goes
  "$MT" --threads "$THREADS" bench train $2 $3 --precision bf16 --json | /usr/bin/python3 -c '
import json, sys
r = json.loads(sys.stdin.readline())
print("mt training ({}, bf16): {:.1f} GFLOP/s = {:.0f}% of the bf16 1024^3 matmul peak ({:.1f} GFLOP/s), {:.0f}% of the fp32 one ({:.1f} GFLOP/s), same run".format(
    sys.argv[1], r["gflops_per_s"], 100 * r["efficiency_vs_bf16_mm_peak"], r["mm1024_bf16_peak_gflops_per_s"],
    100 * r["efficiency_vs_mm_peak"], r["mm1024_peak_gflops_per_s"]))
print("  step profile (ms): " + ", ".join("{} {:.0f}".format(k[:-3], v) for k, v in r["step_profile"].items()) +
      " (median step {:.0f})".format(r["ms_per_step_median"]))' "$1"
}
report_train "small" "$M" "$T"

# transformer-base (d 512, 8 heads, FFN 2048, 6+6 layers, vocab 16000: the bench's default shape),
# fewer steps: a reference step takes seconds.
B="--d-model 512 --heads 8 --ffn 2048 --enc-layers 6 --dec-layers 6 --vocab 16000"
TB="--batch-tokens 4096 --src-len 16 --tgt-len 18 --steps 8"
echo
echo "transformer-base (d 512, 8 heads, FFN 2048, 6+6 layers, vocab 16000), $THREADS threads"
printf "%-34s %12s %12s %9s\n" "work" "reference" "mt" "ratio"
row "train fp32 (src+tgt tok/s)"      "train-bench $B $TB"            "bench train $B $TB --precision fp32"                 src_tgt_tokens_per_s
row "train bf16 (tok/s)"              "train-bench $B $TB"            "bench train $B $TB --precision bf16"                 src_tgt_tokens_per_s
report_train "transformer-base" "$B" "$TB"
echo

# Incremental decoding: the cost of a step must not grow with the output already produced.
per_step() { "$MT" --threads "$THREADS" bench decode $M --beam 4 --batch-size 32 --sentences 32 --force-steps "$1" --json |
  /usr/bin/python3 -c "import json,sys; r=json.loads(sys.stdin.readline()); print('%.2f' % (1000 * r['seconds'] / $1))"; }
echo "beam 4 ms per decoding step: $(per_step 10) at 10 steps, $(per_step 40) at 40, $(per_step 160) at 160"

# Data-parallel training: 2 local ranks (1 thread each, batch 2048 tokens each) against 1 process
# (2 threads, batch 4096): the same global batch, real data, 40 steps after start-up.
if [ -f "$MODEL/tokenizer.model" ] && [ -f "$DATA/train/tatoeba-manythings.tsv" ]; then
  dp_run() {  # ranks batch_tokens -> seconds per step, from the step-20 and step-40 log lines
    local out log; out=$(mktemp -d); log=$out/log
    MT=$MT scripts/train_distributed.sh "$1" -c scripts/en-zh.yaml -o "$out/run" --set data="$DATA" --set "train=[train/tatoeba-manythings.tsv]" \
      --set dev= --set tokenizer="$MODEL/tokenizer.model" --set batch_tokens="$2" --set log_every=20 --set valid_every=1000 \
      --set max_minutes=0 --set decay_steps=0 --max-steps 40 > "$log" 2>&1 || { echo "bench.sh: data-parallel run failed: $(tail -1 "$log")" >&2; }
    /usr/bin/python3 - "$log" <<'PY'
import re, sys, datetime
t = {}
for line in open(sys.argv[1]):
    m = re.match(r"\[(\d+):(\d+):(\d+)\].*\| step (\d+) \|", line)
    if m: t[int(m.group(4))] = int(m.group(1)) * 3600 + int(m.group(2)) * 60 + int(m.group(3))
print(f"{(t[40] - t[20]) / 20:.3f}" if 20 in t and 40 in t else "nan")
PY
    rm -rf "$out"
  }
  one=$(dp_run 1 4096); two=$(dp_run 2 2048)
  ratio=nan; [ "$one" != nan ] && [ "$two" != nan ] && ratio=$(echo "$one / $two" | bc -l | cut -c1-4)
  echo "data-parallel training, same global batch: 1 process $one s/step, 2 local ranks $two s/step (${ratio}x)"
fi

if [ -d "$MODEL" ] && [ -f "$DATA/test/tatoeba-test.cmn_Hans.en" ]; then
  echo
  echo "Real translation of the public test set with $MODEL (beam 4, $THREADS threads):"
  for rerank in default 0; do  # the default reranks the n-best by the reverse direction (--reverse-weight)
    flags=(); label="default, reranked"
    [ "$rerank" = 0 ] && flags=(--reverse-weight 0) && label="reranking off"
    for dir in en zh; do
      out=$(mktemp)
      /usr/bin/time -f "%e %M" -o "$out.time" "$MT" --threads "$THREADS" translate -m "$MODEL" "${flags[@]}" \
        -i "$DATA/test/tatoeba-test.cmn_Hans.$dir" -o "$out" 2> "$out.log"
      read -r secs rss < "$out.time"
      lines=$(wc -l < "$out")
      toks=$(grep -o '[0-9]* -> [0-9]* tokens' "$out.log" | awk '{print $3}')
      printf "  %s source, %s: %d lines in %.1f s = %.1f sentences/s, %.0f target tokens/s, peak RSS %.0f MB\n" \
        "$dir" "$label" "$lines" "$secs" "$(echo "$lines / $secs" | bc -l)" "$(echo "$toks / $secs" | bc -l)" "$(echo "$rss / 1024" | bc -l)"
      rm -f "$out" "$out.time" "$out.log"
    done
  done
fi
