import { describe, expect, it } from 'vitest';
import { ObjectNotFoundError, PreconditionFailedError, StorageError } from './errors.ts';
import { isRetryableS3Error, translateS3Error } from './s3-errors.ts';

const sdk = (name: string, status?: number, extra: object = {}) =>
  Object.assign(new Error(`${name} happened`), { name, $metadata: { httpStatusCode: status }, ...extra });
const net = (code: string) => Object.assign(new Error(`connect ${code}`), { code });

describe('isRetryableS3Error', () => {
  it.each([
    { name: '503 SlowDown', given: sdk('SlowDown', 503), want: true },
    { name: '500 InternalError', given: sdk('InternalError', 500), want: true },
    { name: '429', given: sdk('TooManyRequests', 429), want: true },
    { name: 'throttling without status', given: sdk('ThrottlingException'), want: true },
    { name: 'connection refused', given: net('ECONNREFUSED'), want: true },
    {
      name: 'reset inside an AggregateError',
      given: Object.assign(new AggregateError([net('ECONNRESET')]), {}),
      want: true,
    },
    { name: 'socket hang up', given: new Error('socket hang up'), want: true },
    { name: '409 ConditionalRequestConflict', given: sdk('ConditionalRequestConflict', 409), want: true },
    { name: '501 Not Implemented', given: sdk('NotImplemented', 501), want: false },
    { name: '403 AccessDenied', given: sdk('AccessDenied', 403), want: false },
    { name: '404 NoSuchKey', given: sdk('NoSuchKey', 404), want: false },
    { name: '412 PreconditionFailed', given: sdk('PreconditionFailed', 412), want: false },
    { name: 'a plain bug', given: new TypeError('x is undefined'), want: false },
  ])('$name → $want', ({ given, want }) => {
    expect(isRetryableS3Error(given)).toBe(want);
  });
});

describe('translateS3Error', () => {
  it.each([
    { name: 'NoSuchKey', given: sdk('NoSuchKey', 404), want: ObjectNotFoundError },
    { name: 'HEAD 404', given: sdk('NotFound', 404), want: ObjectNotFoundError },
    { name: '412', given: sdk('PreconditionFailed', 412), want: PreconditionFailedError },
    { name: 'NoSuchBucket is not a missing object', given: sdk('NoSuchBucket', 404), want: StorageError },
  ])('$name', ({ given, want }) => {
    const err = translateS3Error(given, 'GET', 's3://b/k', []);
    expect(err.constructor).toBe(want);
  });

  it.each([
    { name: 'ExpiredToken', status: 400, restartable: true },
    { name: 'RequestTimeTooSkewed', status: 403, restartable: true },
    { name: 'AccessDenied', status: 403, restartable: false },
  ])('$name: a new process may get past it → restartable $restartable', ({ name, status, restartable }) => {
    const err = translateS3Error(sdk(name, status), 'GET', 's3://b/k', []);
    expect(err.retryable).toBe(false);
    expect(err.restartable).toBe(restartable);
  });

  it('keeps the status and retryability, masks secrets, and drops the raw response', () => {
    const raw = sdk('SignatureDoesNotMatch', 403, {
      message: 'signature for AKID123 with s3cr3t did not match',
      AWSAccessKeyId: 'AKID123',
      $response: { headers: { authorization: 'AWS4-HMAC-SHA256 Credential=AKID123/…' } },
    });
    const err = translateS3Error(raw, 'PUT', 's3://b/k', ['s3cr3t', 'AKID123']);
    expect(err.retryable).toBe(false);
    expect(err.message).toBe(
      'PUT s3://b/k failed (SignatureDoesNotMatch, HTTP 403): signature for [REDACTED] with [REDACTED] did not match',
    );
    expect(JSON.stringify(err.cause)).not.toMatch(/AKID123|s3cr3t/);
    expect(Object.keys(err.cause as object)).not.toContain('$response');
  });
});
