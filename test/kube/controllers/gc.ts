/**
 * The garbage collector: dependents whose owners (by uid) are all gone are deleted; an owner deleted in the
 * foreground (`foregroundDeletion` finalizer) has its dependents deleted and keeps its finalizer until no dependent
 * with blockOwnerDeletion is left; an owner deleted with Orphan has its references removed from its dependents
 * before its `orphan` finalizer goes. References to owners that are gone are removed from dependents that still
 * have a live owner. It sweeps after any deletion, so it needs no graph kept in step with the store.
 */
import { type Deps, FINALIZER_FOREGROUND, FINALIZER_ORPHAN } from '../apiserver/index.ts';
import type { KubeObject, OwnerReference } from '../core/index.ts';
import type { ResourceType } from '../registry/index.ts';
import type { StoreEvent } from '../store/index.ts';
import { deleteQuietly, type Logger, mutate, WorkQueue } from './runtime.ts';

const MANAGER = 'garbage-collector';

interface Located {
  t: ResourceType;
  obj: KubeObject;
}

export class GarbageCollector {
  private readonly queue: WorkQueue;

  constructor(
    private readonly d: Deps,
    logger: Logger,
    private readonly delayMs = 10,
  ) {
    this.queue = new WorkQueue(() => this.sweep(), logger);
  }

  onEvent(e: StoreEvent): void {
    const m = e.object.metadata;
    const interesting =
      e.type === 'DELETED' ||
      (m.ownerReferences?.length ?? 0) > 0 ||
      (m.deletionTimestamp !== undefined &&
        (m.finalizers?.includes(FINALIZER_ORPHAN) || m.finalizers?.includes(FINALIZER_FOREGROUND)));
    if (interesting) this.queue.addAfter('sweep', this.delayMs);
  }

  stop(): void {
    this.queue.stop();
  }

  private everything(): Located[] {
    const seen = new Set<string>();
    const out: Located[] = [];
    for (const t of this.d.registry.all()) {
      if (seen.has(t.storage)) continue;
      seen.add(t.storage);
      // Ownership lives in metadata; copying whole objects (pod specs and statuses) on every sweep dominated the
      // emulator's time with thousands of pods.
      for (const obj of this.d.store.listMetadata(t.storage)) out.push({ t, obj });
    }
    return out;
  }

  private sweep(): number | undefined {
    const all = this.everything();
    const byUid = new Map(all.map((x) => [x.obj.metadata.uid!, x]));
    let pending = false;
    for (const x of all) this.collectDependent(x, byUid);
    for (const x of all) {
      const f = x.obj.metadata.finalizers ?? [];
      if (!x.obj.metadata.deletionTimestamp) continue;
      if (f.includes(FINALIZER_ORPHAN)) this.orphanDependents(x, all);
      if (f.includes(FINALIZER_FOREGROUND)) pending = this.finishForeground(x, all) || pending;
    }
    return pending ? 50 : undefined;
  }

  private ownerState(
    ref: OwnerReference,
    dependent: KubeObject,
    byUid: Map<string, Located>,
  ): 'solid' | 'gone' | 'waiting' {
    const owner = byUid.get(ref.uid);
    if (!owner) return 'gone';
    const ns = owner.obj.metadata.namespace;
    if (ns !== undefined && ns !== dependent.metadata.namespace) return 'gone';
    const deleting = owner.obj.metadata.deletionTimestamp !== undefined;
    if (deleting && owner.obj.metadata.finalizers?.includes(FINALIZER_FOREGROUND)) return 'waiting';
    return 'solid';
  }

  private collectDependent(x: Located, byUid: Map<string, Located>): void {
    const refs = x.obj.metadata.ownerReferences ?? [];
    if (refs.length === 0) return;
    const states = refs.map((r) => this.ownerState(r, x.obj, byUid));
    if (states.includes('solid')) {
      if (states.every((s) => s === 'solid')) return;
      const keep = refs.filter((_, i) => states[i] === 'solid');
      mutate(this.d, x.t, x.obj.metadata.namespace ?? '', x.obj.metadata.name!, MANAGER, (o) => {
        o.metadata.ownerReferences = keep;
        return true;
      });
      return;
    }
    if (x.obj.metadata.deletionTimestamp) return;
    const foreground = states.includes('waiting') && this.hasDependents(x.obj, byUid);
    deleteQuietly(this.d, x.t, x.obj, MANAGER, foreground ? 'Foreground' : undefined);
  }

  private hasDependents(obj: KubeObject, byUid: Map<string, Located>): boolean {
    for (const y of byUid.values())
      if (y.obj.metadata.ownerReferences?.some((r) => r.uid === obj.metadata.uid)) return true;
    return false;
  }

  private orphanDependents(owner: Located, all: Located[]): void {
    const uid = owner.obj.metadata.uid;
    for (const x of all) {
      if (!x.obj.metadata.ownerReferences?.some((r) => r.uid === uid)) continue;
      mutate(this.d, x.t, x.obj.metadata.namespace ?? '', x.obj.metadata.name!, MANAGER, (o) => {
        o.metadata.ownerReferences = (o.metadata.ownerReferences ?? []).filter((r) => r.uid !== uid);
        if (o.metadata.ownerReferences.length === 0) delete o.metadata.ownerReferences;
        return true;
      });
    }
    this.dropFinalizer(owner, FINALIZER_ORPHAN);
  }

  /** True while blocking dependents remain. */
  private finishForeground(owner: Located, all: Located[]): boolean {
    const uid = owner.obj.metadata.uid;
    const blocking = all.filter((x) =>
      x.obj.metadata.ownerReferences?.some((r) => r.uid === uid && r.blockOwnerDeletion),
    );
    if (blocking.length > 0) return true;
    this.dropFinalizer(owner, FINALIZER_FOREGROUND);
    return false;
  }

  private dropFinalizer(x: Located, finalizer: string): void {
    mutate(this.d, x.t, x.obj.metadata.namespace ?? '', x.obj.metadata.name!, MANAGER, (o) => {
      o.metadata.finalizers = (o.metadata.finalizers ?? []).filter((f) => f !== finalizer);
      if (o.metadata.finalizers.length === 0) delete o.metadata.finalizers;
      return true;
    });
  }
}
