/**
 * The Job controller's actions around controllers/job-logic.ts: it reads a Job and the pods it controls, writes the
 * status, releases counted pods (their tracking finalizer), deletes and creates pods from the template, records
 * events, and deletes finished Jobs whose TTL has passed.
 */
import { create, type Deps, internalContext } from '../apiserver/index.ts';
import { clone, type Json, type KubeObject } from '../core/index.ts';
import type { StoreEvent } from '../store/index.ts';
import { recordEvent } from './events.ts';
import {
  decideJob,
  FAILURE_COUNT_ANNOTATION,
  INDEX_ANNOTATION,
  type PodToCreate,
  TRACKING_FINALIZER,
} from './job-logic.ts';
import { deleteQuietly, type Logger, mutate, WorkQueue } from './runtime.ts';

const MANAGER = 'job-controller';
const JOBS = 'batch/jobs';
/** Pods by the uid of their controller. */
const PODS_BY_JOB = 'pods-by-controller-uid';
/** Pods that still carry the tracking finalizer, by namespace. */
const TRACKED_PODS = 'pods-tracked-by-namespace';

export interface JobControllerOptions {
  /** Delay before replacing a failed pod, doubled per failure (upstream: 10 s; default here 100 ms). */
  backoffBaseMs?: number;
  backoffMaxMs?: number;
}

export class JobController {
  private readonly queue: WorkQueue;
  private readonly lastFailure = new Map<string, number>();

  constructor(
    private readonly d: Deps,
    logger: Logger,
    private readonly options: JobControllerOptions = {},
  ) {
    this.queue = new WorkQueue((key) => this.reconcile(key), logger);
    d.store.index(PODS_BY_JOB, '/pods', (p) =>
      (p.metadata.ownerReferences ?? []).filter((r) => r.controller).map((r) => r.uid),
    );
    d.store.index(TRACKED_PODS, '/pods', (p) =>
      p.metadata.finalizers?.includes(TRACKING_FINALIZER) ? [p.metadata.namespace ?? ''] : [],
    );
  }

  onEvent(e: StoreEvent): void {
    if (e.resource === JOBS) {
      this.queue.add(`${e.object.metadata.namespace}/${e.object.metadata.name}`);
      return;
    }
    if (e.resource !== '/pods') return;
    const owner = e.object.metadata.ownerReferences?.find(
      (r) => r.controller && r.kind === 'Job' && r.apiVersion === 'batch/v1',
    );
    if (owner) this.queue.add(`${e.object.metadata.namespace}/${owner.name}`);
    else if (e.object.metadata.finalizers?.includes(TRACKING_FINALIZER))
      this.queue.add(`orphan:${e.object.metadata.namespace}/${e.object.metadata.name}`);
  }

  stop(): void {
    this.queue.stop();
  }

  private reconcile(key: string): number | undefined {
    if (key.startsWith('orphan:')) {
      const [ns, name] = key.slice('orphan:'.length).split('/');
      this.release(ns!, name!);
      return undefined;
    }
    const [ns, name] = key.split('/') as [string, string];
    const job = this.d.store.get(JOBS, ns, name);
    // Only this Job's pods and pods still carrying the tracking finalizer matter here: read through the indexes.
    const owned = job ? this.d.store.listBy(PODS_BY_JOB, job.metadata.uid!) : [];
    const orphans = this.d.store.listBy(TRACKED_PODS, ns).filter((p) => !this.ownerAlive(p));
    for (const p of orphans) this.release(ns, p.metadata.name!);
    if (!job || job.metadata.deletionTimestamp) {
      for (const p of owned) this.release(ns, p.metadata.name!);
      return undefined;
    }
    return this.sync(job, owned);
  }

  private ownerAlive(pod: KubeObject): boolean {
    const owner = pod.metadata.ownerReferences?.find((r) => r.controller && r.kind === 'Job');
    const job = owner ? this.d.store.get(JOBS, pod.metadata.namespace!, owner.name) : undefined;
    return job !== undefined && job.metadata.uid === owner?.uid && !job.metadata.deletionTimestamp;
  }

  private sync(job: KubeObject, pods: KubeObject[]): number | undefined {
    const uid = job.metadata.uid!;
    const plan = decideJob({
      job,
      pods,
      now: this.d.clock.now(),
      lastFailureAt: this.lastFailure.get(uid),
      backoffBaseMs: this.options.backoffBaseMs ?? 100,
      backoffMaxMs: this.options.backoffMaxMs ?? 2000,
    });
    if (plan.newFailures > 0) this.lastFailure.set(uid, this.d.clock.now().getTime());
    const t = this.d.registry.byStorage(JOBS)!;
    const updated = mutate(
      this.d,
      t,
      job.metadata.namespace!,
      job.metadata.name!,
      MANAGER,
      (o) => {
        o.status = plan.status;
        return true;
      },
      'status',
    );
    if (!updated) return undefined;
    for (const p of plan.countedPods) this.release(p.metadata.namespace!, p.metadata.name!);
    const podType = this.d.registry.byStorage('/pods')!;
    for (const p of plan.deletePods) deleteQuietly(this.d, podType, p, MANAGER);
    for (const c of plan.create) this.createPod(updated, c);
    for (const e of plan.events) recordEvent(this.d, updated, e.type, e.reason, e.message, { component: MANAGER });
    if (plan.deleteJob) {
      deleteQuietly(this.d, t, updated, 'ttl-after-finished-controller', 'Background');
      this.lastFailure.delete(uid);
    }
    return plan.requeueAfterMs;
  }

  private release(namespace: string, name: string): void {
    const t = this.d.registry.byStorage('/pods')!;
    mutate(this.d, t, namespace, name, MANAGER, (p) => {
      if (!p.metadata.finalizers?.includes(TRACKING_FINALIZER)) return false;
      p.metadata.finalizers = p.metadata.finalizers.filter((f) => f !== TRACKING_FINALIZER);
      if (p.metadata.finalizers.length === 0) delete p.metadata.finalizers;
      return true;
    });
  }

  private createPod(job: KubeObject, c: PodToCreate): void {
    const pod = buildPod(job, c);
    const t = this.d.registry.byStorage('/pods')!;
    const created = create(this.d, t, job.metadata.namespace!, pod, internalContext(MANAGER));
    recordEvent(this.d, job, 'Normal', 'SuccessfulCreate', `Created pod: ${created.metadata.name}`, {
      component: MANAGER,
    });
  }
}

/** A pod from the Job's template, as the Job controller makes it (names, index, owner, tracking finalizer). */
export function buildPod(job: KubeObject, c: PodToCreate): KubeObject {
  const spec = job.spec as Json;
  const template = clone((spec.template ?? {}) as Json);
  const meta = (template.metadata ?? {}) as Json;
  const podSpec = (template.spec ?? {}) as Json;
  const name = job.metadata.name!;
  const labels = { ...((meta.labels as Record<string, string> | undefined) ?? {}) };
  const annotations = { ...((meta.annotations as Record<string, string> | undefined) ?? {}) };
  if (c.index !== undefined) {
    labels[INDEX_ANNOTATION] = String(c.index);
    annotations[INDEX_ANNOTATION] = String(c.index);
    if (c.failureCount !== undefined) annotations[FAILURE_COUNT_ANNOTATION] = String(c.failureCount);
    podSpec.hostname ??= `${name}-${c.index}`;
    for (const container of (podSpec.containers as Json[] | undefined) ?? []) {
      const env = (container.env as Json[] | undefined) ?? [];
      if (!env.some((e) => e.name === 'JOB_COMPLETION_INDEX')) {
        env.push({
          name: 'JOB_COMPLETION_INDEX',
          valueFrom: { fieldRef: { fieldPath: `metadata.annotations['${INDEX_ANNOTATION}']` } },
        });
      }
      container.env = env;
    }
  }
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      generateName: c.index !== undefined ? `${name}-${c.index}-` : `${name}-`,
      labels,
      annotations,
      finalizers: [TRACKING_FINALIZER],
      ownerReferences: [
        {
          apiVersion: 'batch/v1',
          kind: 'Job',
          name,
          uid: job.metadata.uid!,
          controller: true,
          blockOwnerDeletion: true,
        },
      ],
    },
    spec: podSpec,
  };
}
