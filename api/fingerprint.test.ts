import { describe, expect, it } from 'vitest';
import { datasetJob, trainingJob } from '../test/builders.ts';
import { definingPaths, fingerprintDifferences, fingerprintOf } from './fingerprint.ts';
import { admitOrThrow, type Id3Job } from './kinds.ts';

const sdj = (b: ReturnType<typeof datasetJob>) => admitOrThrow(b.obj()) as Id3Job;

describe('job fingerprints', () => {
  it('are made of the declared defining fields, not the operational ones', () => {
    const paths = definingPaths('SyntheticDatasetJob');
    for (const p of ['model', 'seed', 'sampler', 'sharding.shards', 'output.jpegQuality', 'output.exports', 'quality'])
      expect(paths).toContain(p);
    for (const p of ['output.uri', 'sharding.parallelism', 'suspend', 'resources']) expect(paths).not.toContain(p);
    const training = definingPaths('ID3TrainingJob');
    expect(training).toEqual(expect.arrayContaining(['dataset', 'encoder', 'training.seed', 'training.learningRate']));
    expect(training).not.toContain('training.steps');
  });

  it('ignore how a job runs and where it writes; name what defines its output when that changes', () => {
    const base = fingerprintOf(sdj(datasetJob('a').shards(4)));
    expect(fingerprintOf(sdj(datasetJob('b').shards(4, 4).output('s3://elsewhere/b')))).toEqual(base);
    expect(fingerprintOf(sdj(datasetJob('a').shards(8))).sha256).not.toBe(base.sha256);
    const jpeg = fingerprintOf(sdj(datasetJob('a').shards(4).set('spec.output.jpegQuality', 10)));
    expect(fingerprintDifferences(jpeg, base)).toEqual(['spec.output.jpegQuality: 10 here, 95 there']);
    const reseeded = fingerprintOf(sdj(datasetJob('a').shards(4).set('spec.seed', 2)));
    expect(reseeded.sha256).not.toBe(base.sha256);
    expect(fingerprintDifferences(reseeded, base)).toEqual(['spec.seed: 2 here, 1 there']);
  });

  it('let a training job train longer (training.steps may change), but not with another seed or rate', () => {
    const a = fingerprintOf(admitOrThrow(trainingJob('t').steps(1000).obj()) as Id3Job);
    const b = fingerprintOf(admitOrThrow(trainingJob('t').steps(5000).obj()) as Id3Job);
    expect(b).toEqual(a);
    const reseeded = fingerprintOf(admitOrThrow(trainingJob('t').set('spec.training.seed', 7).obj()) as Id3Job);
    expect(reseeded.sha256).not.toBe(a.sha256);
  });
});
