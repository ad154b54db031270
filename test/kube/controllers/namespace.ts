/**
 * Namespaces: a new namespace gets its `default` ServiceAccount; a deleted one (phase Terminating, held by the
 * `kubernetes` spec finalizer) has all its contents deleted, then is finalised and goes.
 */
import { create, type Deps, internalContext } from '../apiserver/index.ts';
import type { KubeObject } from '../core/index.ts';
import type { StoreEvent } from '../store/index.ts';
import { deleteQuietly, type Logger, mutate, WorkQueue } from './runtime.ts';

const MANAGER = 'namespace-controller';

export class NamespaceController {
  private readonly queue: WorkQueue;

  constructor(
    private readonly d: Deps,
    logger: Logger,
  ) {
    this.queue = new WorkQueue((name) => this.reconcile(name), logger);
  }

  onEvent(e: StoreEvent): void {
    if (e.resource === '/namespaces' && e.type !== 'DELETED') this.queue.add(e.object.metadata.name!);
  }

  stop(): void {
    this.queue.stop();
  }

  private reconcile(name: string): number | undefined {
    const ns = this.d.store.get('/namespaces', '', name);
    if (!ns) return undefined;
    if (!ns.metadata.deletionTimestamp) {
      this.ensureDefaultServiceAccount(name);
      return undefined;
    }
    return this.drain(ns);
  }

  private ensureDefaultServiceAccount(namespace: string): void {
    const t = this.d.registry.byStorage('/serviceaccounts');
    if (!t || this.d.store.get(t.storage, namespace, 'default')) return;
    create(this.d, t, namespace, { metadata: { name: 'default' } }, internalContext('service-account-controller'));
  }

  private drain(ns: KubeObject): number | undefined {
    const name = ns.metadata.name!;
    let remaining = 0;
    const seen = new Set<string>();
    for (const t of this.d.registry.all()) {
      if (!t.namespaced || seen.has(t.storage)) continue;
      seen.add(t.storage);
      for (const obj of this.d.store.list(t.storage, name)) {
        remaining++;
        if (!obj.metadata.deletionTimestamp) deleteQuietly(this.d, t, obj, MANAGER, 'Background');
      }
    }
    if (remaining > 0) return 50;
    const nsType = this.d.registry.byStorage('/namespaces')!;
    mutate(
      this.d,
      nsType,
      '',
      name,
      MANAGER,
      (o) => {
        const spec = (o.spec ?? {}) as { finalizers?: string[] };
        spec.finalizers = (spec.finalizers ?? []).filter((f) => f !== 'kubernetes');
        o.spec = spec;
        return true;
      },
      'finalize',
    );
    return undefined;
  }
}
