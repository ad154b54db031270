import { datasetKeys } from '../output/index.ts';
import { isPermanentStorageError, readJsonIfExists, type Store } from '../storage/index.ts';
import { checkpointFolder } from './resolve.ts';

/**
 * Releases the dataset's hold on its planned step, once the dataset is finished. Called by finalize after its done
 * marker, and by `id3 run` for a job it finds finished (a finalize stopped between the two is not run again there).
 * Without a plan there is nothing to release.
 */
export async function releaseDatasetHold(
  store: Store,
  open: (uri: string) => Store,
  warn: (obj: Record<string, unknown>, msg: string) => void,
): Promise<void> {
  const plan = await readJsonIfExists<{ checkpoint?: { uri: string; held?: boolean } }>(store, datasetKeys.planSummary);
  // held false: the plan could not hold it (a read-only store), so there is nothing to release.
  const folder = plan?.checkpoint?.held !== false && plan?.checkpoint && checkpointFolder(plan.checkpoint.uri, open);
  if (!folder) return;
  try {
    await folder.checkpoints.release(store.root);
  } catch (err) {
    if (!isPermanentStorageError(err)) throw err;
    warn(
      { checkpoint: plan.checkpoint?.uri, error: err.message },
      'cannot release the hold on the planned checkpoint; it expires on its own, or delete its holds/ entry',
    );
  }
}
