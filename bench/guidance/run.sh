#!/usr/bin/env bash
# Identity guidance scale (Algorithm 2's s_id) on the bundled model: the same 16 identities × 4 images (seed 3,
# embeddingSpace data, DDPM-25) at each scale, measured twice — by the guiding encoder (the dataset's own report) and
# by a second, independently trained encoder, which guidance cannot have optimised against (a scale that only fools
# the guiding network shows up as a gap between the two).
#
#   bash bench/guidance/run.sh OTHER_ENCODER_MODEL_JSON [out-dir]      SCALES="0 10 100" bash bench/guidance/run.sh …
#
# The other encoder must take 32 px input and give 128-d embeddings (e.g. a run of scripts/train-encoder.ts with other
# --stem/--stages). About 2 minutes per scale on one core.
set -euo pipefail
cd "$(dirname "$0")/../.."
other="${1:?usage: run.sh OTHER_ENCODER_MODEL_JSON [out-dir]}"
out="$(realpath -m "${2:-bench/results/guidance}")"
scales="${SCALES:-0 1 3 10 30 100 300}"
mkdir -p "$out"
for s in $scales; do
  cat >"$out/g$s.yaml" <<YAML
apiVersion: id3.sfr.dev/v1alpha1
kind: SyntheticDatasetJob
metadata:
  name: guidance-$s
spec:
  model:
    checkpointURI: $PWD/models/id3-faces-32
  identities: 16
  imagesPerIdentity: 4
  embeddingsPerIdentity: 4
  seed: 3
  embeddingSpace: data
  sampler: { type: DDPM, steps: 25, batchSize: 16, guidanceScale: $s }
  sharding: { shards: 1, parallelism: 1 }
  output: { uri: $out/out-$s, identitiesPerTar: 16 }
  quality: { pairs: 300 }
YAML
  npx id3 run "$out/g$s.yaml" --no-progress -j 1 >"$out/run-$s.log" 2>&1
  npx id3 report "$out/out-$s" --encoder "$other" --input-size 32 --embedding-size 128 --pairs 300 \
    --out "$out/other-$s" >"$out/report-$s.log" 2>&1
done
node bench/guidance/table.mjs "$out" $scales
