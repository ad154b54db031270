import { describe, expect, it } from 'vitest';
import { InvalidUriError } from './errors.ts';
import { checkKey, checkPrefix, formatUri, joinKey, parseStorageUri, type StorageLocation } from './uri.ts';

describe('parseStorageUri', () => {
  it.each<{ name: string; given: string; want: StorageLocation }>([
    { name: 'bucket only', given: 's3://data', want: { scheme: 's3', bucket: 'data', prefix: '' } },
    { name: 'bucket and prefix', given: 's3://data/a/b', want: { scheme: 's3', bucket: 'data', prefix: 'a/b' } },
    { name: 'trailing slash', given: 's3://data/a/', want: { scheme: 's3', bucket: 'data', prefix: 'a' } },
    { name: 'absolute path', given: '/tmp/x/', want: { scheme: 'file', root: '/tmp/x', style: 'path' } },
    { name: 'file URI', given: 'file:///tmp/x%20y', want: { scheme: 'file', root: '/tmp/x y', style: 'file-uri' } },
  ])('$name', ({ given, want }) => {
    expect(parseStorageUri(given)).toEqual(want);
  });

  it.each([
    { name: 'relative path', given: 'data/out' },
    { name: 'other scheme', given: 'gs://bucket/x' },
    { name: 'uppercase bucket', given: 's3://Data/x' },
    { name: 'empty segment in prefix', given: 's3://data/a//b' },
    { name: 'dot-dot in prefix', given: 's3://data/a/../b' },
    { name: 'file URI with a host', given: 'file://host/tmp/x' },
  ])('refuses $name', ({ given }) => {
    expect(() => parseStorageUri(given)).toThrow(InvalidUriError);
  });
});

describe('keys', () => {
  it.each(['', '/a', 'a/', 'a//b', 'a/./b', '../a', 'a\\b', 'a\0b'])('checkKey refuses %j', (key) => {
    expect(() => checkKey(key)).toThrow(InvalidUriError);
  });

  it.each(['', 'a', 'a/', 'a/b/', 'shards/0001'])('checkPrefix accepts %j', (prefix) => {
    expect(checkPrefix(prefix)).toBe(prefix);
  });

  it('joinKey drops empty parts', () => {
    expect(joinKey('', 'a/', '/b', 'c')).toBe('a/b/c');
  });

  it.each([
    { name: 's3', given: 's3://bkt/p', key: 'x/y', want: 's3://bkt/p/x/y' },
    { name: 's3 without prefix', given: 's3://bkt', key: 'x', want: 's3://bkt/x' },
    { name: 'path', given: '/tmp/r', key: 'x/y', want: '/tmp/r/x/y' },
    { name: 'file URI', given: 'file:///tmp/r', key: 'a b', want: 'file:///tmp/r/a%20b' },
  ])('formatUri: $name', ({ given, key, want }) => {
    expect(formatUri(parseStorageUri(given), key)).toBe(want);
  });
});
