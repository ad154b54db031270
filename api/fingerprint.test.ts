import { describe, expect, it } from 'vitest';
import { datasetJob, trainingJob } from '../test/builders.ts';
import { definingPaths, fingerprintDifferences, fingerprintOf } from './fingerprint.ts';
import { admitOrThrow, type Id3Job } from './kinds.ts';

const sdj = (b: ReturnType<typeof datasetJob>) => admitOrThrow(b.obj()) as Id3Job;

describe('job fingerprints', () => {
  it("are made of the fields the CRD makes immutable, minus the output's location", () => {
    const paths = definingPaths('SyntheticDatasetJob');
    for (const p of ['model', 'seed', 'identities', 'sampler', 'embeddingSpace', 'output.identitiesPerTar'])
      expect(paths).toContain(p);
    for (const p of ['output.uri', 'sharding', 'suspend', 'quality']) expect(paths).not.toContain(p);
    expect(definingPaths('ID3TrainingJob')).toEqual(expect.arrayContaining(['dataset', 'encoder', 'conditioning']));
    expect(definingPaths('ID3TrainingJob')).not.toContain('training');
  });

  it('ignore how a job runs and where it writes; name what defines its output when that changes', () => {
    const base = fingerprintOf(sdj(datasetJob('a').shards(4)));
    expect(fingerprintOf(sdj(datasetJob('b').shards(8, 4).output('s3://elsewhere/b')))).toEqual(base);
    const reseeded = fingerprintOf(sdj(datasetJob('a').shards(4).set('spec.seed', 2)));
    expect(reseeded.sha256).not.toBe(base.sha256);
    expect(fingerprintDifferences(reseeded, base)).toEqual(['spec.seed: 2 here, 1 there']);
  });

  it('let a training job train longer (training.steps may change)', () => {
    const a = fingerprintOf(admitOrThrow(trainingJob('t').steps(1000).obj()) as Id3Job);
    const b = fingerprintOf(admitOrThrow(trainingJob('t').steps(5000).obj()) as Id3Job);
    expect(b).toEqual(a);
  });
});
