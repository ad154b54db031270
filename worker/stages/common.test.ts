import { describe, expect, it } from 'vitest';
import { resolveUri } from './common.ts';

describe('resolveUri (a checkpoint-relative encoder location)', () => {
  it.each([
    ['/work/models/id3-faces-32', '../face-encoder/model.json', '/work/models/face-encoder/model.json'],
    ['file:///work/models/id3', '../enc/model.json', 'file:///work/models/enc/model.json'],
    ['s3://bucket/models/id3', '../enc/model.json', 's3://bucket/models/enc/model.json'],
    ['s3://bucket/models/id3', 'enc/./model.json', 's3://bucket/models/id3/enc/model.json'],
  ])('%s + %s', (base, rel, want) => {
    expect(resolveUri(base, rel)).toBe(want);
  });
});
