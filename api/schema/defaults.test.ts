import { describe, expect, it } from 'vitest';
import { applyDefaults } from './defaults.ts';
import type { JSONSchemaProps } from './types.ts';

const schema: JSONSchemaProps = {
  type: 'object',
  properties: {
    a: { type: 'integer', default: 1 },
    b: { type: 'object', default: {}, properties: { c: { type: 'string', default: 'x' } } },
    d: { type: 'object', properties: { e: { type: 'integer', default: 5 } } },
    list: { type: 'array', items: { type: 'object', properties: { f: { type: 'boolean', default: true } } } },
    map: {
      type: 'object',
      additionalProperties: { type: 'object', properties: { g: { type: 'integer', default: 7 } } },
    },
    n: { type: 'integer', default: 3 },
  },
};

describe('applyDefaults', () => {
  it.each([
    { name: 'fills absent fields, and children of a defaulted object', given: {}, want: { a: 1, b: { c: 'x' }, n: 3 } },
    { name: 'keeps given values', given: { a: 9, b: { c: 'y' } }, want: { a: 9, b: { c: 'y' }, n: 3 } },
    {
      name: 'defaults inside an object that is present',
      given: { d: {} },
      want: { a: 1, b: { c: 'x' }, d: { e: 5 }, n: 3 },
    },
    {
      name: 'does not create an absent object without a default',
      given: { a: 2 },
      want: { a: 2, b: { c: 'x' }, n: 3 },
    },
    {
      name: 'defaults every list item',
      given: { list: [{}, { f: false }] },
      want: { a: 1, b: { c: 'x' }, list: [{ f: true }, { f: false }], n: 3 },
    },
    {
      name: 'defaults map values',
      given: { map: { k: {} } },
      want: { a: 1, b: { c: 'x' }, map: { k: { g: 7 } }, n: 3 },
    },
    { name: 'replaces null of a non-nullable field', given: { n: null }, want: { a: 1, b: { c: 'x' }, n: 3 } },
  ])('$name', ({ given, want }) => {
    expect(applyDefaults(schema, given)).toEqual(want);
  });

  it('does not modify its input', () => {
    const given = { d: {} };
    applyDefaults(schema, given);
    expect(given).toEqual({ d: {} });
  });
});
