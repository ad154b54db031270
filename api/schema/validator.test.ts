import { describe, expect, it } from 'vitest';
import { formatFieldError } from '../field-errors.ts';
import type { CustomResourceDefinition, JSONSchemaProps } from './types.ts';
import { CustomResourceValidator } from './validator.ts';

function crdWith(spec: JSONSchemaProps): CustomResourceDefinition {
  return {
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: { name: 'widgets.example.com' },
    spec: {
      group: 'example.com',
      scope: 'Namespaced',
      names: { kind: 'Widget', plural: 'widgets' },
      versions: [
        {
          name: 'v1',
          served: true,
          storage: true,
          schema: { openAPIV3Schema: { type: 'object', properties: { spec } } },
        },
      ],
    },
  };
}

const widget = (spec: Record<string, unknown>) => ({
  apiVersion: 'example.com/v1',
  kind: 'Widget',
  metadata: { name: 'w' },
  spec,
});

const spec: JSONSchemaProps = {
  type: 'object',
  properties: {
    size: { type: 'integer', 'x-kubernetes-validations': [{ rule: 'self == oldSelf', message: 'size is immutable' }] },
    min: { type: 'number' },
    max: { type: 'number' },
    tags: { type: 'array', 'x-kubernetes-list-type': 'set', items: { type: 'string' } },
    labels: { type: 'object', additionalProperties: { type: 'string' } },
    port: { 'x-kubernetes-int-or-string': true },
  },
  'x-kubernetes-validations': [
    {
      rule: '!has(self.min) || !has(self.max) || self.min < self.max',
      messageExpression: "'min ' + string(self.min) + ' must be below max ' + string(self.max)",
    },
    { rule: 'self.labels.all(k, k.startsWith("x-"))', message: 'label keys start with x-', fieldPath: '.labels' },
  ],
};

describe('CustomResourceValidator', () => {
  const v = new CustomResourceValidator(crdWith(spec), 'v1');

  it('accepts a valid object', () => {
    expect(v.validate(widget({ size: 1, min: 0, max: 1, labels: { 'x-a': 'b' }, port: 'http' }))).toEqual([]);
  });

  it('evaluates messageExpression for the message', () => {
    const errors = v.validate(widget({ min: 2, max: 1, labels: {} }));
    expect(errors.map(formatFieldError)).toEqual(['spec: Invalid value: "object": min 2 must be below max 1']);
  });

  it('reports a rule at its fieldPath', () => {
    const errors = v.validate(widget({ labels: { bad: 'x' } }));
    expect(errors.map(formatFieldError)).toEqual(['spec.labels: Invalid value: "object": label keys start with x-']);
  });

  it('skips transition rules on create and enforces them on update', () => {
    expect(v.validate(widget({ size: 3, labels: {} }))).toEqual([]);
    expect(v.validate(widget({ size: 3, labels: {} }), widget({ size: 3, labels: {} }))).toEqual([]);
    const errors = v.validate(widget({ size: 4, labels: {} }), widget({ size: 3, labels: {} }));
    expect(errors.map(formatFieldError)).toEqual(['spec.size: Invalid value: "integer": size is immutable']);
  });

  it('finds duplicates in a list-type set', () => {
    const errors = v.validate(widget({ tags: ['a', 'b', 'a'], labels: {} }));
    expect(errors.map(formatFieldError)).toEqual(['spec.tags[2]: Duplicate value: "a"']);
  });

  it('accepts both integers and strings for int-or-string, nothing else', () => {
    expect(v.validate(widget({ port: 80, labels: {} }))).toEqual([]);
    expect(v.validate(widget({ port: true, labels: {} })).map((e) => e.field)).toEqual(['spec.port']);
  });

  it('does not run rules over values of the wrong type', () => {
    const errors = v.validate(widget({ min: 'low', max: 1, labels: {} }));
    expect(errors.map((e) => e.field)).toEqual(['spec.min']);
  });

  it('refuses rules that do not type-check, as the API server refuses such a CRD', () => {
    const bad = new CustomResourceValidator(
      crdWith({
        type: 'object',
        properties: { a: { type: 'integer' } },
        'x-kubernetes-validations': [{ rule: 'self.b > 1' }, { rule: 'self.a' }],
      }),
      'v1',
    );
    expect(bad.compileErrors.map((e) => e.error)).toEqual([
      expect.stringContaining('No such key: b'),
      'must evaluate to bool, not int',
    ]);
  });

  it('checks apiVersion and kind', () => {
    const errors = v.validate({ ...widget({ labels: {} }), apiVersion: 'example.com/v2' });
    expect(errors.map(formatFieldError)).toEqual([
      'apiVersion: Unsupported value: "example.com/v2": supported values: "example.com/v1"',
    ]);
  });
});
