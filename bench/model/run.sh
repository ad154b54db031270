#!/usr/bin/env bash
# The model benchmarks of bench/RESULTS.md ("Model (issue 4)"), on this machine, one after the other:
#   ours:    bench/model/bench.ts on wasm (32/64/112 px), cpu (32 px) and webgpu on the software Vulkan driver (32 px)
#   PyTorch: bench/model/unet_torch.py, the same U-Net, with 1 and 2 threads (Debian python3-torch, installed if missing)
# then prints the tables (bench/model/report.ts). Results go to bench/results/model/ (or $1).
#
#   bash bench/model/run.sh [out-dir]          SIZES=32,64 bash bench/model/run.sh   (a subset)
#
# Takes about 20 minutes on two cores; run it on an otherwise idle machine.
set -euo pipefail
cd "$(dirname "$0")/../.."
out="${1:-bench/results/model}"
sizes="${SIZES:-32,64,112}"
mkdir -p "$out"

if ! /usr/bin/python3 -c 'import torch' 2>/dev/null; then
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends python3-torch >/dev/null
fi

declare -A train_batch=([32]=16 [64]=4 [112]=2)
batches=""
for s in ${sizes//,/ }; do batches="${batches:+$batches,}${train_batch[$s]}"; done

npx tsx bench/model/bench.ts --backend wasm --sizes "$sizes" --train-batch "$batches" --out "$out/wasm.json" >/dev/null
npx tsx bench/model/bench.ts --backend cpu --sizes 32 --train-batch 16 --reps 1 --out "$out/cpu.json" >/dev/null
eval "$(bash test/setup/vulkan.sh | sed 's/^/export /')"
export LD_LIBRARY_PATH
npx tsx bench/model/bench.ts --backend webgpu --sizes 32 --train-batch 16 --reps 1 --out "$out/webgpu.json" >/dev/null
for s in ${sizes//,/ }; do
  for threads in 1 2; do
    /usr/bin/python3 bench/model/unet_torch.py --size "$s" --train-batch "${train_batch[$s]}" --sample-batch 4 \
      --threads "$threads" >"$out/torch-$s-t$threads.json"
  done
done
npx tsx bench/model/report.ts "$out"
