/**
 * CustomResourceDefinitions: serving starts as soon as a CRD is stored (synchronously, so a client may create a
 * custom resource right after the CRD), and a deleted CRD's custom resources are deleted before it goes.
 */
import type { CustomResourceDefinition } from '../../../api/index.ts';
import type { Deps } from '../apiserver/index.ts';
import type { KubeObject } from '../core/index.ts';
import { CRD_CLEANUP_FINALIZER } from '../kinds/index.ts';
import { customTypes } from '../registry/index.ts';
import type { StoreEvent } from '../store/index.ts';
import { deleteQuietly, type Logger, mutate, WorkQueue } from './runtime.ts';

const STORAGE = 'apiextensions.k8s.io/customresourcedefinitions';

export class CrdController {
  private readonly queue: WorkQueue;

  constructor(
    private readonly d: Deps,
    private readonly logger: Logger,
  ) {
    this.queue = new WorkQueue((name) => this.cleanup(name), logger);
  }

  onEvent(e: StoreEvent): void {
    if (e.resource !== STORAGE) return;
    const crd = e.object as unknown as CustomResourceDefinition;
    if (e.type === 'DELETED') {
      this.d.registry.removeGroupResource(crd.spec.group, crd.spec.names.plural);
      return;
    }
    if (e.object.metadata.deletionTimestamp) {
      this.queue.add(e.object.metadata.name!);
      return;
    }
    try {
      this.d.registry.set(customTypes(crd));
    } catch (err) {
      this.logger.warn(`crd ${e.object.metadata.name}: cannot serve: ${String(err)}`, err);
    }
  }

  stop(): void {
    this.queue.stop();
  }

  private cleanup(name: string): number | undefined {
    const crd = this.d.store.get(STORAGE, '', name);
    if (!crd?.metadata.deletionTimestamp) return undefined;
    const spec = (crd as unknown as CustomResourceDefinition).spec;
    const storage = `${spec.group}/${spec.names.plural}`;
    const t = this.d.registry.byStorage(storage);
    const left: KubeObject[] = t ? this.d.store.list(storage) : [];
    for (const obj of left)
      if (!obj.metadata.deletionTimestamp) deleteQuietly(this.d, t!, obj, 'customresource-cleanup', 'Background');
    if (left.length > 0) return 50;
    const crdType = this.d.registry.byStorage(STORAGE)!;
    mutate(this.d, crdType, '', name, 'customresource-cleanup', (o) => {
      o.metadata.finalizers = (o.metadata.finalizers ?? []).filter((f) => f !== CRD_CLEANUP_FINALIZER);
      return true;
    });
    return undefined;
  }
}
