import {
  type KubeConfig,
  type KubernetesListObject,
  type KubernetesObject,
  makeInformer,
} from '@kubernetes/client-node';
import type { Logger } from 'pino';
import { type Clock, systemClock } from '../queue.ts';

/**
 * An informer that stays correct. @kubernetes/client-node's informer re-lists on 410 Gone but stops for good on any
 * other error, and upstream reports silent watch stalls; this wrapper restarts it with exponential backoff after an
 * error, re-lists when nothing has been heard for `staleAfterMs`, and re-lists every `relistEveryMs` regardless. A
 * restart keeps serving the previous cache until the new list has arrived, and every (re)list reports all objects,
 * so handlers see a full resync.
 */

export type InformerEvent = 'add' | 'update' | 'delete';

export interface InformerOptions<T extends KubernetesObject> {
  kubeConfig: KubeConfig;
  /** Collection path, e.g. /apis/batch/v1/jobs or /apis/batch/v1/namespaces/ns/jobs. */
  path: string;
  list: () => Promise<KubernetesListObject<T>>;
  labelSelector?: string;
  onEvent: (event: InformerEvent, obj: T) => void;
  logger: Logger;
  clock?: Clock;
  backoffBaseMs?: number;
  backoffMaxMs?: number;
  staleAfterMs?: number;
  relistEveryMs?: number;
  onRestart?: (why: 'error' | 'stale' | 'relist') => void;
}

type Inner<T extends KubernetesObject> = ReturnType<typeof makeInformer<T>>;

export class ResilientInformer<T extends KubernetesObject> {
  private inner?: Inner<T>;
  /** The informer being started by a restart; it replaces `inner` once listed. */
  private pending?: Inner<T>;
  private restarting?: Promise<void>;
  private lastHeard = 0;
  private failures = 0;
  private stopped = false;
  private synced = false;
  private timers: unknown[] = [];
  private readonly clock: Clock;

  constructor(private readonly o: InformerOptions<T>) {
    this.clock = o.clock ?? systemClock;
  }

  /** Starts, resolving after the first successful list (or rejecting if that list fails). */
  async start(): Promise<void> {
    await this.spawn();
    this.every(Math.max(1000, (this.o.staleAfterMs ?? 300_000) / 4), () => this.checkStale());
    if (this.o.relistEveryMs) this.every(this.o.relistEveryMs, () => void this.restart('relist'));
  }

  async stop(): Promise<void> {
    this.stopped = true;
    for (const t of this.timers) this.clock.clearTimeout(t);
    this.timers = [];
    await this.inner?.stop();
  }

  get hasSynced(): boolean {
    return this.synced;
  }

  list(namespace?: string): readonly T[] {
    return this.inner?.list(namespace) ?? [];
  }

  get(name: string, namespace?: string): T | undefined {
    return this.inner?.get(name, namespace);
  }

  private async spawn(): Promise<void> {
    const next = makeInformer<T>(this.o.kubeConfig, this.o.path, this.o.list, this.o.labelSelector);
    const live = () => !this.stopped && (next === this.inner || next === this.pending);
    const heard = () => {
      this.lastHeard = this.clock.now();
    };
    for (const verb of ['add', 'update', 'delete'] as const) {
      next.on(verb, (obj) => {
        heard();
        if (live()) this.o.onEvent(verb, obj);
      });
    }
    next.on('connect', heard);
    next.on('error', (err) => {
      if (!live()) return;
      this.o.logger.warn({ err: String(err), path: this.o.path }, 'watch failed; restarting the informer');
      void this.restart('error');
    });
    this.pending = next;
    try {
      await next.start();
    } finally {
      if (this.pending === next) this.pending = undefined;
    }
    const previous = this.inner;
    this.inner = next;
    heard();
    this.failures = 0;
    this.synced = true;
    if (previous) await previous.stop().catch(() => undefined);
  }

  /** One restart at a time; a restart asked for while one runs is satisfied by it. */
  private restart(why: 'error' | 'stale' | 'relist'): Promise<void> {
    if (this.stopped) return Promise.resolve();
    this.restarting ??= this.doRestart(why).finally(() => {
      this.restarting = undefined;
    });
    return this.restarting;
  }

  private async doRestart(why: 'error' | 'stale' | 'relist'): Promise<void> {
    this.o.onRestart?.(why);
    try {
      await this.spawn();
    } catch (err) {
      this.failures++;
      const delay = Math.min(this.o.backoffMaxMs ?? 60_000, (this.o.backoffBaseMs ?? 500) * 2 ** (this.failures - 1));
      this.o.logger.warn({ err: String(err), path: this.o.path, retryInMs: delay }, 'list failed; will retry');
      this.timers.push(this.clock.setTimeout(() => void this.restart('error'), delay));
    }
  }

  private checkStale(): void {
    const stale = this.o.staleAfterMs ?? 300_000;
    if (this.clock.now() - this.lastHeard > stale) void this.restart('stale');
  }

  private every(ms: number, fn: () => void): void {
    const tick = () => {
      if (this.stopped) return;
      fn();
      this.timers.push(this.clock.setTimeout(tick, ms));
    };
    this.timers.push(this.clock.setTimeout(tick, ms));
  }
}
