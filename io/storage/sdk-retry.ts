import type { S3ClientConfig } from '@aws-sdk/client-s3';
import { backoffDelay, type RetryPolicy, type Rng } from './retry.ts';

interface Token {
  getRetryCount(): number;
  getRetryDelay(): number;
}

/**
 * The same retry policy as `withRetry`, shaped as the SDK's RetryStrategyV2, for the one place where the SDK must
 * retry by itself: the parts of a multipart upload, which lib-storage sends and whose source stream cannot be
 * replayed from the top. The delays come from our `backoffDelay` and `rng`; only the sleeping is the SDK's timer.
 */
export function sdkRetryStrategy(
  policy: RetryPolicy,
  rng: Rng,
  isRetryable: (err: unknown) => boolean,
  onRetry?: (attempt: number, delayMs: number, error: unknown) => void,
): NonNullable<S3ClientConfig['retryStrategy']> {
  const token = (count: number, delay: number): Token => ({ getRetryCount: () => count, getRetryDelay: () => delay });
  return {
    mode: 'standard',
    acquireInitialRetryToken: async () => token(0, 0),
    refreshRetryTokenForRetry: async (previous: Token, info: { error?: unknown }) => {
      const attempt = previous.getRetryCount() + 1;
      // Throwing tells the SDK to give up; it then rethrows the request's own error, not this one.
      if (attempt >= policy.maxAttempts || !isRetryable(info.error)) throw new Error('not retried');
      const delay = backoffDelay(attempt, policy, rng);
      onRetry?.(attempt, delay, info.error);
      return token(attempt, delay);
    },
    recordSuccess: () => {},
  };
}
