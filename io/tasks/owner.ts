import {
  type Fingerprint,
  fingerprintDifferences,
  fingerprintOf,
  type Id3Job,
  PermanentInputError,
} from '../../api/index.ts';
import { jobKeys } from '../output/index.ts';
import { jsonBytes, PreconditionFailedError, readJsonIfExists, type Store } from '../storage/index.ts';

/**
 * Which job an output location belongs to. The first task of a job claims the location by recording the job's
 * fingerprint (tasks/job.json, create-if-absent); every later task checks it, and so does `id3 run` before it skips
 * finished tasks. The same job, run again or resumed, passes; one whose defining fields differ (an edited manifest, a
 * job re-created with another spec on the same output.uri) is refused with the fields that differ, since its markers,
 * staged identities and tars would otherwise be taken for its own.
 */
interface OwnerRecord {
  kind: string;
  name: string;
  fingerprint: Fingerprint;
}

const recordOf = (job: Id3Job): OwnerRecord => ({
  kind: job.kind,
  name: job.metadata.name,
  fingerprint: fingerprintOf(job),
});

/** Why `job` may not use `store`'s output (another job's, by its defining fields), or undefined when it may. */
export async function ownerConflict(store: Store, job: Id3Job): Promise<string | undefined> {
  const theirs = await readJsonIfExists<OwnerRecord>(store, jobKeys.owner);
  if (!theirs) return undefined;
  const ours = recordOf(job);
  if (theirs.kind === ours.kind && theirs.fingerprint.sha256 === ours.fingerprint.sha256) return undefined;
  const differences =
    theirs.kind === ours.kind
      ? fingerprintDifferences(ours.fingerprint, theirs.fingerprint).join('; ')
      : `it is a ${theirs.kind}`;
  return (
    `${store.uri('')} holds the output of ${theirs.kind}/${theirs.name}, which differs from this job (${differences}); ` +
    'these fields define the output and cannot change under it: give this job a new output.uri, or delete the old output'
  );
}

/** Claims `store` for `job`, or throws PermanentInputError when another job's output is there. */
export async function claimOutput(store: Store, job: Id3Job): Promise<void> {
  try {
    await store.putIfAbsent(jobKeys.owner, jsonBytes(recordOf(job)));
    return;
  } catch (err) {
    if (!(err instanceof PreconditionFailedError)) throw err;
  }
  const conflict = await ownerConflict(store, job);
  if (conflict) throw new PermanentInputError(conflict);
}
