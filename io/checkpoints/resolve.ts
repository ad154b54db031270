import { checkpointKeys } from '../output/index.ts';
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
  const one = checkpointFolder(uri, open);
  if (one) {
    if (!(await one.checkpoints.committedRef(one.step))) throw new CheckpointError(uri, 'not a committed checkpoint');
    return one;
  }
  const store = open(uri.replace(/\/+$/, ''));
  for (const candidate of [store, scopedStore(store, 'checkpoints')]) {
    const checkpoints = new CheckpointStore(candidate);
    const latest = await checkpoints.latest();
    if (latest) return { checkpoints, step: latest.step };
  }
  throw new CheckpointError(uri, 'no committed checkpoint here or in its checkpoints/ folder');
}

/** The store and step of a URI naming one checkpoint folder (`…/step-000000500`), or undefined for any other URI. */
export function checkpointFolder(
  uri: string,
  open: (uri: string) => Store,
): { checkpoints: CheckpointStore; step: number } | undefined {
  const trimmed = uri.replace(/\/+$/, '');
  const slash = trimmed.lastIndexOf('/');
  const step = checkpointKeys.stepOf(trimmed.slice(slash + 1));
  return step === undefined ? undefined : { checkpoints: new CheckpointStore(open(trimmed.slice(0, slash))), step };
}
