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
 * Which job an output location belongs to. A job writes only into a location that is empty or that it already owns:
 * its first writer (a worker task, or `id3 run` before it writes a status) claims the location by recording the job
 * (tasks/job.json, create-if-absent) before anything else, and every later writer checks that record. The same job,
 * run again or resumed, passes; a job whose defining fields differ (api/defining-fields.ts: an edited manifest, a job
 * re-created with another spec on the same output.uri) is refused with the fields that differ, and a location that
 * holds files but no record — somebody's folder, another tool's output — is refused with what is in it, so that
 * nothing of theirs is ever written over.
 */
interface OwnerRecord {
  kind: string;
  name: string;
  /** The namespace of a job on a cluster; absent for `id3 run`. */
  namespace?: string;
  fingerprint: Fingerprint;
}

const recordOf = (job: Id3Job): OwnerRecord => ({
  kind: job.kind,
  name: job.metadata.name,
  ...(job.metadata.namespace ? { namespace: job.metadata.namespace } : {}),
  fingerprint: fingerprintOf(job),
});

/** Files shown when a location is refused for holding other things. */
const SHOWN = 5;

/**
 * Why `job` may not write into `store`, or undefined when it may: another job's output whose defining fields differ,
 * or files that belong to no id3 job. `job` undefined checks only for foreign files (a job whose model is not
 * resolved yet cannot be fingerprinted).
 */
export async function outputConflict(store: Store, job: Id3Job | undefined): Promise<string | undefined> {
  const theirs = await readJsonIfExists<OwnerRecord>(store, jobKeys.owner);
  if (theirs) return job ? ownerConflictWith(store, theirs, recordOf(job)) : undefined;
  const found = await firstKeys(store, SHOWN + 1);
  if (found.length === 0) return undefined;
  const shown = found.slice(0, SHOWN).join(', ') + (found.length > SHOWN ? ', …' : '');
  return (
    `${store.uri('')} is not empty and holds no id3 job's output (it holds ${shown}); a job writes only into an ` +
    'empty location or its own output: give this job another output.uri'
  );
}

function ownerConflictWith(store: Store, theirs: OwnerRecord, ours: OwnerRecord): string | undefined {
  if (theirs.kind === ours.kind && theirs.fingerprint?.sha256 === ours.fingerprint.sha256) return undefined;
  const differences =
    theirs.kind === ours.kind
      ? fingerprintDifferences(ours.fingerprint, theirs.fingerprint ?? { fields: {}, sha256: '' }).join('; ')
      : `it is a ${theirs.kind}`;
  return (
    `${store.uri('')} holds the output of ${theirs.kind}/${theirs.name}, which differs from this job (${differences}); ` +
    'these fields define the output and cannot change under it: give this job a new output.uri, or delete the old output'
  );
}

/**
 * Claims `store` for `job`, or throws PermanentInputError when the location holds another job's output or foreign
 * files. Two jobs racing for an empty location: one create-if-absent wins, the other reads the winner's record.
 */
export async function claimOutput(store: Store, job: Id3Job): Promise<void> {
  const conflict = await outputConflict(store, job);
  if (conflict) throw new PermanentInputError(conflict);
  try {
    await store.putIfAbsent(jobKeys.owner, jsonBytes(recordOf(job)));
    return;
  } catch (err) {
    if (!(err instanceof PreconditionFailedError)) throw err;
  }
  const raced = await outputConflict(store, job);
  if (raced) throw new PermanentInputError(raced);
}

/**
 * Whether `job` itself owns the output at `store` — the same kind, name (and namespace) and defining fields — so
 * that cleaning up after it may delete its temporary objects. A job refused on another job's output owns nothing
 * there; neither does a job whose location was never claimed.
 */
export async function ownsOutput(store: Store, job: Id3Job): Promise<boolean> {
  const theirs = await readJsonIfExists<OwnerRecord>(store, jobKeys.owner);
  if (!theirs) return false;
  const ours = recordOf(job);
  return (
    theirs.kind === ours.kind &&
    theirs.name === ours.name &&
    (theirs.namespace ?? '') === (ours.namespace ?? '') &&
    theirs.fingerprint?.sha256 === ours.fingerprint.sha256
  );
}

async function firstKeys(store: Store, n: number): Promise<string[]> {
  const keys: string[] = [];
  for await (const o of store.list('')) {
    keys.push(o.key);
    if (keys.length >= n) break;
  }
  return keys;
}
