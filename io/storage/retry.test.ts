import { describe, expect, it } from 'vitest';
import { backoffDelay, type Clock, type RetryPolicy, withRetry } from './retry.ts';

const policy: RetryPolicy = { maxAttempts: 4, baseDelayMs: 100, maxDelayMs: 300 };

function fakeClock(): Clock & { slept: number[] } {
  let t = 0;
  const slept: number[] = [];
  return {
    slept,
    now: () => t,
    sleep: async (ms) => {
      slept.push(ms);
      t += ms;
    },
  };
}

describe('backoffDelay', () => {
  it.each([
    { name: 'first retry, rng at the top', given: { retry: 1, r: 0.999 }, want: 99 },
    { name: 'second retry doubles the ceiling', given: { retry: 2, r: 0.5 }, want: 100 },
    { name: 'capped at maxDelayMs', given: { retry: 6, r: 0.5 }, want: 150 },
    { name: 'rng 0 gives no wait', given: { retry: 3, r: 0 }, want: 0 },
  ])('$name', ({ given, want }) => {
    expect(backoffDelay(given.retry, policy, () => given.r)).toBe(want);
  });
});

describe('withRetry', () => {
  const transient = new Error('503');
  const fatal = new Error('403');
  const isRetryable = (e: unknown) => e === transient;

  it('retries retryable failures with the jittered schedule, then succeeds', async () => {
    const clock = fakeClock();
    let calls = 0;
    const out = await withRetry(
      async () => {
        calls++;
        if (calls < 3) throw transient;
        return 'ok';
      },
      { policy, clock, rng: () => 0.5, isRetryable },
    );
    expect({ out, calls, slept: clock.slept }).toEqual({ out: 'ok', calls: 3, slept: [50, 100] });
  });

  it('gives up after maxAttempts with the last error', async () => {
    const clock = fakeClock();
    let calls = 0;
    const run = withRetry(
      async () => {
        calls++;
        throw transient;
      },
      { policy, clock, rng: () => 1 - 1e-9, isRetryable },
    );
    await expect(run).rejects.toBe(transient);
    expect({ calls, slept: clock.slept }).toEqual({ calls: 4, slept: [99, 199, 299] });
  });

  it('does not retry a non-retryable error', async () => {
    const clock = fakeClock();
    const events: number[] = [];
    const run = withRetry(
      async () => {
        throw fatal;
      },
      { policy, clock, rng: Math.random, isRetryable, onRetry: (e) => events.push(e.attempt) },
    );
    await expect(run).rejects.toBe(fatal);
    expect({ slept: clock.slept, events }).toEqual({ slept: [], events: [] });
  });
});
