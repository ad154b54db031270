import type { Logger } from 'pino';
import { type Id3Job, KIND_DATASET, WorkerEnv } from '../api/index.ts';
import { releaseDatasetHold } from '../io/checkpoints/index.ts';
import { deleteTemporary, readProgressReports, readPublishedOutputs } from '../io/output/index.ts';
import { openStore, type Store } from '../io/storage/index.ts';
import { ownsOutput } from '../io/tasks/index.ts';
import { workerJob } from '../workflow/index.ts';
import type { Observed } from './reconcile/decide.ts';

/** What the operator needs from a job's storage. */
export interface JobStorage {
  /**
   * Progress reports and published outputs of a job, throttled and cached by the implementation; a different
   * `stateKey` (the children's resourceVersions) forces a fresh read, so a stage that just finished is never judged
   * on reports older than its completion.
   */
  progress(job: Id3Job, stateKey?: string): Promise<Pick<Observed, 'reports' | 'outputs'>>;
  /** Deletes the job's temporary objects (staged identities, progress reports); its results stay. */
  cleanup(job: Id3Job): Promise<number>;
}

/**
 * A job's storage as the operator sees it: what workers report — one progress.json per task and the outputs the
 * last stage publishes — and the temporary objects to clean up, reached with the job's own credentials (read from its
 * Secret, held only in memory). Progress reads are throttled per job: at most one every `minIntervalMs`, whatever
 * the reconcile rate; between reads the last result is served.
 */
export interface JobStorageOptions {
  readSecret(namespace: string, name: string): Promise<Record<string, string>>;
  minIntervalMs: number;
  logger: Logger;
  now?: () => number;
  /** Opens a job's output store; injectable for tests. */
  open?: (job: Id3Job, env: Record<string, string | undefined>) => Store;
}

type Read = Pick<Observed, 'reports' | 'outputs'>;

export class JobStorageClient implements JobStorage {
  private readonly cache = new Map<string, { at: number; stateKey?: string; value: Read }>();

  constructor(private readonly o: JobStorageOptions) {}

  async progress(job: Id3Job, stateKey?: string): Promise<Read> {
    const key = job.metadata.uid ?? `${job.metadata.namespace}/${job.metadata.name}`;
    const now = (this.o.now ?? Date.now)();
    const hit = this.cache.get(key);
    if (hit && hit.stateKey === stateKey && now - hit.at < this.o.minIntervalMs) return hit.value;
    try {
      const value = await this.readFresh(job);
      this.cache.set(key, { at: now, stateKey, value });
      return value;
    } catch (err) {
      this.o.logger.warn(
        { job: job.metadata.name, namespace: job.metadata.namespace, err: String(err) },
        'could not read progress from storage',
      );
      return hit?.value ?? { reports: [] };
    }
  }

  async cleanup(job: Id3Job): Promise<number> {
    const { store, env } = await this.storesOf(job);
    if (job.metadata.uid) this.cache.delete(job.metadata.uid);
    // Only what this job owns: a job refused on another job's output.uri (or never started) deletes nothing there.
    const asWorkers = ownerView(job);
    if (!asWorkers || !(await ownsOutput(store, asWorkers))) {
      this.o.logger.info(
        { job: job.metadata.name, namespace: job.metadata.namespace, output: job.spec.output.uri },
        'cleanup: the output is not this job’s; nothing deleted',
      );
      return 0;
    }
    // A dataset job deleted before it finished still holds its checkpoint step against the trainer's retention.
    if (job.kind === KIND_DATASET) {
      const open = (uri: string) => openStore(uri, job.spec.storage, env);
      await releaseDatasetHold(store, open, (obj, msg) => this.o.logger.warn({ job: job.metadata.name, ...obj }, msg));
    }
    return deleteTemporary(store);
  }

  private async readFresh(job: Id3Job): Promise<Read> {
    const store = await this.storeOf(job);
    const reports = await readProgressReports(store);
    const outputs = await readPublishedOutputs<NonNullable<Observed['outputs']>>(store);
    return { reports, ...(outputs ? { outputs } : {}) };
  }

  private async storeOf(job: Id3Job): Promise<Store> {
    return (await this.storesOf(job)).store;
  }

  /** The job's output store, and the environment (its credentials) that opens other URIs as the job's workers do. */
  private async storesOf(job: Id3Job): Promise<{ store: Store; env: Record<string, string | undefined> }> {
    const ref = job.spec.storage.credentialsSecretRef;
    const env: Record<string, string | undefined> = { ...process.env };
    if (ref && job.spec.output.uri.startsWith('s3://')) {
      const data = await this.o.readSecret(job.metadata.namespace ?? 'default', ref.name);
      env[WorkerEnv.AccessKeyId] = data[ref.accessKeyIDKey];
      env[WorkerEnv.SecretAccessKey] = data[ref.secretAccessKeyKey];
      env[WorkerEnv.SessionToken] = ref.sessionTokenKey ? data[ref.sessionTokenKey] : undefined;
    }
    return { store: this.o.open ? this.o.open(job, env) : openStore(job.spec.output.uri, job.spec.storage, env), env };
  }
}

/**
 * The job as its workers saw it when they claimed its output (a trainingJobRef resolved to the checkpoint the
 * operator recorded), or undefined when its model was never resolved: such a job never ran, so it owns nothing.
 */
function ownerView(job: Id3Job): Id3Job | undefined {
  const ref = job.kind === KIND_DATASET && job.spec.model.trainingJobRef;
  if (ref && !job.status?.checkpointURI) return undefined;
  return workerJob(job, ref ? job.status?.checkpointURI : undefined);
}
