/**
 * What the emulator's controllers share: a keyed work queue drained off the request path (so a controller never
 * writes from inside another write), internal writes that go through the same admission as clients' writes but
 * without faults, and a logger parameter.
 */
import { commit, type Deps, get, internalContext, remove } from '../apiserver/index.ts';
import { ApiError, clone, type KubeObject } from '../core/index.ts';
import type { ResourceType } from '../registry/index.ts';

export interface Logger {
  warn(msg: string, err?: unknown): void;
}

export const silentLogger: Logger = { warn: () => {} };

export class WorkQueue {
  private readonly pending = new Set<string>();
  private readonly timers = new Map<string, NodeJS.Timeout>();
  private scheduled = false;
  private stopped = false;

  constructor(
    private readonly process: (key: string) => Promise<number | undefined> | number | undefined,
    private readonly logger: Logger,
    private readonly retryMs = 100,
  ) {}

  add(key: string): void {
    if (this.stopped) return;
    this.pending.add(key);
    if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(() => void this.drain());
    }
  }

  addAfter(key: string, ms: number): void {
    if (this.stopped || this.timers.has(key)) return;
    this.timers.set(
      key,
      setTimeout(() => {
        this.timers.delete(key);
        this.add(key);
      }, ms),
    );
  }

  stop(): void {
    this.stopped = true;
    for (const t of this.timers.values()) clearTimeout(t);
    this.timers.clear();
    this.pending.clear();
  }

  private async drain(): Promise<void> {
    this.scheduled = false;
    const keys = [...this.pending];
    this.pending.clear();
    for (const key of keys) {
      if (this.stopped) return;
      try {
        const requeue = await this.process(key);
        if (typeof requeue === 'number') this.addAfter(key, requeue);
      } catch (err) {
        this.logger.warn(`controller: ${key}: ${err instanceof Error ? err.message : String(err)}`, err);
        this.addAfter(key, this.retryMs);
      }
    }
  }
}

/** Read-modify-write by a controller; `change` returns false to write nothing. Undefined when the object is gone. */
export function mutate(
  d: Deps,
  t: ResourceType,
  namespace: string,
  name: string,
  manager: string,
  change: (obj: KubeObject) => boolean | undefined,
  subresource?: string,
): KubeObject | undefined {
  const old = d.store.get(t.storage, namespace, name);
  if (!old) return undefined;
  const next = clone(old);
  if (change(next) === false) return old;
  return commit(d, t, old, next, internalContext(manager), subresource);
}

/** Deletes as a controller would; an object already gone is fine. */
export function deleteQuietly(
  d: Deps,
  t: ResourceType,
  obj: KubeObject,
  manager: string,
  propagationPolicy?: 'Background' | 'Foreground' | 'Orphan',
  gracePeriodSeconds?: number,
): void {
  try {
    get(d, t, obj.metadata.namespace ?? '', obj.metadata.name!);
    remove(
      d,
      t,
      obj.metadata.namespace ?? '',
      obj.metadata.name!,
      { propagationPolicy, gracePeriodSeconds },
      internalContext(manager),
    );
  } catch (err) {
    if (err instanceof ApiError && err.code === 404) return;
    throw err;
  }
}
