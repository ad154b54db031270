import type { V1Lease } from '@kubernetes/client-node';
import pino from 'pino';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { KubeClient } from '../../operator/kube/client.ts';
import { LeaderElector, type LeaderOptions } from '../../operator/leader.ts';
import { type Clock, systemClock } from '../../operator/queue.ts';
import { eventually, startCluster, type TestCluster } from '../kube/harness.ts';

/**
 * The operator's leader election on the API emulator's real coordination.k8s.io/v1 Lease API, through the operator's
 * own KubeClient: one leader at a time, takeover after a crash only once leaseDuration has passed since the standby
 * last saw the record change (judged on its own clock, whatever that clock says), prompt takeover after a graceful
 * release, and a leader stepping down when it cannot renew within renewDeadline. Short real durations; every wait is
 * a poll with a deadline.
 */

const NS = 'default';
const LEASE_MS = 1000;
const RETRY_MS = 100;
const RENEW_DEADLINE_MS = 600;

let cluster: TestCluster;
let live: LeaderElector[] = [];

beforeAll(async () => {
  cluster = await startCluster();
});

afterEach(async () => {
  cluster.sim.faults.reset();
  await Promise.all(live.map((e) => e.stop()));
  live = [];
});

afterAll(async () => {
  await cluster?.stop();
});

/** The Lease as stored, read directly (no HTTP, so injected faults do not hide it). */
function storedLease(name: string): V1Lease | undefined {
  return cluster.sim.object('coordination.k8s.io/v1', 'Lease', NS, name) as V1Lease | undefined;
}

const ms = (t: unknown) => (t instanceof Date ? t.getTime() : Date.parse(String(t)));

/** The real clock whose timers can all be cut at once: a process that crashed, without running any shutdown path. */
function killableClock(offsetMs = 0): Clock & { kill(): void } {
  let dead = false;
  const timers = new Set<unknown>();
  return {
    now: () => systemClock.now() + offsetMs,
    setTimeout(fn, delay) {
      if (dead) return undefined;
      const handle = systemClock.setTimeout(() => {
        timers.delete(handle);
        if (!dead) fn();
      }, delay);
      timers.add(handle);
      return handle;
    },
    clearTimeout(handle) {
      timers.delete(handle);
      systemClock.clearTimeout(handle);
    },
    kill() {
      dead = true;
      for (const t of timers) systemClock.clearTimeout(t);
      timers.clear();
    },
  };
}

interface Candidate {
  identity: string;
  elector: LeaderElector;
  clock: Clock & { kill(): void };
  /** Real times (Date.now) at which the callbacks fired. */
  started: number[];
  stopped: number[];
  /** Lease reads that the API answered. */
  reads: number;
}

function candidate(
  lease: string,
  identity: string,
  o: Partial<Pick<LeaderOptions, 'leaseDurationMs' | 'renewDeadlineMs' | 'retryPeriodMs'>> & {
    clockOffsetMs?: number;
  } = {},
): Candidate {
  const clock = killableClock(o.clockOffsetMs);
  const c: Candidate = { identity, clock, started: [], stopped: [], reads: 0, elector: undefined as never };
  const client = new KubeClient(cluster.kubeConfig(), 'leader-test', (verb, resource, code) => {
    if (verb === 'get' && resource === 'leases' && (code === 200 || code === 404)) c.reads++;
  });
  c.elector = new LeaderElector({
    client,
    namespace: NS,
    name: lease,
    identity,
    logger: pino({ level: 'silent' }),
    clock,
    leaseDurationMs: o.leaseDurationMs ?? LEASE_MS,
    renewDeadlineMs: o.renewDeadlineMs ?? RENEW_DEADLINE_MS,
    retryPeriodMs: o.retryPeriodMs ?? RETRY_MS,
    onStartedLeading: () => c.started.push(Date.now()),
    onStoppedLeading: () => c.stopped.push(Date.now()),
  });
  live.push(c.elector);
  return c;
}

/** Waits until `c` has read the Lease `n` more times: it has had that many election attempts. */
async function attempts(c: Candidate, n: number): Promise<void> {
  const target = c.reads + n;
  await eventually(() => expect(c.reads).toBeGreaterThanOrEqual(target), 10_000, 10);
}

async function leaderOf(...cs: Candidate[]): Promise<Candidate> {
  return eventually(() => {
    const leading = cs.filter((c) => c.elector.isLeader);
    expect(leading).toHaveLength(1);
    return leading[0]!;
  }, 10_000);
}

describe('LeaderElector on a real Lease', () => {
  it('lets exactly one of two candidates lead, and the Lease names it', async () => {
    const a = candidate('one-leader', 'a');
    const b = candidate('one-leader', 'b');
    a.elector.start();
    b.elector.start();
    const leader = await leaderOf(a, b);
    const other = leader === a ? b : a;
    // Many more attempts by both, each of which could wrongly take the Lease or drop it.
    await attempts(a, 8);
    await attempts(b, 8);
    expect(leader.elector.isLeader).toBe(true);
    expect(other.elector.isLeader).toBe(false);
    expect(leader.started).toHaveLength(1);
    expect(other.started).toHaveLength(0);
    expect(leader.stopped).toHaveLength(0);
    const lease = storedLease('one-leader');
    expect(lease?.spec?.holderIdentity).toBe(leader.identity);
    expect(lease?.spec?.leaseDurationSeconds).toBe(LEASE_MS / 1000);
    expect(lease?.spec?.leaseTransitions).toBe(0);
    // The leader renews: renewTime keeps moving while acquireTime stays.
    const renewed = ms(lease?.spec?.renewTime);
    await eventually(() => expect(ms(storedLease('one-leader')?.spec?.renewTime)).toBeGreaterThan(renewed));
    expect(storedLease('one-leader')?.spec?.acquireTime).toEqual(lease?.spec?.acquireTime);
  });

  it('after a crashed leader, takes over only once leaseDuration has passed since the record last changed', async () => {
    const a = candidate('crash', 'a');
    // The standby's clock is an hour ahead of the leader's: it must judge expiry by when it saw the record change,
    // never by comparing its clock with the renewTime the leader wrote.
    const b = candidate('crash', 'b', { clockOffsetMs: 3_600_000 });
    a.elector.start();
    await eventually(() => expect(a.elector.isLeader).toBe(true));
    b.elector.start();
    await attempts(b, 3);
    expect(b.elector.isLeader).toBe(false);
    const transitions = storedLease('crash')?.spec?.leaseTransitions ?? 0;

    a.clock.kill(); // no more timers, no release: a crashed process
    live = live.filter((e) => e !== a.elector);
    // Follow the Lease until b holds it, noting a's last renewal (an attempt in flight at the kill may still land).
    let lastRenew = 0;
    await eventually(
      () => {
        const spec = storedLease('crash')?.spec;
        if (spec?.holderIdentity === 'a') lastRenew = Math.max(lastRenew, ms(spec.renewTime));
        expect(b.started).toHaveLength(1);
      },
      10_000,
      5,
    );
    expect(lastRenew).toBeGreaterThan(0);
    const tookOverAfter = b.started[0]! - lastRenew;
    // b's observation of the final record is taken when its read starts, which may precede the write by a request's
    // time: allow that much, far less than what taking over early (or judging by skewed clocks) would show.
    expect(tookOverAfter).toBeGreaterThanOrEqual(LEASE_MS - 50);
    expect(tookOverAfter).toBeLessThan(LEASE_MS + 3 * RETRY_MS + 1000);
    const spec = storedLease('crash')?.spec;
    expect(spec?.holderIdentity).toBe('b');
    expect(spec?.leaseTransitions).toBe(transitions + 1);
    expect(b.elector.isLeader).toBe(true);
  });

  it('on a graceful stop releases the Lease, and the standby takes over well before leaseDuration', async () => {
    const leaseMs = 2000;
    const a = candidate('graceful', 'a', { leaseDurationMs: leaseMs, renewDeadlineMs: 1200 });
    const b = candidate('graceful', 'b', { leaseDurationMs: leaseMs, renewDeadlineMs: 1200 });
    a.elector.start();
    await eventually(() => expect(a.elector.isLeader).toBe(true));
    b.elector.start();
    await attempts(b, 3);
    expect(b.elector.isLeader).toBe(false);
    const transitions = storedLease('graceful')?.spec?.leaseTransitions ?? 0;

    await a.elector.stop();
    const stoppedAt = Date.now();
    expect(a.elector.isLeader).toBe(false);
    expect(storedLease('graceful')?.spec?.holderIdentity).not.toBe('a');
    await eventually(() => expect(b.started).toHaveLength(1), leaseMs);
    expect(b.started[0]! - stoppedAt).toBeLessThan(leaseMs / 2);
    const spec = storedLease('graceful')?.spec;
    expect(spec?.holderIdentity).toBe('b');
    expect(spec?.leaseTransitions).toBe(transitions + 1);
    // a campaigns no more: b keeps the Lease.
    await attempts(b, 5);
    expect(storedLease('graceful')?.spec?.holderIdentity).toBe('b');
    expect(a.started).toHaveLength(1);
  });

  it('does not take the Lease when stopped before its first attempt has finished', async () => {
    const a = candidate('stop-early', 'a');
    a.elector.start(); // its first attempt (read, then create) is in flight
    await a.elector.stop();
    const b = candidate('stop-early', 'b');
    b.elector.start();
    await attempts(b, 5);
    expect(a.started).toHaveLength(0);
    expect(a.elector.isLeader).toBe(false);
    expect(b.elector.isLeader).toBe(true);
    expect(storedLease('stop-early')?.spec?.holderIdentity).toBe('b');
  });

  it('steps down when it cannot renew within renewDeadline, before anyone could take over', async () => {
    const a = candidate('deadline', 'a');
    a.elector.start();
    await eventually(() => expect(a.elector.isLeader).toBe(true));
    await attempts(a, 2);
    // Every write to a Lease now fails with a 500 (reads still work).
    cluster.sim.faults.configure({ writeErrorRate: 1, writeErrorCodes: [500], match: (r) => r.resource === 'leases' });
    const failingSince = Date.now();
    await eventually(() => expect(a.stopped).toHaveLength(1), 5000);
    expect(a.elector.isLeader).toBe(false);
    const lease = storedLease('deadline');
    expect(lease?.spec?.holderIdentity).toBe('a'); // stepping down is not a release: the write would fail anyway
    const lastRenew = ms(lease?.spec?.renewTime);
    expect(lastRenew).toBeLessThanOrEqual(failingSince);
    const steppedDownAfter = a.stopped[0]! - lastRenew;
    expect(steppedDownAfter).toBeGreaterThan(RENEW_DEADLINE_MS);
    // The point of renewDeadline < leaseDuration: the old leader has stopped before a standby may take over.
    expect(steppedDownAfter).toBeLessThan(LEASE_MS);
    expect(a.started).toHaveLength(1);
  });

  it('steps down within renewDeadline when its renewal hangs rather than fails (a partitioned API server)', async () => {
    const a = candidate('hang', 'a');
    a.elector.start();
    await eventually(() => expect(a.elector.isLeader).toBe(true));
    await attempts(a, 2);
    cluster.sim.faults.configure({ latencyMs: 2500 }); // every request now answers after more than leaseDuration
    const hangingSince = Date.now();
    await eventually(() => expect(a.stopped).toHaveLength(1), 5000);
    // Without a bound on the attempt in flight it would still "lead" when its answer came, 2.5 s later, well after
    // another replica could have taken the expired Lease.
    expect(a.stopped[0]! - hangingSince).toBeLessThan(LEASE_MS);
    expect(a.elector.isLeader).toBe(false);
  });

  it('stops a standby promptly even while its requests hang', async () => {
    const a = candidate('hang-standby', 'a');
    a.elector.start();
    await eventually(() => expect(a.elector.isLeader).toBe(true));
    cluster.sim.faults.configure({ latencyMs: 2500 });
    const b = candidate('hang-standby', 'b');
    b.elector.start(); // its first read now hangs for 2.5 s
    const stopping = Date.now();
    await b.elector.stop();
    expect(Date.now() - stopping).toBeLessThan(RENEW_DEADLINE_MS + 500);
    expect(b.started).toHaveLength(0);
  });
});
