/** Wall-clock time and sleeping, injectable so that retry schedules are tested without waiting. */
export interface Clock {
  now(): number;
  sleep(ms: number): Promise<void>;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  sleep: (ms) => new Promise((done) => setTimeout(done, ms)),
};

/** Uniform in [0, 1). `Math.random` in production, a seeded generator in tests. */
export type Rng = () => number;

export interface RetryPolicy {
  /** Calls in all, the first one included; 1 disables retries. */
  maxAttempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
}

/**
 * Survives a gateway restart or a few seconds of throttling: the expected total wait before giving up is about 11 s,
 * the longest about 23 s.
 */
export const DEFAULT_RETRY_POLICY: RetryPolicy = { maxAttempts: 8, baseDelayMs: 200, maxDelayMs: 10_000 };

/**
 * Delay before retry number `retry` (1 = the first retry): "full jitter", uniform in [0, min(cap, base·2^(retry−1))),
 * which spreads the retries of many workers hitting the same overloaded server instead of synchronising them.
 */
export function backoffDelay(retry: number, policy: RetryPolicy, rng: Rng): number {
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (retry - 1));
  return Math.floor(rng() * ceiling);
}

export interface RetryEvent {
  /** The attempt that failed (1-based). */
  attempt: number;
  delayMs: number;
  error: unknown;
}

export interface RetryOptions {
  policy: RetryPolicy;
  clock: Clock;
  rng: Rng;
  isRetryable: (err: unknown) => boolean;
  onRetry?: (event: RetryEvent) => void;
}

/** Calls `op` until it succeeds, fails with a non-retryable error, or the policy's attempts are spent. */
export async function withRetry<T>(op: () => Promise<T>, opts: RetryOptions): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await op();
    } catch (err) {
      if (attempt >= opts.policy.maxAttempts || !opts.isRetryable(err)) throw err;
      const delayMs = backoffDelay(attempt, opts.policy, opts.rng);
      opts.onRetry?.({ attempt, delayMs, error: err });
      await opts.clock.sleep(delayMs);
    }
  }
}
