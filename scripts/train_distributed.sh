#!/usr/bin/env bash
# Starts N local ranks of a data-parallel `mt train` (c10d/Gloo over loopback), like torchrun:
#   scripts/train_distributed.sh 2 -c scripts/en-zh.yaml -o runs/dp [--resume] [--set ...]
# Each rank gets RANK, WORLD_SIZE, MASTER_ADDR, MASTER_PORT and nproc/N threads. If one rank fails,
# the others are stopped and the script exits non-zero. Across machines, run `mt train` on each
# with --world-size/--rank/--master HOST:PORT (or those variables) and a shared output folder.
set -euo pipefail
cd "$(dirname "$0")/.."
N=${1:?usage: train_distributed.sh N MT_TRAIN_ARGS...}
shift
MT=${MT:-build/mt}
export MASTER_ADDR=${MASTER_ADDR:-127.0.0.1}
export MASTER_PORT=${MASTER_PORT:-$((20000 + RANDOM % 20000))}
export WORLD_SIZE=$N
THREADS=$(( $(nproc) / N )); [ "$THREADS" -ge 1 ] || THREADS=1
pids=()
for ((r = 0; r < N; r++)); do
  RANK=$r "$MT" --threads "$THREADS" train "$@" &
  pids+=($!)
done
trap 'kill "${pids[@]}" 2>/dev/null || true' INT TERM
status=0
# Wait for all; the first failure stops the rest.
while [ ${#pids[@]} -gt 0 ]; do
  if wait -n "${pids[@]}"; then :; else
    rc=$?
    [ "$status" -eq 0 ] && status=$rc && echo "train_distributed.sh: a rank exited with $rc: stopping the others" >&2
    kill "${pids[@]}" 2>/dev/null || true
  fi
  alive=()
  for p in "${pids[@]}"; do kill -0 "$p" 2>/dev/null && alive+=("$p"); done
  pids=("${alive[@]+"${alive[@]}"}")
done
exit "$status"
