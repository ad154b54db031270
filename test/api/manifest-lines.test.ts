import { describe, expect, it } from 'vitest';
import { splitPath } from '../../api/field-errors.ts';
import { checkManifests, joinPath, parseManifests } from '../../api/index.ts';

/** A valid quickstart-sized job; lines are numbered in the comments the tests refer to. */
const job = (spec: string) => `# line 1
# line 2
apiVersion: id3.sfr.dev/v1alpha1
kind: SyntheticDatasetJob
metadata:
  name: quick
spec:
  model:
    checkpointURI: models/default
  seed: 1
  sharding: {shards: 4, parallelism: 2}
  output:
    uri: out/quick
    identitiesPerTar: 5
${spec}`;

function errorsOf(text: string, doc = 0) {
  const check = checkManifests(text)[doc];
  return (check?.errors ?? []).map((e) => ({ field: e.field, line: e.line, column: e.column }));
}

describe('field errors carry the line of the field they name', () => {
  it('points an unknown field at its key, not at the document', () => {
    const text = job('  identities: 20\n  imagesPerIdentiy: 10\n');
    expect(text.split('\n')[15]).toBe('  imagesPerIdentiy: 10');
    expect(checkManifests(text)[0]?.line).toBe(3);
    expect(errorsOf(text)).toEqual([{ field: 'spec.imagesPerIdentiy', line: 16, column: 3 }]);
  });

  it('points a value out of bounds at its key, and a rule it breaks at the rule field', () => {
    // As the API server does, the shards rule still runs over a value that failed a bound.
    expect(errorsOf(job('  identities: -5\n'))).toEqual([
      { field: 'spec.identities', line: 15, column: 3 },
      { field: 'spec.sharding.shards', line: 11, column: 14 },
    ]);
  });

  it('points a missing required field at its parent object', () => {
    const text = job('  identities: 20\n').replace('    uri: out/quick\n', '');
    expect(errorsOf(text)).toEqual([{ field: 'spec.output.uri', line: 12, column: 3 }]);
  });

  it('points a missing top-level field at the document', () => {
    const text = 'apiVersion: id3.sfr.dev/v1alpha1\nkind: SyntheticDatasetJob\nmetadata: {name: a}\n';
    expect(errorsOf(text)).toEqual([{ field: 'spec', line: 1, column: 1 }]);
  });

  it('points into flow mappings and list items; a type error there keeps the rules above it from running', () => {
    const text = job(`  identities: 20
  attributes:
    source: ranges
    ranges:
      - {name: age, min: 1, max: 9}
      - name: pose
        min: x
        max: 3
`).replace('shards: 4,', 'shards: 9,');
    expect(errorsOf(text)).toEqual([{ field: 'spec.attributes.ranges[1].min', line: 21, column: 9 }]);
  });

  it('counts lines from the top of the file in later documents', () => {
    const text = `${job('  identities: 20\n')}---\n${job('  identities: 0\n')}`;
    const [first, second] = checkManifests(text);
    expect(first?.outcome).toBe('valid');
    expect(second?.line).toBe(19);
    expect(errorsOf(text, 1)).toEqual([
      { field: 'spec.identities', line: 31, column: 3 },
      { field: 'spec.sharding.shards', line: 27, column: 14 },
    ]);
  });

  it('puts an error about the whole object at the document start', () => {
    const text = job('  identities: 20\n').replace('name: quick', `name: ${'a'.repeat(51)}`);
    expect(errorsOf(text)).toEqual([{ field: '', line: 3, column: 1 }]);
  });

  it('records where every key and list item is written', () => {
    const [doc] = parseManifests('a:\n  b: [x, {c: 1}]\n  "d.e": 2\n');
    expect(Object.fromEntries(doc?.positions ?? [])).toEqual({
      '': { line: 1, column: 1 },
      a: { line: 1, column: 1 },
      'a.b': { line: 2, column: 3 },
      'a.b[0]': { line: 2, column: 7 },
      'a.b[1]': { line: 2, column: 10 },
      'a.b[1].c': { line: 2, column: 11 },
      'a["d.e"]': { line: 3, column: 3 },
    });
  });
});

describe('splitPath', () => {
  it('reads back what joinPath writes', () => {
    const segments = ['spec', 'labels', 'x-a/b', 'ranges', 0, 'min'];
    const path = segments.reduce((p: string, s) => joinPath(p, s), '');
    expect(path).toBe('spec.labels["x-a/b"].ranges[0].min');
    expect(splitPath(path)).toEqual(segments);
  });

  it("reads CEL fieldPaths' forms and stops at what it cannot read", () => {
    expect(splitPath(".sharding['x-y'].shards")).toEqual(['sharding', 'x-y', 'shards']);
    expect(splitPath('spec.a..b')).toEqual(['spec', 'a']);
    expect(splitPath('')).toEqual([]);
  });
});
