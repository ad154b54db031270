#!/usr/bin/env bash
# The model benchmarks of bench/RESULTS.md ("Model (issue 4)"), one process per measurement so that one that runs out
# of memory (wasm's 4 GB heap) is recorded and the others still run:
#   ours:    bench/model/bench.ts on wasm (32/64/112 px), cpu and webgpu on the software Vulkan driver (32 px)
#   PyTorch: bench/model/unet_torch.py, the same U-Net and batches, 1 and 2 threads (Debian python3-torch, installed
#            if missing)
# then prints the tables (bench/model/report.ts). Results: bench/results/model/ (or $1).
#
#   bash bench/model/run.sh [out-dir]          SIZES=32 bash bench/model/run.sh   (a subset)
#
# Takes about half an hour on two cores; run it on an otherwise idle machine.
set -uo pipefail
cd "$(dirname "$0")/../.."
out="${1:-bench/results/model}"
sizes="${SIZES:-32 64 112}"
mkdir -p "$out"

if ! /usr/bin/python3 -c 'import torch' 2>/dev/null; then
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends python3-torch >/dev/null
fi

declare -A train_batch=([32]=16 [64]=4 [112]=2)
declare -A sample_batch=([32]=4 [64]=4 [112]=2)

# ours BACKEND SIZE WHAT [extra args]: one measurement, or a JSON error record when it fails.
ours() {
  local backend=$1 size=$2 what=$3
  shift 3
  local file="$out/$backend-$size-$what.json" log
  log="$(mktemp)"
  if ! npx tsx bench/model/bench.ts --backend "$backend" --sizes "$size" --what "$what" \
    --train-batch "${train_batch[$size]}" --sample-batch "${sample_batch[$size]}" --out "$file" "$@" >/dev/null 2>"$log"; then
    printf '{"backend":"%s","size":%s,"what":"%s","error":%s}\n' "$backend" "$size" "$what" \
      "$(grep -m1 -E 'Error|Aborted' "$log" | cut -c1-200 | node -e 'process.stdin.on("data",d=>process.stdout.write(JSON.stringify(String(d).trim())))')" >"$file"
  fi
  rm -f "$log"
}

for s in $sizes; do
  ours wasm "$s" train
  ours wasm "$s" sample
done
ours cpu 32 train --reps 1
ours cpu 32 sample --reps 1
(
  eval "$(bash test/setup/vulkan.sh | sed 's/^/export /')"
  export LD_LIBRARY_PATH
  ours webgpu 32 train --reps 1
  ours webgpu 32 sample --reps 1
)
for s in $sizes; do
  for threads in 1 2; do
    /usr/bin/python3 bench/model/unet_torch.py --size "$s" --train-batch "${train_batch[$s]}" \
      --sample-batch "${sample_batch[$s]}" --threads "$threads" >"$out/torch-$s-t$threads.json"
  done
done
npx tsx bench/model/report.ts "$out"
