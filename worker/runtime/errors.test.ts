import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../api/index.ts';
import { CheckpointError } from '../checkpoints/index.ts';
import { DatasetFormatError } from '../dataset/index.ts';
import { StorageError } from '../storage/index.ts';
import { exitCodeFor, PermanentInputError, PreemptedError } from './errors.ts';

describe('exitCodeFor', () => {
  it.each([
    { name: 'stopped on request', given: new PreemptedError(), want: 75 },
    { name: 'bad input', given: new PermanentInputError('x'), want: 65 },
    { name: 'invalid job', given: new ValidationError('SyntheticDatasetJob/a', []), want: 65 },
    { name: 'malformed dataset', given: new DatasetFormatError('s3://b/x', 'not an image'), want: 65 },
    { name: 'missing checkpoint', given: new CheckpointError('s3://b/c', 'no committed checkpoint'), want: 65 },
    { name: 'storage refusing for good', given: new StorageError('access denied', { uri: 's3://b/x' }), want: 65 },
    {
      name: 'storage down after retries',
      given: new StorageError('connection refused', { uri: 's3://b/x', retryable: true }),
      want: 1,
    },
    {
      name: 'temporary credentials expired (a new pod reads the refreshed Secret)',
      given: new StorageError('ExpiredToken', { uri: 's3://b/x', restartable: true }),
      want: 1,
    },
    { name: 'a bug', given: new TypeError('undefined is not a function'), want: 1 },
  ])('$name → $want', ({ given, want }) => {
    expect(exitCodeFor(given)).toBe(want);
  });
});
