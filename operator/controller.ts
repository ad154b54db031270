import type { KubeConfig, KubernetesObject, V1Job, V1Pod } from '@kubernetes/client-node';
import type { Logger } from 'pino';
import {
  API_VERSION,
  EventReason,
  FINALIZER_CLEANUP,
  GROUP,
  type ID3TrainingJob,
  type Id3Job,
  isJobKind,
  type JobKind,
  KIND_DATASET,
  KIND_TRAINING,
  LABEL_JOB,
  LABEL_KIND,
  type SyntheticDatasetJob,
  VERSION,
} from '../api/index.ts';
import type { JobStorage } from './job-storage.ts';
import { KubeClient, KubeError, PLURAL } from './kube/client.ts';
import { type InformerEvent, ResilientInformer } from './kube/informer.ts';
import type { OperatorMetrics } from './metrics.ts';
import { type Clock, systemClock, WorkQueue } from './queue.ts';
import { act } from './reconcile/act.ts';
import { decide, type Observed } from './reconcile/decide.ts';

/**
 * The controller: informers on both kinds and on their child Jobs and Pods feed one work queue of job keys; a bounded
 * pool of workers reconciles one key at a time each (observe → decide → act). Children map back to their job through
 * labels; a training job's changes also wake the dataset jobs that reference it.
 */

export interface ControllerOptions {
  kubeConfig: KubeConfig;
  /** Watch one namespace, or all when unset. */
  namespace?: string;
  workerImage: string;
  concurrency: number;
  progressIntervalMs: number;
  /** Accept local output paths (DecideOptions.allowLocalOutput): single-machine development clusters only. */
  allowLocalOutput?: boolean;
  storage: JobStorage;
  logger: Logger;
  metrics: OperatorMetrics;
  clock?: Clock;
  fieldManager?: string;
  staleAfterMs?: number;
  relistEveryMs?: number;
  /** Name of the leader Lease, so the leader gauge exists (0) before this replica ever leads. */
  leaseName?: string;
  /** Add a finalizer that deletes each job's temporary storage (staged images, progress reports) when it is deleted. */
  cleanupFinalizer?: boolean;
  /** How long a deleted job waits for its storage cleanup before the finalizer gives up (storage unreachable). */
  cleanupGiveUpMs?: number;
}

const NAME = 'id3-operator';
const CHILD_SELECTOR = LABEL_JOB;

export class Controller {
  readonly client: KubeClient;
  private readonly queue: WorkQueue;
  private readonly informers: {
    jobs: Record<JobKind, ResilientInformer<Id3Job & KubernetesObject>>;
    children: ResilientInformer<V1Job>;
    pods: ResilientInformer<V1Pod>;
  };
  private workers: Promise<void>[] = [];
  private running = false;
  private readonly clock: Clock;

  constructor(private readonly o: ControllerOptions) {
    this.clock = o.clock ?? systemClock;
    this.client = new KubeClient(o.kubeConfig, o.fieldManager ?? NAME, (verb, resource, code) =>
      o.metrics.apiRequests.inc({ verb, resource, code: String(code) }),
    );
    this.queue = new WorkQueue({ clock: this.clock, metrics: o.metrics.forQueue(NAME) });
    o.metrics.initialise(NAME, NAME, o.leaseName);
    this.informers = {
      jobs: {
        [KIND_TRAINING]: this.jobInformer(KIND_TRAINING),
        [KIND_DATASET]: this.jobInformer(KIND_DATASET),
      },
      children: this.informer<V1Job>(
        '/apis/batch/v1',
        'jobs',
        () => this.client.listChildJobs(CHILD_SELECTOR, o.namespace),
        (_e, obj) => this.enqueueOwner(obj),
      ),
      pods: this.informer<V1Pod>(
        '/api/v1',
        'pods',
        () => this.client.listPods(CHILD_SELECTOR, o.namespace),
        (_e, obj) => this.enqueueOwner(obj),
      ),
    };
  }

  /** Starts the informers and waits for their first lists. Reconciling starts with `run()` (once leading). */
  async startInformers(): Promise<void> {
    const all = [...Object.values(this.informers.jobs), this.informers.children, this.informers.pods];
    await Promise.all(all.map((i) => i.start()));
  }

  get synced(): boolean {
    return [...Object.values(this.informers.jobs), this.informers.children, this.informers.pods].every(
      (i) => i.hasSynced,
    );
  }

  /** Starts the reconcile workers and queues every known job. */
  run(): void {
    if (this.running) return;
    this.running = true;
    this.o.metrics.maxConcurrent.set({ controller: NAME }, this.o.concurrency);
    for (const kind of [KIND_TRAINING, KIND_DATASET] as const) {
      for (const job of this.informers.jobs[kind].list()) this.queue.add(keyOf(kind, job));
    }
    this.workers = Array.from({ length: this.o.concurrency }, () => this.worker());
    const queueMetrics = this.o.metrics.forQueue(NAME);
    const watch = () => {
      if (!this.running) return;
      queueMetrics.longestRunning(this.queue.longestRunningSeconds());
      this.clock.setTimeout(watch, 5_000);
    };
    watch();
  }

  /** Stops taking work and waits for reconciles in flight to finish. */
  async stop(): Promise<void> {
    this.running = false;
    this.queue.shutDown();
    await Promise.all(this.workers);
    const all = [...Object.values(this.informers.jobs), this.informers.children, this.informers.pods];
    await Promise.all(all.map((i) => i.stop()));
  }

  private jobInformer(kind: JobKind): ResilientInformer<Id3Job & KubernetesObject> {
    const base = `/apis/${GROUP}/${VERSION}`;
    return this.informer<Id3Job & KubernetesObject>(
      base,
      PLURAL[kind],
      () => this.client.listJobs(kind, this.o.namespace),
      (_e, obj) => {
        this.queue.add(keyOf(kind, obj));
        if (kind === KIND_TRAINING) this.enqueueDependents(obj as ID3TrainingJob);
      },
    );
  }

  private informer<T extends KubernetesObject>(
    base: string,
    plural: string,
    list: () => Promise<unknown>,
    onEvent: (e: InformerEvent, obj: T) => void,
  ) {
    const ns = this.o.namespace;
    return new ResilientInformer<T>({
      kubeConfig: this.o.kubeConfig,
      path: ns ? `${base}/namespaces/${ns}/${plural}` : `${base}/${plural}`,
      list: list as never,
      labelSelector: plural === 'jobs' || plural === 'pods' ? CHILD_SELECTOR : undefined,
      onEvent,
      logger: this.o.logger.child({ informer: plural }),
      clock: this.clock,
      staleAfterMs: this.o.staleAfterMs,
      relistEveryMs: this.o.relistEveryMs,
      onRestart: () => this.o.metrics.informerRestarts.inc({ resource: plural }),
    });
  }

  private enqueueOwner(obj: KubernetesObject): void {
    const labels = obj.metadata?.labels ?? {};
    const kind = labels[LABEL_KIND];
    const name = labels[LABEL_JOB];
    if (isJobKind(kind) && name) this.queue.add(`${kind}/${obj.metadata?.namespace ?? ''}/${name}`);
  }

  private enqueueDependents(tj: ID3TrainingJob): void {
    const ns = tj.metadata.namespace;
    for (const ds of this.informers.jobs[KIND_DATASET].list(ns) as SyntheticDatasetJob[]) {
      if (ds.spec?.model?.trainingJobRef?.name === tj.metadata.name)
        this.queue.add(keyOf(KIND_DATASET, ds as KubernetesObject));
    }
  }

  private async worker(): Promise<void> {
    for (;;) {
      const key = await this.queue.get();
      if (key === undefined) return;
      this.o.metrics.activeWorkers.inc({ controller: NAME });
      const end = this.o.metrics.reconcileTime.startTimer({ controller: NAME });
      try {
        const requeueAfterMs = await this.reconcile(key);
        this.queue.forget(key);
        if (requeueAfterMs !== undefined) this.queue.addAfter(key, requeueAfterMs);
        this.o.metrics.reconcileTotal.inc({
          controller: NAME,
          result: requeueAfterMs === undefined ? 'success' : 'requeue_after',
        });
      } catch (err) {
        this.o.metrics.reconcileErrors.inc({ controller: NAME });
        this.o.metrics.reconcileTotal.inc({ controller: NAME, result: 'error' });
        const level = err instanceof KubeError && err.transient ? 'info' : 'error';
        this.o.logger[level](
          { key, err: String(err), retries: this.queue.retries(key) },
          'reconcile failed; will retry',
        );
        this.queue.addRateLimited(key);
      } finally {
        end();
        this.o.metrics.activeWorkers.dec({ controller: NAME });
        this.queue.done(key);
      }
    }
  }

  /** One reconcile of one job; returns when to look again. */
  async reconcile(key: string): Promise<number | undefined> {
    const [kind, namespace, name] = key.split('/') as [JobKind, string, string];
    const cached = this.informers.jobs[kind].get(name, namespace);
    if (!cached) return undefined;
    // List items may omit apiVersion and kind; the decision depends on them.
    const job = { ...cached, apiVersion: API_VERSION, kind } as Id3Job;
    const logger = this.o.logger.child({ job: name, namespace, kind });
    const finalizers = job.metadata.finalizers ?? [];
    if (job.metadata.deletionTimestamp) return this.cleanUp(job, logger);
    if (this.o.cleanupFinalizer && !finalizers.includes(FINALIZER_CLEANUP)) {
      await this.client.patchFinalizers(job, [...finalizers, FINALIZER_CLEANUP]);
      return undefined; // the update brings the job back with its finalizer
    }
    const owned = (o: KubernetesObject) =>
      o.metadata?.labels?.[LABEL_JOB] === name && o.metadata?.labels?.[LABEL_KIND] === kind;
    const children = this.informers.children.list(namespace).filter(owned);
    const childrenState = children.map((c) => `${c.metadata?.name}@${c.metadata?.resourceVersion}`).join(',');
    const observed: Observed = {
      children,
      pods: this.informers.pods.list(namespace).filter(owned),
      ...(await this.o.storage.progress(job, childrenState)),
      ...(kind === KIND_DATASET ? { trainingJob: this.trainingJobOf(job as SyntheticDatasetJob) } : {}),
    };
    const now = new Date(this.clock.now());
    const plan = decide(job, observed, now, {
      workerImage: this.o.workerImage,
      progressIntervalMs: this.o.progressIntervalMs,
      ...(this.o.allowLocalOutput ? { allowLocalOutput: true } : {}),
    });
    await act(this.client, job, plan, now, logger);
    if (plan.status?.phase === 'Failed' && job.status?.phase !== 'Failed') {
      const reason = plan.status.conditions?.find((c) => c.type === 'Failed')?.reason ?? 'Failed';
      this.o.metrics.jobFailures.inc({ kind, reason });
    }
    if (plan.status) logger.debug({ phase: plan.status.phase }, 'status updated');
    return plan.requeueAfterMs;
  }

  /** A deleted job with our finalizer: delete its temporary storage, then let it go. */
  private async cleanUp(job: Id3Job, logger: Logger): Promise<undefined> {
    const finalizers = job.metadata.finalizers ?? [];
    if (!finalizers.includes(FINALIZER_CLEANUP)) return undefined;
    const now = new Date(this.clock.now());
    try {
      const deleted = await this.o.storage.cleanup(job);
      logger.info({ deleted }, 'temporary storage cleaned up');
    } catch (err) {
      const waited = now.getTime() - Date.parse(job.metadata.deletionTimestamp ?? now.toISOString());
      if (waited < (this.o.cleanupGiveUpMs ?? 600_000)) throw err;
      const message = `gave up cleaning temporary storage after ${Math.round(waited / 60_000)} min: ${String(err)}`;
      await this.client
        .recordEvent(job, { type: 'Warning', reason: EventReason.CleanupAbandoned, message }, now)
        .catch(() => undefined);
    }
    await this.client.patchFinalizers(
      job,
      finalizers.filter((f) => f !== FINALIZER_CLEANUP),
    );
    return undefined;
  }

  private trainingJobOf(ds: SyntheticDatasetJob): ID3TrainingJob | null | undefined {
    const ref = ds.spec.model.trainingJobRef?.name;
    if (!ref) return undefined;
    return (this.informers.jobs[KIND_TRAINING].get(ref, ds.metadata.namespace) as ID3TrainingJob | undefined) ?? null;
  }

  /** Jobs known to the cache, for the job gauges. */
  listJobs(): Id3Job[] {
    return [KIND_TRAINING, KIND_DATASET].flatMap((k) => this.informers.jobs[k as JobKind].list() as Id3Job[]);
  }
}

function keyOf(kind: JobKind, job: KubernetesObject): string {
  return `${kind}/${job.metadata?.namespace ?? ''}/${job.metadata?.name}`;
}
