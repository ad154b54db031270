/**
 * The scheduler of the one-node cluster: binds each new pod to the node, unless a test holds it (then the pod stays
 * Pending with PodScheduled False, Unschedulable), and preempts pods on request the way upstream preemption does: a
 * DisruptionTarget condition first, then a graceful deletion that the kubelet carries out.
 */
import { type Deps, internalContext, remove } from '../apiserver/index.ts';
import { type Logger, mutate, recordEvent, WorkQueue } from '../controllers/index.ts';
import { ApiError, type Json, type KubeObject, timestamp } from '../core/index.ts';
import type { StoreEvent } from '../store/index.ts';
import { unschedulableStatus } from './status.ts';

const MANAGER = 'kube-scheduler';
const COMPONENT = { component: 'default-scheduler' };

export interface PreemptOptions {
  reason?: string;
  message?: string;
  gracePeriodSeconds?: number;
}

export class Scheduler {
  private readonly queue: WorkQueue;
  private held: (pod: KubeObject) => boolean = () => false;

  constructor(
    private readonly d: Deps,
    private readonly nodeName: string,
    logger: Logger,
  ) {
    this.queue = new WorkQueue((key) => this.schedule(key), logger);
  }

  onEvent(e: StoreEvent): void {
    if (e.resource === '/pods' && e.type !== 'DELETED' && !(e.object.spec as Json | undefined)?.nodeName) {
      this.queue.add(`${e.object.metadata.namespace}/${e.object.metadata.name}`);
    }
  }

  /** Pods for which `predicate` is true stay Pending (Unschedulable) until it says otherwise. */
  hold(predicate: (pod: KubeObject) => boolean): void {
    this.held = predicate;
    for (const p of this.d.store.list('/pods')) {
      if (!(p.spec as Json).nodeName) this.queue.add(`${p.metadata.namespace}/${p.metadata.name}`);
    }
  }

  stop(): void {
    this.queue.stop();
  }

  /** DisruptionTarget condition, then graceful deletion (the pod's grace period unless given). */
  preempt(namespace: string, name: string, o: PreemptOptions = {}): void {
    const t = this.d.registry.byStorage('/pods')!;
    const now = timestamp(this.d.clock.now());
    const condition = {
      type: 'DisruptionTarget',
      status: 'True',
      lastTransitionTime: now,
      reason: o.reason ?? 'PreemptionByScheduler',
      message: o.message ?? 'kube-sim: preempting to accommodate a higher priority pod',
    };
    const updated = mutate(
      this.d,
      t,
      namespace,
      name,
      MANAGER,
      (pod) => {
        const status = (pod.status ?? {}) as Json;
        const others = ((status.conditions as Json[] | undefined) ?? []).filter((c) => c.type !== 'DisruptionTarget');
        pod.status = { ...status, conditions: [...others, condition] };
        return true;
      },
      'status',
    );
    if (!updated) throw new ApiError(404, 'NotFound', `pods "${name}" not found`);
    recordEvent(this.d, updated, 'Normal', 'Preempted', condition.message, COMPONENT);
    remove(this.d, t, namespace, name, { gracePeriodSeconds: o.gracePeriodSeconds }, internalContext(MANAGER));
  }

  private schedule(key: string): undefined {
    const [ns, name] = key.split('/') as [string, string];
    const pod = this.d.store.get('/pods', ns, name);
    if (!pod || (pod.spec as Json).nodeName || pod.metadata.deletionTimestamp) return undefined;
    const t = this.d.registry.byStorage('/pods')!;
    if (this.held(pod)) {
      const message = '0/1 nodes are available: 1 node(s) held by the test (kube-sim).';
      mutate(
        this.d,
        t,
        ns,
        name,
        MANAGER,
        (p) => {
          p.status = unschedulableStatus(p, message, timestamp(this.d.clock.now()));
          return true;
        },
        'status',
      );
      return undefined;
    }
    const bound = mutate(this.d, t, ns, name, MANAGER, (p) => {
      (p.spec as Json).nodeName = this.nodeName;
      return true;
    });
    if (bound)
      recordEvent(
        this.d,
        bound,
        'Normal',
        'Scheduled',
        `Successfully assigned ${ns}/${name} to ${this.nodeName}`,
        COMPONENT,
      );
    return undefined;
  }
}
