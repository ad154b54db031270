/**
 * Checkpoints: `CheckpointStore` keeps `{ step, metadata (JSON), files: Record<name, bytes> }` — the model code
 * serialises weights, optimizer and EMA state into the named files; this folder only stores them — under
 * `checkpoints/step-000001234/` (keys in dataset/layout.ts `checkpointKeys`), with a `COMMITTED` marker (sizes and
 * sha256) written after the files and the `latest` pointer written last, then keep-last-K retention. A process
 * killed mid-save never leaves a torn checkpoint as `latest`; retention spares steps a dataset job holds (`holds/`). `resolveCheckpoint` accepts the URIs a dataset job
 * may name (a checkpoints folder, a training output root, or one checkpoint folder).
 */
export {
  type Checkpoint,
  type CheckpointHold,
  type CheckpointMarker,
  type CheckpointRef,
  CheckpointStore,
  type CheckpointStoreOptions,
  HOLD_TTL_MS,
  readCheckpointMarker,
} from './checkpoint-store.ts';
export { CheckpointError } from './errors.ts';
export { releaseDatasetHold } from './release.ts';
export { checkpointFolder, resolveCheckpoint } from './resolve.ts';
