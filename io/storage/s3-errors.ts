import { ObjectNotFoundError, PreconditionFailedError, StorageError } from './errors.ts';
import { scrubError } from './redact.ts';

/** The fields of an SDK or Node network error that classification reads. */
interface ErrorShape {
  name?: string;
  code?: string;
  message?: string;
  $metadata?: { httpStatusCode?: number };
  $retryable?: unknown;
  errors?: unknown[];
  cause?: unknown;
}

const THROTTLING = new Set([
  'SlowDown',
  'Throttling',
  'ThrottlingException',
  'ThrottledException',
  'RequestThrottled',
  'RequestLimitExceeded',
  'TooManyRequestsException',
  'ServiceUnavailable',
  'InternalError',
  'RequestTimeout',
  'RequestTimeoutException',
  'TimeoutError',
]);

/** Answers that a new process (fresh credentials from the Secret, a corrected clock) can get past. */
const NEEDS_RESTART = new Set([
  'ExpiredToken',
  'ExpiredTokenException',
  'TokenRefreshRequired',
  'RequestExpired',
  'RequestTimeTooSkewed',
]);

const NETWORK = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'ECONNABORTED',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENETDOWN',
  'EAI_AGAIN',
  'UND_ERR_SOCKET',
  'UND_ERR_CONNECT_TIMEOUT',
]);

function shape(err: unknown): ErrorShape {
  return typeof err === 'object' && err !== null ? (err as ErrorShape) : {};
}

export function httpStatusOf(err: unknown): number | undefined {
  return shape(err).$metadata?.httpStatusCode;
}

/** Node wraps connection failures in AggregateError (happy eyeballs) or `cause`; look one level down too. */
function networkCode(err: unknown): string | undefined {
  const e = shape(err);
  for (const candidate of [e, shape(e.cause), ...(e.errors ?? []).map(shape)]) {
    if (candidate.code && NETWORK.has(candidate.code)) return candidate.code;
  }
  return /socket hang up/i.test(e.message ?? '') ? 'ECONNRESET' : undefined;
}

/**
 * Worth retrying: throttling (429, SlowDown, …), server errors (5xx except 501 Not Implemented), timeouts and network
 * failures (refused, reset, unreachable), and 409 ConditionalRequestConflict (AWS's answer to racing conditional
 * writes, which it says to retry). Client errors (4xx) are not.
 */
export function isRetryableS3Error(err: unknown): boolean {
  const e = shape(err);
  const status = httpStatusOf(err);
  if (status === 429 || (status !== undefined && status >= 500 && status !== 501)) return true;
  if (e.name === 'ConditionalRequestConflict' || e.code === 'ConditionalRequestConflict') return true;
  if (e.name && THROTTLING.has(e.name)) return true;
  if (networkCode(err) !== undefined) return true;
  return status === undefined && e.$retryable !== undefined && e.$retryable !== false;
}

export function isNotFound(err: unknown): boolean {
  const e = shape(err);
  if (e.name === 'NoSuchBucket') return false;
  return httpStatusOf(err) === 404 || e.name === 'NoSuchKey' || e.name === 'NotFound';
}

export function isPreconditionFailed(err: unknown): boolean {
  return httpStatusOf(err) === 412 || shape(err).name === 'PreconditionFailed';
}

/** Servers without conditional PUT answer 501 (or 400 NotImplemented); the caller then falls back. */
export function isNotImplemented(err: unknown): boolean {
  const e = shape(err);
  return httpStatusOf(err) === 501 || e.name === 'NotImplemented' || e.code === 'NotImplemented';
}

/** Turns an SDK error into a named StorageError whose message and cause hold no credentials. */
export function translateS3Error(err: unknown, op: string, uri: string, secrets: readonly string[]): StorageError {
  if (err instanceof StorageError) return err;
  const cause = scrubError(err, secrets);
  if (isNotFound(err)) return new ObjectNotFoundError(uri, cause);
  if (isPreconditionFailed(err)) return new PreconditionFailedError(uri, cause);
  const status = httpStatusOf(err);
  const what = [
    cause.name,
    cause.code && cause.code !== cause.name ? cause.code : undefined,
    status && `HTTP ${status}`,
  ]
    .filter(Boolean)
    .join(', ');
  return new StorageError(`${op} ${uri} failed (${what}): ${cause.message}`, {
    uri,
    retryable: isRetryableS3Error(err),
    restartable: NEEDS_RESTART.has(cause.name) || (cause.code !== undefined && NEEDS_RESTART.has(cause.code)),
    cause,
  });
}
