/**
 * A work queue with client-go's guarantees: a key is queued at most once however often it is added, at most one
 * worker holds a key at a time (a key added while being processed is queued again when that processing is done),
 * failures back off exponentially per key, and timers re-add keys later. Time comes from an injected clock so tests
 * run without waiting.
 */

export interface Clock {
  now(): number;
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  setTimeout: (fn, ms) => {
    const t = setTimeout(fn, ms);
    t.unref?.();
    return t;
  },
  clearTimeout: (h) => clearTimeout(h as NodeJS.Timeout),
};

export interface QueueMetrics {
  added(): void;
  depth(n: number): void;
  queued(seconds: number): void;
  worked(seconds: number): void;
  retried(): void;
}

export interface QueueOptions {
  clock?: Clock;
  metrics?: QueueMetrics;
  baseDelayMs?: number;
  maxDelayMs?: number;
}

export class WorkQueue<K extends string = string> {
  private readonly queue: K[] = [];
  private readonly dirty = new Set<K>();
  private readonly processing = new Map<K, number>();
  private readonly addedAt = new Map<K, number>();
  private readonly failures = new Map<K, number>();
  private readonly timers = new Map<K, { at: number; handle: unknown }>();
  private readonly waiters: ((k: K | undefined) => void)[] = [];
  private shuttingDown = false;
  private readonly clock: Clock;
  private readonly baseDelayMs: number;
  private readonly maxDelayMs: number;

  constructor(private readonly opts: QueueOptions = {}) {
    this.clock = opts.clock ?? systemClock;
    this.baseDelayMs = opts.baseDelayMs ?? 5;
    this.maxDelayMs = opts.maxDelayMs ?? 300_000;
  }

  add(key: K): void {
    if (this.shuttingDown || this.dirty.has(key)) return;
    this.opts.metrics?.added();
    this.dirty.add(key);
    this.addedAt.set(key, this.clock.now());
    if (this.processing.has(key)) return;
    const waiter = this.waiters.shift();
    if (waiter) this.hand(key, waiter);
    else this.queue.push(key);
    this.opts.metrics?.depth(this.queue.length);
  }

  /** Adds the key after `ms`; an earlier pending timer for the same key wins. */
  addAfter(key: K, ms: number): void {
    if (this.shuttingDown) return;
    if (ms <= 0) {
      this.add(key);
      return;
    }
    const at = this.clock.now() + ms;
    const existing = this.timers.get(key);
    if (existing && existing.at <= at) return;
    if (existing) this.clock.clearTimeout(existing.handle);
    const handle = this.clock.setTimeout(() => {
      this.timers.delete(key);
      this.add(key);
    }, ms);
    this.timers.set(key, { at, handle });
  }

  /** Re-adds a key that failed, after base·2^failures (capped). */
  addRateLimited(key: K): void {
    const n = this.failures.get(key) ?? 0;
    this.failures.set(key, n + 1);
    this.opts.metrics?.retried();
    this.addAfter(key, Math.min(this.maxDelayMs, this.baseDelayMs * 2 ** n));
  }

  /** Forgets a key's failures once it succeeds. */
  forget(key: K): void {
    this.failures.delete(key);
  }

  retries(key: K): number {
    return this.failures.get(key) ?? 0;
  }

  /** The next key to process; resolves undefined once the queue is shut down. */
  get(): Promise<K | undefined> {
    const key = this.queue.shift();
    if (key !== undefined) {
      this.opts.metrics?.depth(this.queue.length);
      return Promise.resolve(this.take(key));
    }
    if (this.shuttingDown) return Promise.resolve(undefined);
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  /** Marks a key's processing finished; a key added meanwhile is queued again. */
  done(key: K): void {
    const started = this.processing.get(key);
    if (started !== undefined) this.opts.metrics?.worked((this.clock.now() - started) / 1000);
    this.processing.delete(key);
    if (!this.dirty.has(key) || this.shuttingDown) return;
    const waiter = this.waiters.shift();
    if (waiter) this.hand(key, waiter);
    else this.queue.push(key);
  }

  shutDown(): void {
    this.shuttingDown = true;
    for (const { handle } of this.timers.values()) this.clock.clearTimeout(handle);
    this.timers.clear();
    for (const w of this.waiters.splice(0)) w(undefined);
  }

  get length(): number {
    return this.queue.length;
  }

  /** Seconds the longest-running key has been processed (0 when idle). */
  longestRunningSeconds(): number {
    const now = this.clock.now();
    let longest = 0;
    for (const started of this.processing.values()) longest = Math.max(longest, now - started);
    return longest / 1000;
  }

  private hand(key: K, waiter: (k: K) => void): void {
    waiter(this.take(key));
  }

  private take(key: K): K {
    this.dirty.delete(key);
    this.processing.set(key, this.clock.now());
    const added = this.addedAt.get(key);
    if (added !== undefined) this.opts.metrics?.queued((this.clock.now() - added) / 1000);
    this.addedAt.delete(key);
    return key;
  }
}
