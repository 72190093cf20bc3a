#!/usr/bin/env bash
# Certified accuracy at scale: every shipped model on the fixed subset of 500 Fashion-MNIST test images
# idx = 0, 20, 40, ..., 9980 (--skip 20 --max 500, the subset Cohen et al. used on CIFAR-10), at N0 = 100,
# N = 10,000, alpha = 0.001, seed 0. Each results file keeps its provenance (command, device, versions,
# commit, date) in its header; the book reads these files and never recomputes them.
#
#   scripts/certify_at_scale.sh [OUT_DIR] [N]        (defaults: data/results/scale, 10000)
#
# Resumable: rerun the same command after an interruption and each file continues after its last finished
# row (finished files are left as they are). About 1.5-2 hours on 2 CPU cores for all twelve models.
set -euo pipefail
cd "$(dirname "$0")/.."
OUT=${1:-data/results/scale}
N=${2:-10000}
RSLIB=${RSLIB:-.venv/bin/rslib}
mkdir -p "$OUT"
for card in data/models/*.json; do
  model=$(basename "$card" .json)
  "$RSLIB" certify --model "$model" --split test --skip 20 --max 500 --N0 100 --N "$N" --alpha 0.001 \
    --seed 0 --pack 8 --quiet --out "$OUT/$model-N$N.tsv"
done
