import type { V1Lease } from '@kubernetes/client-node';
import type { Logger } from 'pino';
import type { KubeClient } from './kube/client.ts';
import { KubeError } from './kube/client.ts';
import { type Clock, systemClock } from './queue.ts';

/**
 * Leader election on a coordination.k8s.io/v1 Lease, with client-go's semantics: a candidate takes the Lease when it
 * is free or its holder has not renewed it for leaseDuration (judged by when this replica last saw the record change,
 * never by comparing clocks across machines); the leader renews every retryPeriod and steps down if it cannot renew
 * within renewDeadline; on graceful shutdown it releases the Lease so the next replica takes over at once. Writes use
 * the Lease's resourceVersion, so two replicas can never both win a race.
 */

export interface LeaderOptions {
  client: Pick<KubeClient, 'getLease' | 'createLease' | 'replaceLease'>;
  namespace: string;
  name: string;
  identity: string;
  logger: Logger;
  clock?: Clock;
  leaseDurationMs?: number;
  renewDeadlineMs?: number;
  retryPeriodMs?: number;
  onStartedLeading: () => void;
  onStoppedLeading: () => void;
}

export class LeaderElector {
  private leading = false;
  private stopped = false;
  private observed?: { record: string; at: number };
  private lastRenew = 0;
  private timer: unknown;
  private attempt: Promise<void> = Promise.resolve();
  private readonly clock: Clock;
  private readonly leaseDurationMs: number;
  private readonly renewDeadlineMs: number;
  private readonly retryPeriodMs: number;

  constructor(private readonly o: LeaderOptions) {
    this.clock = o.clock ?? systemClock;
    this.leaseDurationMs = o.leaseDurationMs ?? 15_000;
    this.renewDeadlineMs = o.renewDeadlineMs ?? 10_000;
    this.retryPeriodMs = o.retryPeriodMs ?? 2_000;
  }

  get isLeader(): boolean {
    return this.leading;
  }

  start(): void {
    this.attempt = this.tick();
  }

  /** Stops campaigning; a leader releases the Lease so another replica can take over immediately. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.clock.clearTimeout(this.timer);
    await this.attempt; // an attempt in flight may still take or renew the Lease: let it land, then release it
    if (!this.leading) return;
    this.leading = false;
    try {
      const lease = await this.o.client.getLease(this.o.namespace, this.o.name);
      if (lease?.spec?.holderIdentity === this.o.identity) {
        const released = structuredClone(lease);
        released.spec = {
          ...released.spec,
          holderIdentity: '',
          leaseDurationSeconds: 1,
          renewTime: new Date(this.clock.now()) as never,
        };
        await this.o.client.replaceLease(released);
      }
    } catch (err) {
      this.o.logger.warn(
        { err: String(err) },
        'could not release the leader Lease; the next leader waits for it to expire',
      );
    }
  }

  private async tick(): Promise<void> {
    if (this.stopped) return;
    try {
      const won = await this.withinRenewDeadline(this.tryAcquireOrRenew());
      if (won) this.lastRenew = this.clock.now();
      if (won && !this.leading) {
        if (this.stopped)
          this.leading = true; // won while stopping: stop() releases it, and nothing starts
        else this.becomeLeader();
      }
      if (!won && this.leading) this.loseLeadership('another replica holds the Lease');
    } catch (err) {
      this.o.logger.debug({ err: String(err) }, 'leader election attempt failed');
    }
    if (this.leading && this.clock.now() - this.lastRenew >= this.renewDeadlineMs)
      this.loseLeadership('could not renew the Lease in time');
    if (!this.stopped)
      this.timer = this.clock.setTimeout(() => {
        this.attempt = this.tick();
      }, this.retryPeriodMs);
  }

  /**
   * An attempt may not outlive the renew deadline: a request that hangs (a partitioned API server) must not keep a
   * leader leading while the Lease expires and another replica takes over (client-go bounds each renewal the same
   * way), nor keep a standby's stop() waiting on it. The abandoned request may still land later; a leader has stepped
   * down by then, and a standby that wins that way only holds the Lease until it expires.
   */
  private withinRenewDeadline<T>(attempt: Promise<T>): Promise<T> {
    const left = this.leading
      ? Math.max(0, this.renewDeadlineMs - (this.clock.now() - this.lastRenew))
      : this.renewDeadlineMs;
    return new Promise<T>((resolve, reject) => {
      const timer = this.clock.setTimeout(() => reject(new Error('the Lease renewal did not answer in time')), left);
      attempt.then(
        (v) => {
          this.clock.clearTimeout(timer);
          resolve(v);
        },
        (err: unknown) => {
          this.clock.clearTimeout(timer);
          reject(err);
        },
      );
    });
  }

  private becomeLeader(): void {
    this.leading = true;
    this.o.logger.info({ identity: this.o.identity, lease: `${this.o.namespace}/${this.o.name}` }, 'became leader');
    this.o.onStartedLeading();
  }

  private loseLeadership(why: string): void {
    this.leading = false;
    this.o.logger.warn({ identity: this.o.identity, why }, 'lost leadership');
    this.o.onStoppedLeading();
  }

  private async tryAcquireOrRenew(): Promise<boolean> {
    const now = this.clock.now();
    const { client, namespace, name, identity } = this.o;
    const lease = await client.getLease(namespace, name);
    if (!lease) {
      await client.createLease(this.record(undefined, now)).catch(conflictIsLoss);
      return true;
    }
    const spec = lease.spec ?? {};
    const record = JSON.stringify([spec.holderIdentity, spec.renewTime, spec.leaseTransitions]);
    if (this.observed?.record !== record) this.observed = { record, at: now };
    const held = spec.holderIdentity && spec.holderIdentity !== identity;
    const duration = (spec.leaseDurationSeconds ?? this.leaseDurationMs / 1000) * 1000;
    if (held && now - (this.observed?.at ?? now) < duration) return false;
    await client.replaceLease(this.record(lease, now));
    return true;
  }

  private record(current: V1Lease | undefined, now: number): V1Lease {
    const spec = current?.spec ?? {};
    const taking = spec.holderIdentity !== this.o.identity;
    const at = new Date(now);
    return {
      apiVersion: 'coordination.k8s.io/v1',
      kind: 'Lease',
      metadata: { ...(current?.metadata ?? {}), name: this.o.name, namespace: this.o.namespace },
      spec: {
        holderIdentity: this.o.identity,
        leaseDurationSeconds: Math.round(this.leaseDurationMs / 1000),
        acquireTime: (taking ? at : (spec.acquireTime ?? at)) as never,
        renewTime: at as never,
        leaseTransitions: (spec.leaseTransitions ?? 0) + (taking && current ? 1 : 0),
      },
    };
  }
}

function conflictIsLoss(err: unknown): never {
  if (err instanceof KubeError && err.status === 409)
    throw new KubeError('another replica created the Lease first', 409, { cause: err });
  throw err;
}
