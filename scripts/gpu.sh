#!/usr/bin/env bash
# All of the project's GPU work in one run, sized for under 10 minutes on one H100:
#   1. benchmarks/throughput.py on the GPU (rslib against the model's forward pass and a Cohen-style loop)
#      -> benchmarks/results/throughput-gpu.json
#   2. the three shipped Gaussian models certified at N = 100,000 (N0 = 100, alpha = 0.001) on the same 500
#      test images as scripts/certify_at_scale.sh (idx 0, 20, ..., 9980)
#      -> data/results/scale/fmnist-gaussian-{0.25,0.5,1.0}-N100000.tsv
# Each results file records its provenance (command, GPU, versions, commit, date). Certification is resumable:
# if the run is cut off, the same command continues after the last finished row.
#
#   scripts/gpu.sh                                  (python3 with torch, numpy, scipy, tqdm; no install needed)
#   DATA_ROOT=fmnist OUT_COPY=$OUT scripts/gpu.sh   (Fashion-MNIST's *-ubyte.gz from a folder; copy the outputs)
#
# Environment: PYTHON (default python3), DATA_ROOT (a folder with Fashion-MNIST's four *-ubyte.gz files;
# default: rslib's own lookup, e.g. Debian's dataset-fashion-mnist), OUT_COPY (a folder that also receives
# every output file), RESULTS and BENCH (the folders written, default data/results/scale and
# benchmarks/results), and for a quick check on a CPU: IMAGES (500), N (100000), SAMPLES (1000000),
# BATCHES (the benchmark's batch sizes, "1000 4000 16000"), CERTIFY_INPUTS (64).
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-python3}
export PYTHONPATH="$PWD${PYTHONPATH:+:$PYTHONPATH}"  # rslib from this checkout, installed or not
IMAGES=${IMAGES:-500}
N=${N:-100000}
SAMPLES=${SAMPLES:-1000000}
DATA=()
if [ -n "${DATA_ROOT:-}" ]; then DATA=(--data-root "$DATA_ROOT"); fi
RESULTS=${RESULTS:-data/results/scale}
BENCH=${BENCH:-benchmarks/results}
mkdir -p "$RESULTS" "$BENCH"
"$PY" -c "import torch; print('device:', torch.cuda.get_device_name(0) if torch.cuda.is_available() else 'cpu')"
read -r -a BATCH_SIZES <<< "${BATCHES:-1000 4000 16000}"
"$PY" benchmarks/throughput.py --samples "$SAMPLES" --batch-sizes "${BATCH_SIZES[@]}" --rounds 3 \
  --certify "${CERTIFY_INPUTS:-64}" 100 "$((N < 10000 ? N : 10000))" --out "$BENCH/throughput-gpu.json"
outputs=("$BENCH/throughput-gpu.json")
for sigma in 0.25 0.5 1.0; do
  out="$RESULTS/fmnist-gaussian-$sigma-N$N.tsv"
  "$PY" -m rslib certify --model "fmnist-gaussian-$sigma" "${DATA[@]}" --split test --skip 20 --max "$IMAGES" \
    --N0 100 --N "$N" --alpha 0.001 --seed 0 --batch 10000 --pack 16 --quiet --out "$out"
  outputs+=("$out")
done
if [ -n "${OUT_COPY:-}" ]; then cp "${outputs[@]}" "$OUT_COPY"/; fi
echo "wrote ${outputs[*]}"
