import type { Logger } from 'pino';
import { type Id3Job, WorkerEnv } from '../api/index.ts';
import { mapLimit, openStore, readJsonIfExists, type Store } from '../worker/storage/index.ts';
import { OUTPUTS_KEY, PROGRESS_PREFIX, type TaskProgress } from '../workflow/index.ts';
import type { ProgressSource } from './controller.ts';
import type { Observed } from './reconcile/decide.ts';

/**
 * Reads what workers report — one progress.json per task and the outputs the last stage publishes — from the job's
 * own storage, with the job's own credentials (read from its Secret, held only in memory). Throttled per job: at most
 * one read every `minIntervalMs`, whatever the reconcile rate; between reads the last result is served.
 */
export interface StorageProgressOptions {
  readSecret(namespace: string, name: string): Promise<Record<string, string>>;
  minIntervalMs: number;
  logger: Logger;
  now?: () => number;
  /** Opens a job's output store; injectable for tests. */
  open?: (job: Id3Job, env: Record<string, string | undefined>) => Store;
}

type Read = Pick<Observed, 'reports' | 'outputs'>;

export class StorageProgressSource implements ProgressSource {
  private readonly cache = new Map<string, { at: number; value: Read }>();

  constructor(private readonly o: StorageProgressOptions) {}

  async read(job: Id3Job): Promise<Read> {
    const key = job.metadata.uid ?? `${job.metadata.namespace}/${job.metadata.name}`;
    const now = (this.o.now ?? Date.now)();
    const hit = this.cache.get(key);
    if (hit && now - hit.at < this.o.minIntervalMs) return hit.value;
    try {
      const value = await this.readFresh(job);
      this.cache.set(key, { at: now, value });
      return value;
    } catch (err) {
      this.o.logger.warn(
        { job: job.metadata.name, namespace: job.metadata.namespace, err: String(err) },
        'could not read progress from storage',
      );
      return hit?.value ?? { reports: [] };
    }
  }

  /** Forgets a job, e.g. once it is deleted. */
  forget(uid: string): void {
    this.cache.delete(uid);
  }

  private async readFresh(job: Id3Job): Promise<Read> {
    const store = await this.storeOf(job);
    const keys: string[] = [];
    for await (const o of store.list(PROGRESS_PREFIX)) if (o.key.endsWith('.json')) keys.push(o.key);
    const reports = (await mapLimit(keys, 8, (k) => readJsonIfExists<TaskProgress>(store, k))).filter(
      (r): r is TaskProgress => r !== undefined,
    );
    const outputs = await readJsonIfExists<Observed['outputs']>(store, OUTPUTS_KEY);
    return { reports, ...(outputs ? { outputs } : {}) };
  }

  private async storeOf(job: Id3Job): Promise<Store> {
    const ref = job.spec.storage.credentialsSecretRef;
    const env: Record<string, string | undefined> = { ...process.env };
    if (ref && job.spec.output.uri.startsWith('s3://')) {
      const data = await this.o.readSecret(job.metadata.namespace ?? 'default', ref.name);
      env[WorkerEnv.AccessKeyId] = data[ref.accessKeyIDKey];
      env[WorkerEnv.SecretAccessKey] = data[ref.secretAccessKeyKey];
      env[WorkerEnv.SessionToken] = ref.sessionTokenKey ? data[ref.sessionTokenKey] : undefined;
    }
    return this.o.open ? this.o.open(job, env) : openStore(job.spec.output.uri, job.spec.storage, env);
  }
}
