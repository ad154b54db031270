import { isDeepStrictEqual } from 'node:util';
import { CustomResourceDefinition as KubeCrd } from 'kubernetes-models/apiextensions.k8s.io/v1/CustomResourceDefinition';
import { describe, expect, it } from 'vitest';
import { CRDS, CustomResourceValidator, checkStructural, type JSONSchemaProps } from '../../api/index.ts';

function at(schema: JSONSchemaProps, path: string): JSONSchemaProps | undefined {
  let node: JSONSchemaProps | undefined = schema;
  for (const seg of path.split('.').filter(Boolean)) node = seg === '[]' ? node?.items : node?.properties?.[seg];
  return node;
}

const schemaOf = (crd: (typeof CRDS)[number]) => crd.spec.versions[0]!.schema!.openAPIV3Schema;

describe.each(CRDS.map((crd) => [crd.spec.names.kind, crd] as const))('%s CRD', (_kind, crd) => {
  it('is a valid apiextensions.k8s.io/v1 object (Kubernetes OpenAPI schema)', () => {
    expect(() => new KubeCrd(crd as never).validate()).not.toThrow();
  });

  it('is namespaced in id3.sfr.dev/v1alpha1 with a status subresource, a short name and the id3 category', () => {
    expect(crd.spec.group).toBe('id3.sfr.dev');
    expect(crd.spec.scope).toBe('Namespaced');
    expect(crd.metadata.name).toBe(`${crd.spec.names.plural}.${crd.spec.group}`);
    const [v] = crd.spec.versions;
    expect(v).toMatchObject({ name: 'v1alpha1', served: true, storage: true, subresources: { status: {} } });
    expect(crd.spec.names.shortNames).toHaveLength(1);
    expect(crd.spec.names.categories).toEqual(['id3']);
  });

  it('has a structural schema: every node typed, every field described, lists and maps bounded, defaults valid', () => {
    expect(checkStructural(schemaOf(crd), { projectRules: true })).toEqual([]);
  });

  it('has CEL rules that all compile and type-check against the schema', () => {
    const v = new CustomResourceValidator(crd, 'v1alpha1');
    expect(v.compileErrors).toEqual([]);
    const count = JSON.stringify(crd).match(/"rule":/g)?.length ?? 0;
    expect(count).toBeGreaterThan(8);
  });

  it('has printer columns whose paths exist in the schema, some only under -o wide', () => {
    const columns = crd.spec.versions[0]!.additionalPrinterColumns ?? [];
    expect(columns.map((c) => c.name)).toEqual(expect.arrayContaining(['Phase', 'Progress', 'Age']));
    expect(columns.filter((c) => (c.priority ?? 0) > 0).length).toBeGreaterThan(0);
    for (const c of columns) {
      if (c.jsonPath === '.metadata.creationTimestamp') continue;
      const node = at(schemaOf(crd), c.jsonPath);
      expect(node, c.jsonPath).toBeDefined();
      expect(node?.type === c.type || (node?.type === 'string' && c.type === 'date'), c.jsonPath).toBe(true);
    }
  });

  it('keeps the status bounded: no unbounded lists', () => {
    const status = at(schemaOf(crd), 'status')!;
    const lists: string[] = [];
    const walk = (n: JSONSchemaProps, p: string) => {
      if (n.type === 'array') lists.push(`${p}:${n.maxItems}`);
      for (const [k, c] of Object.entries(n.properties ?? {})) walk(c, `${p}.${k}`);
    };
    walk(status, 'status');
    expect(lists).toEqual(['status.conditions:16']);
  });
});

describe('structural checker', () => {
  it.each([
    { name: 'untyped field', schema: { type: 'object', properties: { a: {} } }, problem: 'must have a type' },
    {
      name: 'properties beside additionalProperties',
      schema: { type: 'object', properties: { a: { type: 'string' } }, additionalProperties: { type: 'string' } },
      problem: 'both properties and additionalProperties',
    },
    {
      name: 'typed anyOf branch',
      schema: { type: 'object', properties: { a: { type: 'string', anyOf: [{ type: 'string', description: 'x' }] } } },
      problem: 'description is not allowed',
    },
    {
      name: 'invalid default',
      schema: { type: 'object', properties: { a: { type: 'integer', minimum: 1, default: 0 } } },
      problem: 'default is invalid',
    },
    {
      name: 'list map key not required',
      schema: {
        type: 'array',
        'x-kubernetes-list-type': 'map',
        'x-kubernetes-list-map-keys': ['name'],
        items: { type: 'object', properties: { name: { type: 'string' } } },
      },
      problem: 'must be required or defaulted',
    },
  ] as { name: string; schema: JSONSchemaProps; problem: string }[])('finds $name', ({ schema, problem }) => {
    const issues = checkStructural(schema);
    expect(issues.map((i) => i.problem).join('\n')).toContain(problem);
  });

  it('applies the project rules only when asked', () => {
    const schema: JSONSchemaProps = { type: 'object', properties: { a: { type: 'array', items: { type: 'string' } } } };
    expect(checkStructural(schema)).toEqual([]);
    expect(checkStructural(schema, { projectRules: true }).map((i) => i.problem)).toEqual([
      'needs a description (kubectl explain shows it)',
      'lists need maxItems (bounds CEL cost and status size)',
    ]);
  });
});

describe('the two kinds share their common parts exactly', () => {
  const [training, dataset] = CRDS.map(schemaOf) as [JSONSchemaProps, JSONSchemaProps];
  it.each([
    'spec.storage',
    'spec.resources',
    'spec.ttlSecondsAfterFinished',
    'spec.backoffLimitPerTask',
    'spec.queueName',
    'status.conditions',
    'status.observedGeneration',
  ])('%s', (path) => {
    expect(at(training, path)).toBeDefined();
    expect(isDeepStrictEqual(at(training, path), at(dataset, path))).toBe(true);
  });

  it('encoder fields and sampler fields', () => {
    expect(at(training, 'spec.encoder')?.properties).toEqual(at(dataset, 'spec.encoder')?.properties);
    expect(at(training, 'spec.evaluate.sampler')?.properties).toEqual(at(dataset, 'spec.sampler')?.properties);
    expect(at(training, 'spec.conditioning.attributes.[]')).toEqual(at(dataset, 'spec.attributes.ranges.[]'));
  });
});
