import {
  ApiException,
  BatchV1Api,
  CoordinationV1Api,
  CoreV1Api,
  CustomObjectsApi,
  type KubeConfig,
  PatchStrategy,
  setHeaderOptions,
  type V1Job,
  type V1Lease,
  type V1Pod,
} from '@kubernetes/client-node';
import {
  type EventSpec,
  GROUP,
  type Id3Job,
  type JobKind,
  KIND_DATASET,
  KIND_TRAINING,
  VERSION,
} from '../../api/index.ts';
import { EventCorrelator } from './event-correlator.ts';

/**
 * The operator's only door to the Kubernetes API: a handful of calls, each translated from client-node's shapes and
 * errors into ours. Everything above it deals in plain objects and `KubeError`s.
 */

export const PLURAL: Record<JobKind, string> = {
  [KIND_TRAINING]: 'id3trainingjobs',
  [KIND_DATASET]: 'syntheticdatasetjobs',
};

/** An API error with its HTTP status (409 conflict, 404 not found, 422 invalid, 429/5xx transient, ...). */
export class KubeError extends Error {
  constructor(
    message: string,
    readonly status: number,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'KubeError';
  }
  get transient(): boolean {
    return this.status === 0 || this.status === 409 || this.status === 429 || this.status >= 500;
  }
}

function translate(what: string, err: unknown): KubeError {
  if (err instanceof ApiException) {
    const body = typeof err.body === 'string' ? safeMessage(err.body) : '';
    return new KubeError(`${what}: HTTP ${err.code}${body ? `: ${body}` : ''}`, err.code, { cause: err });
  }
  return new KubeError(`${what}: ${err instanceof Error ? err.message : String(err)}`, 0, { cause: err });
}

function safeMessage(body: string): string {
  try {
    return String((JSON.parse(body) as { message?: string }).message ?? '');
  } catch {
    return body.slice(0, 200);
  }
}

export class KubeClient {
  private readonly batch: BatchV1Api;
  private readonly core: CoreV1Api;
  private readonly custom: CustomObjectsApi;
  private readonly coordination: CoordinationV1Api;
  private readonly events = new EventCorrelator();

  constructor(
    readonly kubeConfig: KubeConfig,
    private readonly fieldManager: string,
    private readonly onRequest: (verb: string, resource: string, code: number) => void = () => {},
  ) {
    this.batch = kubeConfig.makeApiClient(BatchV1Api);
    this.core = kubeConfig.makeApiClient(CoreV1Api);
    this.custom = kubeConfig.makeApiClient(CustomObjectsApi);
    this.coordination = kubeConfig.makeApiClient(CoordinationV1Api);
  }

  private async call<T>(verb: string, resource: string, what: string, fn: () => Promise<T>): Promise<T> {
    try {
      const out = await fn();
      this.onRequest(verb, resource, 200);
      return out;
    } catch (err) {
      const e = translate(what, err);
      this.onRequest(verb, resource, e.status);
      throw e;
    }
  }

  listJobs(kind: JobKind, namespace?: string) {
    const plural = PLURAL[kind];
    return this.call('list', plural, `list ${plural}`, () =>
      namespace
        ? this.custom.listNamespacedCustomObject({ group: GROUP, version: VERSION, namespace, plural })
        : this.custom.listClusterCustomObject({ group: GROUP, version: VERSION, plural }),
    );
  }

  listChildJobs(selector: string, namespace?: string) {
    return this.call('list', 'jobs', 'list Jobs', () =>
      namespace
        ? this.batch.listNamespacedJob({ namespace, labelSelector: selector })
        : this.batch.listJobForAllNamespaces({ labelSelector: selector }),
    );
  }

  listPods(selector: string, namespace?: string) {
    return this.call('list', 'pods', 'list Pods', () =>
      namespace
        ? this.core.listNamespacedPod({ namespace, labelSelector: selector })
        : this.core.listPodForAllNamespaces({ labelSelector: selector }),
    );
  }

  /**
   * Server-side apply with the operator's one field manager, by default forcing ownership of the fields it sets;
   * `force: false` makes a field another manager changed a 409 conflict instead.
   */
  applyJob(job: V1Job, o: { force?: boolean } = {}): Promise<V1Job> {
    const { name = '', namespace = '' } = job.metadata ?? {};
    return this.call('patch', 'jobs', `apply Job ${namespace}/${name}`, () =>
      this.batch.patchNamespacedJob(
        { name, namespace, body: job, fieldManager: this.fieldManager, force: o.force ?? true },
        setHeaderOptions('Content-Type', PatchStrategy.ServerSideApply),
      ),
    );
  }

  /** Writes the whole status through the status subresource (a merge patch: the status is computed whole). */
  patchStatus(job: Id3Job, status: object): Promise<unknown> {
    const { name, namespace = '' } = job.metadata;
    const plural = PLURAL[job.kind];
    return this.call('patch', `${plural}/status`, `update status of ${job.kind} ${namespace}/${name}`, () =>
      this.custom.patchNamespacedCustomObjectStatus(
        { group: GROUP, version: VERSION, namespace, plural, name, body: { status }, fieldManager: this.fieldManager },
        setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
      ),
    );
  }

  /** Adds or removes finalizers with a JSON merge patch guarded by the resourceVersion (409 on a race). */
  patchFinalizers(job: Id3Job, finalizers: string[]): Promise<unknown> {
    const { name, namespace = '', resourceVersion } = job.metadata;
    const plural = PLURAL[job.kind];
    return this.call('patch', plural, `update finalizers of ${job.kind} ${namespace}/${name}`, () =>
      this.custom.patchNamespacedCustomObject(
        {
          group: GROUP,
          version: VERSION,
          namespace,
          plural,
          name,
          body: { metadata: { finalizers, resourceVersion } },
          fieldManager: this.fieldManager,
        },
        setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
      ),
    );
  }

  deleteJob(job: Id3Job): Promise<unknown> {
    const { name, namespace = '' } = job.metadata;
    const plural = PLURAL[job.kind];
    return this.call('delete', plural, `delete ${job.kind} ${namespace}/${name}`, () =>
      this.custom.deleteNamespacedCustomObject({
        group: GROUP,
        version: VERSION,
        namespace,
        plural,
        name,
        propagationPolicy: 'Background',
      }),
    );
  }

  /** Records an Event on a job; a repeat within the correlator's window counts on the first one (client-go's way). */
  async recordEvent(job: Id3Job, e: EventSpec, now: Date): Promise<void> {
    const { name, namespace = 'default', uid = `${namespace}/${name}` } = job.metadata;
    const key = { uid, type: e.type, reason: e.reason, message: e.message };
    const seen = this.events.correlate(key, now.getTime());
    if (seen.action === 'patch') {
      try {
        await this.call('patch', 'events', `count event ${namespace}/${seen.name}`, () =>
          this.core.patchNamespacedEvent(
            { name: seen.name, namespace, body: { count: seen.count, lastTimestamp: now } },
            setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
          ),
        );
        this.events.remember(key, seen.name, seen.count, now.getTime());
        return;
      } catch (err) {
        if (!(err instanceof KubeError && err.status === 404)) throw err;
        this.events.forget(key); // expired or deleted: record it afresh
      }
    }
    const created = await this.call('create', 'events', `record event on ${job.kind} ${namespace}/${name}`, () =>
      this.core.createNamespacedEvent({
        namespace,
        body: {
          metadata: { generateName: `${name}.`, namespace },
          involvedObject: { apiVersion: job.apiVersion, kind: job.kind, name, namespace, uid: job.metadata.uid },
          type: e.type,
          reason: e.reason,
          message: e.message,
          count: 1,
          firstTimestamp: now,
          lastTimestamp: now,
          source: { component: this.fieldManager },
          reportingComponent: this.fieldManager,
        },
      }),
    );
    if (created.metadata?.name) this.events.remember(key, created.metadata.name, 1, now.getTime());
  }

  async readSecret(namespace: string, name: string): Promise<Record<string, string>> {
    const secret = await this.call('get', 'secrets', `read Secret ${namespace}/${name}`, () =>
      this.core.readNamespacedSecret({ namespace, name }),
    );
    return Object.fromEntries(
      Object.entries(secret.data ?? {}).map(([k, v]) => [k, Buffer.from(v, 'base64').toString('utf8')]),
    );
  }

  async getLease(namespace: string, name: string): Promise<V1Lease | undefined> {
    try {
      return await this.call('get', 'leases', `read Lease ${namespace}/${name}`, () =>
        this.coordination.readNamespacedLease({ namespace, name }),
      );
    } catch (err) {
      if (err instanceof KubeError && err.status === 404) return undefined;
      throw err;
    }
  }

  createLease(lease: V1Lease): Promise<V1Lease> {
    const namespace = lease.metadata?.namespace ?? '';
    return this.call('create', 'leases', `create Lease ${namespace}/${lease.metadata?.name}`, () =>
      this.coordination.createNamespacedLease({ namespace, body: lease }),
    );
  }

  /** Replaces the Lease, failing with 409 if someone else wrote it since `lease.metadata.resourceVersion`. */
  replaceLease(lease: V1Lease): Promise<V1Lease> {
    const namespace = lease.metadata?.namespace ?? '';
    const name = lease.metadata?.name ?? '';
    return this.call('update', 'leases', `update Lease ${namespace}/${name}`, () =>
      this.coordination.replaceNamespacedLease({ namespace, name, body: lease }),
    );
  }

  listPodsOf(namespace: string, selector: string): Promise<V1Pod[]> {
    return this.listPods(selector, namespace).then((l) => l.items);
  }
}
