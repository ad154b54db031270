import { describe, expect, it } from 'vitest';
import { BenchmarkFormatError } from './errors.ts';
import { formatLabelPairs, formatLfwPairs, parseLabelPairs, parseLfwPairs, parsePairs } from './pairs.ts';

// Two folds of one same-person and one two-people pair, tab-separated as LFW's own file is.
const LFW = '2\t1\nAbel_Pacheco\t1\t4\nAbdel_Madi\t1\tAbdullah\t3\nAkbar\t2\t3\nAnn\t1\tAnna_Kou\t10\n';

describe('parseLfwPairs', () => {
  it('reads the header, both line kinds and LFW file names, in file order', () => {
    expect(parseLfwPairs(LFW)).toEqual({
      format: 'lfw',
      folds: 2,
      pairsPerFold: 1,
      pairs: [
        { a: 'Abel_Pacheco/Abel_Pacheco_0001.jpg', b: 'Abel_Pacheco/Abel_Pacheco_0004.jpg', same: true, line: 2 },
        { a: 'Abdel_Madi/Abdel_Madi_0001.jpg', b: 'Abdullah/Abdullah_0003.jpg', same: false, line: 3 },
        { a: 'Akbar/Akbar_0002.jpg', b: 'Akbar/Akbar_0003.jpg', same: true, line: 4 },
        { a: 'Ann/Ann_0001.jpg', b: 'Anna_Kou/Anna_Kou_0010.jpg', same: false, line: 5 },
      ],
    });
  });

  it.each([
    { name: 'no header', given: 'Akbar 1 2\n', want: /pairs.txt:1: expected the header 'folds pairs-per-fold'/ },
    { name: 'zero folds', given: '0 300\n', want: /pairs.txt:1: expected the header/ },
    {
      name: 'too few lines',
      given: '1 1\nAkbar 1 2\n',
      want: /pairs.txt:1: the header promises 1 × 2 × 1 pairs; the file has 1/,
    },
    {
      name: 'two fields',
      given: '1 1\nAkbar 1\nAnn 1 Bo 2\n',
      want: /pairs.txt:2: expected 'name i j' .* found 2 fields/,
    },
    { name: 'five fields', given: '1 1\nAkbar 1 2\nAnn 1 Bo 2 3\n', want: /pairs.txt:3: .* found 5 fields/ },
    {
      name: 'zero index',
      given: '1 1\nAkbar 0 2\nAnn 1 Bo 2\n',
      want: /pairs.txt:2: image number '0' is not a positive/,
    },
    { name: 'word index', given: '1 1\nAkbar 1 two\nAnn 1 Bo 2\n', want: /pairs.txt:2: image number 'two'/ },
    {
      name: 'path name',
      given: '1 1\nAkbar 1 2\n.. 1 Bo 2\n',
      want: /pairs.txt:3: '\.\.' is not a usable folder name/,
    },
    {
      name: 'same name twice',
      given: '1 1\nAkbar 1 2\nAnn 1 Ann 2\n',
      want: /pairs.txt:3: a two-people line names Ann twice/,
    },
  ])('refuses $name', ({ given, want }) => {
    expect(() => parseLfwPairs(given)).toThrow(BenchmarkFormatError);
    expect(() => parseLfwPairs(given)).toThrow(want);
  });
});

describe('parseLabelPairs', () => {
  it('reads path1 path2 label lines, skipping blank ones', () => {
    expect(parseLabelPairs('a/1.jpg b/2.png 1\n\nc.jpg d/e/f.jpg 0\n')).toEqual({
      format: 'labels',
      pairs: [
        { a: 'a/1.jpg', b: 'b/2.png', same: true, line: 1 },
        { a: 'c.jpg', b: 'd/e/f.jpg', same: false, line: 3 },
      ],
    });
  });

  it.each([
    { name: 'missing label', given: 'a.jpg b.jpg\n', want: /pairs_label.txt:1: expected 'path1 path2 label', found 2/ },
    { name: 'word label', given: 'a.jpg b.jpg True\n', want: /pairs_label.txt:1: label 'True' is neither 1/ },
    {
      name: 'absolute path',
      given: 'a.jpg b.jpg 1\n/etc/x.jpg b.jpg 0\n',
      want: /:2: '\/etc\/x.jpg' is not a relative/,
    },
    { name: 'escaping path', given: '../x.jpg b.jpg 0\n', want: /:1: '\.\.\/x.jpg' is not a relative path inside/ },
  ])('refuses $name', ({ given, want }) => {
    expect(() => parseLabelPairs(given)).toThrow(want);
  });
});

describe('parsePairs', () => {
  it('tells the formats apart by the header', () => {
    expect(parsePairs(LFW).format).toBe('lfw');
    expect(parsePairs('1 2 1\n').format).toBe('labels');
  });
});

describe('writers', () => {
  it('formatLfwPairs round-trips through the reader', () => {
    const pairs = [
      { a: { name: 'p1', index: 1 }, b: { name: 'p1', index: 2 } },
      { a: { name: 'p1', index: 3 }, b: { name: 'p2', index: 1 } },
      { a: { name: 'p2', index: 2 }, b: { name: 'p2', index: 12 } },
      { a: { name: 'p3', index: 1 }, b: { name: 'p1', index: 1 } },
    ];
    const read = parseLfwPairs(formatLfwPairs(pairs, 2));
    expect(read.folds).toBe(2);
    expect(read.pairs.map((p) => [p.a, p.b, p.same])).toEqual([
      ['p1/p1_0001.jpg', 'p1/p1_0002.jpg', true],
      ['p1/p1_0003.jpg', 'p2/p2_0001.jpg', false],
      ['p2/p2_0002.jpg', 'p2/p2_0012.jpg', true],
      ['p3/p3_0001.jpg', 'p1/p1_0001.jpg', false],
    ]);
    expect(() => formatLfwPairs(pairs, 3)).toThrow(/4 pairs do not split into 3 folds/);
    expect(() => formatLfwPairs([pairs[0]!, { a: { name: 'a b', index: 1 }, b: { name: 'c', index: 1 } }], 1)).toThrow(
      /pair 1: .* is not an LFW image name/,
    );
  });

  it('formatLabelPairs round-trips through the reader', () => {
    const pairs = [
      { a: 'x/1.png', b: 'y/2.png', same: false },
      { a: 'x/1.png', b: 'x/3.png', same: true },
    ];
    expect(parseLabelPairs(formatLabelPairs(pairs)).pairs.map(({ a, b, same }) => ({ a, b, same }))).toEqual(pairs);
    expect(() => formatLabelPairs([{ a: 'a b.png', b: 'c.png', same: true }])).toThrow(/'a b.png' is not a relative/);
  });
});
