/**
 * The declared list of defining and operational fields (api/defining-fields.ts) against the CRDs it describes: it
 * covers each kind's spec exactly, every defining field is immutable in the CRD (so the API server refuses an edit
 * that would change the output under a running job), and admission with an old object refuses exactly those edits.
 */
import { describe, expect, it } from 'vitest';
import { admit, CRDS, FIELD_CLASSES, type JobKind, type JSONSchemaProps } from '../../api/index.ts';
import { datasetJob, trainingJob } from '../builders.ts';

const KINDS = Object.keys(FIELD_CLASSES) as JobKind[];

function specSchema(kind: string): JSONSchemaProps {
  const crd = CRDS.find((c) => c.spec.names.kind === kind)!;
  return crd.spec.versions[0]!.schema!.openAPIV3Schema.properties!.spec!;
}

function schemaAt(root: JSONSchemaProps, path: string): { node?: JSONSchemaProps; parents: JSONSchemaProps[] } {
  const parents: JSONSchemaProps[] = [];
  let node: JSONSchemaProps | undefined = root;
  for (const part of path.split('.')) {
    if (!node) break;
    parents.push(node);
    node = node.properties?.[part];
  }
  return { node, parents };
}

/** Spec paths not covered by any listed path, walking down only where a listed path lies deeper. */
function uncovered(schema: JSONSchemaProps, listed: readonly string[], prefix = ''): string[] {
  const out: string[] = [];
  for (const [name, child] of Object.entries(schema.properties ?? {})) {
    const path = prefix + name;
    if (listed.includes(path)) continue;
    if (listed.some((l) => l.startsWith(`${path}.`))) out.push(...uncovered(child, listed, `${path}.`));
    else out.push(path);
  }
  return out;
}

const isImmutableRule = (rule: string) => rule.replace(/\s+/g, ' ').trim() === 'self == oldSelf';

/** The field carries `self == oldSelf`, an ancestor does, or its parent compares it (`self.x == oldSelf.x`). */
function immutableInCrd(root: JSONSchemaProps, path: string): boolean {
  const { node, parents } = schemaAt(root, path);
  const rules = (s?: JSONSchemaProps) => (s?.['x-kubernetes-validations'] ?? []).map((r) => r.rule);
  if (rules(node).some(isImmutableRule)) return true;
  const parts = path.split('.');
  if (parents.slice(1).some((p) => rules(p).some(isImmutableRule))) return true;
  const name = parts.at(-1)!;
  return rules(parents.at(-1)).some((r) => r.replace(/\s+/g, '') === `self.${name}==oldSelf.${name}`);
}

/**
 * Transition rules run only when the old and the new object both have the field (as the API server evaluates
 * them), so a defining field must never be absent: required, defaulted, or guarded by `has(self.x) == has(oldSelf.x)`
 * on its parent — down to the immutable node.
 */
function alwaysPresent(root: JSONSchemaProps, path: string): boolean {
  const parts = path.split('.');
  let parent = root;
  for (const name of parts) {
    const node = parent.properties?.[name];
    if (!node) return false;
    const guarded = (parent['x-kubernetes-validations'] ?? []).some(
      (r) => r.rule.replace(/\s+/g, '') === `has(self.${name})==has(oldSelf.${name})`,
    );
    if (!(parent.required ?? []).includes(name) && node.default === undefined && !guarded) return false;
    if ((node['x-kubernetes-validations'] ?? []).some((r) => isImmutableRule(r.rule))) return true;
    parent = node;
  }
  return true;
}

describe.each(KINDS)('the defining fields of %s', (kind) => {
  const schema = specSchema(kind);
  const { defining, operational } = FIELD_CLASSES[kind];

  it('name fields the CRD has, each in one list', () => {
    for (const p of [...defining, ...operational]) expect(schemaAt(schema, p).node, p).toBeDefined();
    expect(defining.filter((p) => operational.includes(p))).toEqual([]);
  });

  it("cover the CRD's spec exactly: a new field must be classified", () => {
    expect(uncovered(schema, [...defining, ...operational])).toEqual([]);
  });

  it('are each immutable in the CRD', () => {
    expect(defining.filter((p) => !immutableInCrd(schema, p))).toEqual([]);
  });

  it('are never absent, so that the immutability rule always runs', () => {
    expect(defining.filter((p) => !alwaysPresent(schema, p))).toEqual([]);
  });
});

describe('admission of an edited job', () => {
  const updated = (obj: object, old: object) => admit(obj, old).errors.map((e) => e.field);

  it.each([
    ['output.jpegQuality', 'spec.output.jpegQuality', 10],
    ['sharding.shards', 'spec.sharding', { shards: 1, parallelism: 1 }],
    ['quality', 'spec.quality.pairs', 50],
    ['output.exports', 'spec.output.exports', ['recordio']],
  ])('refuses a dataset job whose %s changed', (field, path, value) => {
    const old = admit(datasetJob('d').shards(2).obj()).object;
    expect(updated(datasetJob('d').shards(2).set(path, value).obj(), old)).toEqual([`spec.${field}`]);
  });

  it.each([
    ['training.seed', 9],
    ['training.learningRate', 0.5],
    ['prepare.shards', 3],
  ])('refuses a training job whose %s changed', (field, value) => {
    const old = admit(trainingJob('t').obj()).object;
    expect(updated(trainingJob('t').set(`spec.${field}`, value).obj(), old)).toEqual([`spec.${field}`]);
  });

  it('lets the operational fields change: parallelism, suspend, resources, and a trainer’s steps', () => {
    const oldDataset = admit(datasetJob('d').shards(4).obj()).object;
    expect(updated(datasetJob('d').shards(4, 2).set('spec.suspend', true).obj(), oldDataset)).toEqual([]);
    const oldTrainer = admit(trainingJob('t').steps(1000).obj()).object;
    expect(updated(trainingJob('t').steps(5000).obj(), oldTrainer)).toEqual([]);
  });
});
