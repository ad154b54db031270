import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { admitOrThrow, type Id3Job } from '../api/index.ts';
import { datasetJob, trainingJob } from '../test/builders.ts';
import type { RunJob } from './jobs.ts';
import { PreflightError, preflight } from './preflight.ts';

/** Local folders only: what the checks read is on disk, and a missing input is simply not there. */
function world() {
  const dir = mkdtempSync(join(tmpdir(), 'id3-preflight-'));
  mkdirSync(join(dir, 'faces', 'images', '0'), { recursive: true });
  writeFileSync(join(dir, 'faces', 'images', '0', '0.png'), 'not read by preflight');
  mkdirSync(join(dir, 'encoder'));
  writeFileSync(join(dir, 'encoder', 'model.json'), '{}');
  const training = admitOrThrow(
    trainingJob('t')
      .set('spec.dataset', { uri: join(dir, 'faces'), format: 'imagefolder' })
      .set('spec.encoder.uri', join(dir, 'encoder', 'model.json'))
      .output(join(dir, 'train-out'))
      .obj(),
  ) as Id3Job;
  const run = (job: Id3Job): RunJob => ({ job, file: `${job.metadata.name}.yaml` });
  const dataset = (checkpointURI: string) =>
    run(admitOrThrow(datasetJob('d').checkpoint(checkpointURI).output(join(dir, 'ds-out')).obj()) as Id3Job);
  return { dir, training: run(training), dataset };
}

describe('preflight', () => {
  it('accepts a checkpoint that a training job of the same run will write', async () => {
    const w = world();
    await expect(preflight([w.training, w.dataset(join(w.dir, 'train-out', 'checkpoints'))], {})).resolves.toBe(
      undefined,
    );
    await expect(preflight([w.training, w.dataset(join(w.dir, 'train-out'))], {})).resolves.toBe(undefined);
  });

  it('refuses a checkpoint that nothing in the run writes, naming the field', async () => {
    const w = world();
    const missing = join(w.dir, 'train-output-elsewhere');
    const err = await preflight([w.training, w.dataset(missing)], {}).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PreflightError);
    expect((err as Error).message).toContain(`spec.model.checkpointURI ${missing}`);
  });

  it('refuses a training job whose encoder is missing', async () => {
    const w = world();
    const job = structuredClone(w.training.job) as Id3Job & { spec: { encoder: { uri: string } } };
    job.spec.encoder.uri = join(w.dir, 'no-encoder', 'model.json');
    await expect(preflight([{ job, file: 't.yaml' }], {})).rejects.toThrow(/spec\.encoder\.uri: no model at/);
  });

  it('looks for an ONNX encoder (format onnx) at its own URI, not for a model.json', async () => {
    const w = world();
    writeFileSync(join(w.dir, 'encoder', 'arcface.onnx'), 'not read by preflight');
    const job = structuredClone(w.training.job) as Id3Job & { spec: { encoder: { uri: string; format: string } } };
    job.spec.encoder.format = 'onnx';
    job.spec.encoder.uri = join(w.dir, 'encoder', 'arcface.onnx');
    await expect(preflight([{ job, file: 't.yaml' }], {})).resolves.toBe(undefined);
    job.spec.encoder.uri = join(w.dir, 'encoder', 'r50.onnx');
    await expect(preflight([{ job, file: 't.yaml' }], {})).rejects.toThrow(`no model at ${job.spec.encoder.uri}`);
  });
});
