import { describe, expect, it } from 'vitest';
import { PermanentInputError } from '../../api/index.ts';
import { fitEmbeddingSpace, toEmbeddingSpace } from '../planner/index.ts';
import type { SamplingModel } from './common.ts';
import { embeddingMapOf } from './plan.ts';

const model = (info: Partial<SamplingModel['info']>) => ({ uri: 'file:///m/step-1', info }) as unknown as SamplingModel;

describe('embeddingMapOf', () => {
  const w = Float32Array.from([1, 0, 0, 0]);

  it('leaves sphere embeddings as planned (the paper)', () => {
    expect(embeddingMapOf('sphere', model({}))(w)).toBe(w);
  });

  it('maps data embeddings by the checkpoint statistics', () => {
    const space = fitEmbeddingSpace(Float32Array.from([1, 0.1, 0, 0, 0.9, -0.1, 0.1, 0, 1, 0, -0.1, 0.1]), 4);
    expect(embeddingMapOf('data', model({ embeddingSpace: space }))(w)).toEqual(toEmbeddingSpace(space, w));
  });

  it('refuses data for a checkpoint without statistics, naming the field and the way out', () => {
    const call = () => embeddingMapOf('data', model({}), 'spec.evaluate.embeddingSpace');
    expect(call).toThrow(PermanentInputError);
    expect(call).toThrow(
      /spec\.evaluate\.embeddingSpace is data.*file:\/\/\/m\/step-1.*set spec\.evaluate\.embeddingSpace: sphere/,
    );
  });
});
