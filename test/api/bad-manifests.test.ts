import { describe, expect, it } from 'vitest';
import { admit, formatFieldError } from '../../api/index.ts';
import { datasetJob, trainingJob } from '../builders.ts';

interface Case {
  name: string;
  given: Record<string, unknown>;
  /** Every error expected, as [field, a part of the message]; no other error may appear. */
  want: [field: string, message: string][];
}

const cases: Case[] = [
  // Wrong types
  {
    name: 'identities as a string',
    given: datasetJob('a').set('spec.identities', 'many').obj(),
    want: [['spec.identities', 'must be of type integer: "string"']],
  },
  {
    name: 'seed as a float',
    given: datasetJob('a').set('spec.seed', 1.5).obj(),
    want: [['spec.seed', 'must be of type integer: "number"']],
  },
  {
    name: 'suspend as a string',
    given: datasetJob('a').set('spec.suspend', 'yes').obj(),
    want: [['spec.suspend', 'must be of type boolean']],
  },
  {
    name: 'exports not a list',
    given: datasetJob('a').set('spec.output.exports', 'recordio').obj(),
    want: [['spec.output.exports', 'must be of type array']],
  },
  {
    name: 'encoder mean not numbers',
    given: trainingJob('t').set('spec.encoder.mean', ['a', 0.5, 0.5]).obj(),
    want: [['spec.encoder.mean[0]', 'must be of type number']],
  },
  // Empty strings where a location is needed
  {
    name: 'empty output.uri',
    given: datasetJob('a').set('spec.output.uri', '').obj(),
    want: [['spec.output.uri', 'should be at least 1 chars long']],
  },
  {
    name: 'empty dataset.uri',
    given: trainingJob('t').set('spec.dataset.uri', '').obj(),
    want: [['spec.dataset.uri', 'should be at least 1 chars long']],
  },
  // Out of range
  {
    name: 'zero identities',
    given: datasetJob('a').set('spec.identities', 0).obj(),
    want: [
      ['spec.identities', 'should be greater than or equal to 1'],
      ['spec.sharding.shards', 'must not exceed the number of tar files'],
    ],
  },
  {
    name: 'too many identities',
    given: datasetJob('a').set('spec.identities', 20_000_000).obj(),
    want: [['spec.identities', 'should be less than or equal to 10000000']],
  },
  {
    name: 'negative guidance',
    given: datasetJob('a').set('spec.sampler.guidanceScale', -1).obj(),
    want: [['spec.sampler.guidanceScale', 'should be greater than or equal to 0']],
  },
  {
    name: 'zero learning rate (exclusive minimum)',
    given: trainingJob('t').set('spec.training.learningRate', 0).obj(),
    want: [['spec.training.learningRate', 'should be greater than 0']],
  },
  {
    name: 'jpeg quality above 100',
    given: datasetJob('a').set('spec.output.jpegQuality', 101).obj(),
    want: [['spec.output.jpegQuality', 'should be less than or equal to 100']],
  },
  {
    name: 'unknown sampler',
    given: datasetJob('a').set('spec.sampler.type', 'PLMS').obj(),
    want: [['spec.sampler.type', 'Unsupported value: "PLMS": supported values: "DDPM", "DDIM"']],
  },
  {
    name: 'unknown export format',
    given: datasetJob('a').set('spec.output.exports', ['tfrecord']).obj(),
    want: [['spec.output.exports[0]', 'Unsupported value: "tfrecord"']],
  },
  {
    name: 'encoder mean of two channels',
    given: trainingJob('t').set('spec.encoder.mean', [0.5, 0.5]).obj(),
    want: [['spec.encoder.mean', 'should have at least 3 items']],
  },
  {
    name: 'too many tolerations',
    given: datasetJob('a')
      .set(
        'spec.resources.tolerations',
        Array.from({ length: 33 }, () => ({ operator: 'Exists' })),
      )
      .obj(),
    want: [['spec.resources.tolerations', 'Too many: 33: must have at most 32 items']],
  },
  {
    name: 'bad quantity',
    given: datasetJob('a').set('spec.resources.memory', '32 gigs').obj(),
    want: [['spec.resources.memory', 'should match']],
  },
  {
    name: 'queue name with capitals',
    given: datasetJob('a').set('spec.queueName', 'GPU-Queue').obj(),
    want: [['spec.queueName', 'should match']],
  },
  {
    name: 'name too long for child objects',
    given: datasetJob('a'.repeat(51)).obj(),
    want: [['', 'metadata.name must be at most 50 characters']],
  },
  {
    name: 'name not a DNS subdomain',
    given: datasetJob('My_Job').obj(),
    want: [['metadata.name', 'lowercase RFC 1123 subdomain']],
  },
  // Cross-field rules (CEL)
  {
    name: 'lb equal to ub',
    given: datasetJob('a').set('spec.anchorSimilarity', { lb: 0.8, ub: 0.8 }).obj(),
    want: [['spec.anchorSimilarity', 'anchorSimilarity.lb must be less than anchorSimilarity.ub']],
  },
  {
    name: 'lb above ub',
    given: datasetJob('a').set('spec.anchorSimilarity', { lb: 0.9, ub: 0.7 }).obj(),
    want: [['spec.anchorSimilarity', 'lb must be less than']],
  },
  {
    name: 'ub above 1',
    given: datasetJob('a').set('spec.anchorSimilarity', { lb: 0.5, ub: 1.2 }).obj(),
    want: [['spec.anchorSimilarity.ub', 'should be less than or equal to 1']],
  },
  {
    name: 'both model sources',
    given: datasetJob('a')
      .set('spec.model', { checkpointURI: 's3://models/c', trainingJobRef: { name: 't' } })
      .obj(),
    want: [['spec.model', 'set exactly one of model.trainingJobRef and model.checkpointURI']],
  },
  {
    name: 'neither model source',
    given: datasetJob('a').set('spec.model', { weights: 'ema' }).obj(),
    want: [['spec.model', 'set exactly one of']],
  },
  {
    name: 'more shards than tar files',
    given: datasetJob('a').shards(9, 2).obj(),
    want: [['spec.sharding.shards', 'sharding.shards must not exceed the number of tar files']],
  },
  {
    name: 'parallelism above shards',
    given: datasetJob('a').shards(2, 4).obj(),
    want: [['spec.sharding', 'sharding.parallelism must not exceed sharding.shards']],
  },
  {
    name: 'eta with DDPM',
    given: datasetJob('a').set('spec.sampler', { type: 'DDPM', eta: 0.5 }).obj(),
    want: [['spec.sampler', 'eta applies to DDIM only']],
  },
  {
    name: 'ranges source without ranges',
    given: datasetJob('a').set('spec.attributes', { source: 'ranges' }).obj(),
    want: [['spec.attributes', 'attributes.ranges is required']],
  },
  {
    name: 'range with min above max',
    given: datasetJob('a')
      .set('spec.attributes', { source: 'ranges', ranges: [{ name: 'age', min: 80, max: 20 }] })
      .obj(),
    want: [['spec.attributes.ranges[0]', 'min must be less than max']],
  },
  {
    name: 'duplicate attribute range',
    given: datasetJob('a')
      .set('spec.attributes', {
        source: 'ranges',
        ranges: [
          { name: 'age', min: 0, max: 9 },
          { name: 'age', min: 1, max: 2 },
        ],
      })
      .obj(),
    want: [['spec.attributes.ranges[1]', 'Duplicate value']],
  },
  {
    name: 'resolution not divisible by the U-Net levels',
    given: trainingJob('t')
      .set('spec.model', { resolution: 36, channelMultipliers: [1, 2, 2, 2], attentionResolutions: [] })
      .obj(),
    want: [['spec.model', 'divisible by 2^(levels-1)']],
  },
  {
    name: 'attention at a resolution the U-Net never has',
    given: trainingJob('t')
      .set('spec.model', { resolution: 64, attentionResolutions: [24] })
      .obj(),
    want: [['spec.model', 'feature-map side']],
  },
  {
    name: 'channels not a multiple of the groups',
    given: trainingJob('t').set('spec.model', { channels: 48, groupNormGroups: 32 }).obj(),
    want: [['spec.model', 'multiple of model.groupNormGroups']],
  },
  {
    name: 'betaStart above betaEnd',
    given: trainingJob('t').set('spec.diffusion', { betaStart: 0.03, betaEnd: 0.02 }).obj(),
    want: [['spec.diffusion', 'betaStart must be less than diffusion.betaEnd']],
  },
  {
    name: 'attributes file without a uri',
    given: trainingJob('t').set('spec.dataset.attributes', { source: 'file' }).obj(),
    want: [['spec.dataset', 'dataset.attributes.uri is required']],
  },
  // URIs
  {
    name: 'http output',
    given: datasetJob('a').set('spec.output.uri', 'http://bucket/x').obj(),
    want: [['spec.output.uri', 'must be s3://BUCKET[/PREFIX], file:///PATH or a local path']],
  },
  {
    name: 'gs checkpoint',
    given: datasetJob('a').set('spec.model', { checkpointURI: 'gs://models/x' }).obj(),
    want: [['spec.model.checkpointURI', 'must be s3://']],
  },
  {
    name: 'invalid bucket name',
    given: trainingJob('t').set('spec.dataset.uri', 's3://Bad_Bucket/data').obj(),
    want: [['spec.dataset.uri', 'must be s3://']],
  },
  {
    name: 'endpoint without scheme',
    given: datasetJob('a').set('spec.storage.endpoint', 'minio:9000').obj(),
    want: [['spec.storage.endpoint', 'must be an http:// or https:// URL']],
  },
  // Unknown and missing fields
  {
    name: 'misspelt field',
    given: datasetJob('a').set('spec.imagesPerIdentiy', 10).obj(),
    want: [['spec.imagesPerIdentiy', 'Unknown field: did you mean "imagesPerIdentity"?']],
  },
  {
    name: 'unknown nested field',
    given: trainingJob('t').set('spec.training.lr', 0.1).obj(),
    want: [['spec.training.lr', 'Unknown field']],
  },
  {
    name: 'missing identities',
    given: datasetJob('a').unset('spec.identities').obj(),
    want: [['spec.identities', 'Required value']],
  },
  {
    name: 'missing output uri',
    given: datasetJob('a').set('spec.output', {}).obj(),
    want: [['spec.output.uri', 'Required value']],
  },
  {
    name: 'missing encoder',
    given: trainingJob('t').unset('spec.encoder').obj(),
    want: [['spec.encoder', 'Required value']],
  },
  { name: 'missing spec', given: datasetJob('a').unset('spec').obj(), want: [['spec', 'Required value']] },
  {
    name: 'missing name',
    given: datasetJob('a').set('metadata', {}).obj(),
    want: [['metadata.name', 'Required value']],
  },
  // Wrong apiVersion or kind
  {
    name: 'old API version',
    given: datasetJob('a').set('apiVersion', 'id3.sfr.dev/v1').obj(),
    want: [['apiVersion', 'Unsupported value: "id3.sfr.dev/v1": supported values: "id3.sfr.dev/v1alpha1"']],
  },
  {
    name: 'unknown kind',
    given: datasetJob('a').set('kind', 'DatasetJob').obj(),
    want: [['kind', 'Unsupported value: "DatasetJob"']],
  },
  { name: 'no apiVersion', given: datasetJob('a').unset('apiVersion').obj(), want: [['apiVersion', 'Required value']] },
];

describe('invalid manifests are refused with the field path and the reason', () => {
  it('covers at least 25 distinct mistakes', () => {
    expect(cases.length).toBeGreaterThanOrEqual(25);
  });

  it.each(cases)('$name', ({ given, want }) => {
    const { errors } = admit(given);
    const got = errors.map((e) => ({ field: e.field, message: formatFieldError(e) }));
    expect(got.map((e) => e.field).sort()).toEqual(want.map(([field]) => field).sort());
    for (const [field, message] of want) {
      expect(got.find((e) => e.field === field)?.message).toContain(message);
    }
  });
});
