/**
 * Every domain error of the project says what it is (api/errors.ts `kind`), and so exits with the code of the
 * contract: 65 bad input, 75 stopped with state saved, 1 anything else. A class that forgot its kind fails here.
 */
import { describe, expect, it } from 'vitest';
import { exitCodeFor, PermanentInputError, ValidationError } from '../../api/index.ts';
import { CheckpointError } from '../../io/checkpoints/index.ts';
import { InvalidUriError, StorageError } from '../../io/storage/index.ts';
import { RunPlanError } from '../../runner/jobs.ts';
import { PreflightError } from '../../runner/preflight.ts';
import { FixtureSpecError } from '../../tools/faces/index.ts';
import { DatasetFormatError } from '../../worker/dataset/index.ts';
import { EncoderMismatchError } from '../../worker/diffusion/index.ts';
import { EncoderLoadError } from '../../worker/encoder/index.ts';
import { ModelConfigError, ModelFormatError } from '../../worker/model/index.ts';
import { AttributeSourceError } from '../../worker/planner/index.ts';
import { BenchmarkFormatError } from '../../worker/recognition/benchmark/index.ts';
import { ReportInputError } from '../../worker/reporting/index.ts';
import { PreemptedError } from '../../worker/runtime/index.ts';
import { BackendUnavailableError } from '../../worker/tf/index.ts';

describe('exit codes of the domain errors', () => {
  it.each([
    { name: 'stopped on request', given: new PreemptedError(), want: 75 },
    { name: 'bad input', given: new PermanentInputError('x'), want: 65 },
    { name: 'invalid job', given: new ValidationError('SyntheticDatasetJob/a', []), want: 65 },
    { name: 'malformed dataset', given: new DatasetFormatError('s3://b/x', 'not an image'), want: 65 },
    { name: 'missing checkpoint', given: new CheckpointError('s3://b/c', 'no committed checkpoint'), want: 65 },
    { name: 'encoder that does not load', given: new EncoderLoadError('no model.json'), want: 65 },
    { name: 'encoder of another size', given: new EncoderMismatchError('512-d, model wants 128'), want: 65 },
    { name: 'model file', given: new ModelFormatError('truncated'), want: 65 },
    { name: 'model config', given: new ModelConfigError('bad preset'), want: 65 },
    { name: 'attribute source', given: new AttributeSourceError('no pool'), want: 65 },
    {
      name: 'a backend that cannot start on this node',
      given: new BackendUnavailableError('webgpu', 'no adapter'),
      want: 1,
    },
    { name: 'report input', given: new ReportInputError('no images'), want: 65 },
    { name: 'preflight', given: new PreflightError('no checkpoint'), want: 65 },
    { name: 'run plan', given: new RunPlanError('two jobs one output'), want: 65 },
    { name: 'fixture spec', given: new FixtureSpecError('size 3'), want: 65 },
    { name: 'benchmark file', given: new BenchmarkFormatError('lfw.bin: GLOBAL os.system refused', 12), want: 65 },
    { name: 'invalid URI', given: new InvalidUriError('s3://', 'no bucket'), want: 65 },
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
