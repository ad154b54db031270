import { checkpointKeys } from '../dataset/index.ts';
import { type Store, scopedStore } from '../storage/index.ts';
import { CheckpointStore } from './checkpoint-store.ts';
import { CheckpointError } from './errors.ts';

/**
 * A checkpoint URI as SyntheticDatasetJob.spec.model.checkpointURI allows it: one checkpoint folder
 * (`…/checkpoints/step-000500000`), a checkpoints folder (its `latest` is followed), or a training output root (its
 * `checkpoints/` folder). `open` turns a URI into a store (openStore with the job's storage settings).
 */
export async function resolveCheckpoint(
  uri: string,
  open: (uri: string) => Store,
): Promise<{ checkpoints: CheckpointStore; step: number }> {
  const trimmed = uri.replace(/\/+$/, '');
  const slash = trimmed.lastIndexOf('/');
  const step = checkpointKeys.stepOf(trimmed.slice(slash + 1));
  if (step !== undefined) {
    const checkpoints = new CheckpointStore(open(trimmed.slice(0, slash)));
    if (!(await checkpoints.committedRef(step))) throw new CheckpointError(uri, 'not a committed checkpoint');
    return { checkpoints, step };
  }
  const store = open(trimmed);
  for (const candidate of [store, scopedStore(store, 'checkpoints')]) {
    const checkpoints = new CheckpointStore(candidate);
    const latest = await checkpoints.latest();
    if (latest) return { checkpoints, step: latest.step };
  }
  throw new CheckpointError(uri, 'no committed checkpoint here or in its checkpoints/ folder');
}
