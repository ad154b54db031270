import { describe, expect, it } from 'vitest';
import { slug } from './report-on.ts';

describe('slug', () => {
  it.each([
    ['/work/models/face-encoder/model.json', 'face-encoder'],
    ['s3://bucket/encoders/ir_se50.onnx', 'ir_se50'],
    ['mobilefacenet', 'mobilefacenet'],
    ['id3 face encoder (v2)', 'id3-face-encoder-v2'],
    ['///', 'encoder'],
  ])('%s → %s', (given, want) => {
    expect(slug(given)).toBe(want);
  });
});
