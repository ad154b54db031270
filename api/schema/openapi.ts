import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import formatsModule, { type FormatsPlugin } from 'ajv-formats';
import { type FieldError, joinPath } from '../field-errors.ts';
import type { JSONSchemaProps } from './types.ts';

/**
 * OpenAPI v3 (structural schema) validation with Ajv, reporting errors in the API server's words. Kubernetes schemas
 * differ from the JSON Schema drafts Ajv implements in a few places, so the schema is first translated:
 * boolean exclusiveMinimum/Maximum, x-kubernetes-int-or-string, nullable, and closed objects (strict field
 * validation rejects fields the schema does not declare, unless x-kubernetes-preserve-unknown-fields says otherwise).
 */

type AjvSchema = Record<string, unknown>;

/** Formats the API server knows; the integer/number ones constrain nothing for JSON input. */
const NOOP_FORMATS = ['int32', 'int64', 'float', 'double', 'byte', 'binary', 'password'];

export function toAjvSchema(s: JSONSchemaProps): AjvSchema {
  const out: AjvSchema = {};
  if (s['x-kubernetes-int-or-string']) {
    out.type = ['integer', 'string'];
  } else if (s.type) {
    out.type = s.nullable ? [s.type, 'null'] : s.type;
  }
  for (const k of ['enum', 'required', 'minLength', 'maxLength', 'pattern', 'minItems', 'maxItems'] as const) {
    if (s[k] !== undefined) out[k] = s[k];
  }
  for (const k of ['uniqueItems', 'minProperties', 'maxProperties', 'multipleOf', 'format'] as const) {
    if (s[k] !== undefined) out[k] = s[k];
  }
  Object.assign(out, bounds(s));
  if (s.properties) {
    out.properties = Object.fromEntries(Object.entries(s.properties).map(([k, v]) => [k, toAjvSchema(v)]));
  }
  if (s.items) out.items = toAjvSchema(s.items);
  const open = s['x-kubernetes-preserve-unknown-fields'] === true;
  if (typeof s.additionalProperties === 'object') {
    out.additionalProperties = toAjvSchema(s.additionalProperties);
  } else if (s.type === 'object' && s.properties && !open) {
    out.additionalProperties = false;
  }
  for (const k of ['anyOf', 'allOf', 'oneOf'] as const) {
    if (s[k] && !s['x-kubernetes-int-or-string']) out[k] = s[k].map(toAjvSchema);
  }
  if (s.not) out.not = toAjvSchema(s.not);
  return out;
}

function bounds(s: JSONSchemaProps): AjvSchema {
  const out: AjvSchema = {};
  if (s.minimum !== undefined) out[s.exclusiveMinimum ? 'exclusiveMinimum' : 'minimum'] = s.minimum;
  if (s.maximum !== undefined) out[s.exclusiveMaximum ? 'exclusiveMaximum' : 'maximum'] = s.maximum;
  return out;
}

function newAjv(): Ajv {
  const ajv = new Ajv({ allErrors: true, strict: false, validateFormats: true, verbose: true });
  // ajv-formats is CommonJS; under NodeNext its default import is the module object.
  const addFormats = (formatsModule as unknown as { default: FormatsPlugin }).default;
  addFormats(ajv, ['date-time', 'date', 'uri', 'email', 'hostname', 'ipv4', 'ipv6', 'uuid']);
  for (const f of NOOP_FORMATS) ajv.addFormat(f, true);
  return ajv;
}

export interface OpenApiValidator {
  validate(value: unknown): FieldError[];
}

export function compileOpenApi(schema: JSONSchemaProps): OpenApiValidator {
  const fn: ValidateFunction = newAjv().compile(toAjvSchema(schema));
  return {
    validate(value) {
      if (fn(value)) return [];
      return (fn.errors ?? []).map((e) => toFieldError(e, value)).filter((e): e is FieldError => e !== undefined);
    },
  };
}

/** `/spec/ranges/0/min` → `spec.ranges[0].min`, reading the value to tell list indexes from map keys. */
export function pointerToPath(pointer: string, root: unknown): string {
  let path = '';
  let node: unknown = root;
  for (const raw of pointer.split('/').slice(1)) {
    const seg = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    const isIndex = Array.isArray(node) && /^\d+$/.test(seg);
    path = joinPath(path, isIndex ? Number(seg) : seg);
    node = (node as Record<string, unknown> | undefined)?.[seg];
  }
  return path;
}

function valueAt(pointer: string, root: unknown): unknown {
  let node: unknown = root;
  for (const raw of pointer.split('/').slice(1)) {
    node = (node as Record<string, unknown> | undefined)?.[raw.replace(/~1/g, '/').replace(/~0/g, '~')];
  }
  return node;
}

function typeName(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  if (typeof v === 'number') return Number.isInteger(v) ? 'integer' : 'number';
  return typeof v;
}

// biome-ignore lint/complexity/noExcessiveLinesPerFunction: one case per ajv keyword, read as a table
function toFieldError(e: ErrorObject, root: unknown): FieldError | undefined {
  const field = pointerToPath(e.instancePath, root);
  const value = valueAt(e.instancePath, root);
  const inBody = `${field} in body`;
  const p = e.params as Record<string, unknown>;
  switch (e.keyword) {
    case 'required':
      return { field: joinPath(field, String(p.missingProperty)), type: 'FieldValueRequired', detail: '' };
    case 'additionalProperties': {
      const name = String(p.additionalProperty);
      const known = Object.keys((e.parentSchema as { properties?: object } | undefined)?.properties ?? {});
      const guess = closest(name, known);
      return {
        field: joinPath(field, name),
        type: 'FieldValueUnknown',
        detail: guess ? `did you mean "${guess}"?` : '',
      };
    }
    case 'type': {
      const want = Array.isArray(p.type) ? p.type.join(' or ') : String(p.type);
      const got = typeName(value);
      return {
        field,
        type: 'FieldValueTypeInvalid',
        badValue: got,
        detail: `${inBody} must be of type ${want}: "${got}"`,
      };
    }
    case 'enum': {
      const allowed = (p.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(', ');
      return { field, type: 'FieldValueNotSupported', badValue: value, detail: `supported values: ${allowed}` };
    }
    case 'minimum':
      return {
        field,
        type: 'FieldValueInvalid',
        badValue: value,
        detail: `${inBody} should be greater than or equal to ${p.limit}`,
      };
    case 'exclusiveMinimum':
      return {
        field,
        type: 'FieldValueInvalid',
        badValue: value,
        detail: `${inBody} should be greater than ${p.limit}`,
      };
    case 'maximum':
      return {
        field,
        type: 'FieldValueInvalid',
        badValue: value,
        detail: `${inBody} should be less than or equal to ${p.limit}`,
      };
    case 'exclusiveMaximum':
      return { field, type: 'FieldValueInvalid', badValue: value, detail: `${inBody} should be less than ${p.limit}` };
    case 'maxLength':
      return { field, type: 'FieldValueTooLong', detail: `may not be more than ${p.limit} bytes` };
    case 'minLength':
      return {
        field,
        type: 'FieldValueInvalid',
        badValue: value,
        detail: `${inBody} should be at least ${p.limit} chars long`,
      };
    case 'pattern':
      return { field, type: 'FieldValueInvalid', badValue: value, detail: `${inBody} should match '${p.pattern}'` };
    case 'maxItems':
    case 'maxProperties':
      return { field, type: 'FieldValueTooMany', badValue: count(value), detail: `must have at most ${p.limit} items` };
    case 'minItems':
      return {
        field,
        type: 'FieldValueInvalid',
        badValue: count(value),
        detail: `${inBody} should have at least ${p.limit} items`,
      };
    case 'minProperties':
      return {
        field,
        type: 'FieldValueInvalid',
        badValue: count(value),
        detail: `${inBody} should have at least ${p.limit} properties`,
      };
    case 'format':
      return {
        field,
        type: 'FieldValueInvalid',
        badValue: value,
        detail: `${inBody} must be of type ${p.format}: ${JSON.stringify(value)}`,
      };
    case 'multipleOf':
      return {
        field,
        type: 'FieldValueInvalid',
        badValue: value,
        detail: `${inBody} should be a multiple of ${p.multipleOf}`,
      };
    case 'uniqueItems':
      return { field, type: 'FieldValueDuplicate', badValue: value, detail: "shouldn't contain duplicates" };
    case 'anyOf':
    case 'oneOf':
    case 'allOf':
      // Their branches already reported the specific failure.
      return undefined;
    default:
      return { field, type: 'FieldValueInvalid', badValue: value, detail: e.message ?? e.keyword };
  }
}

function count(v: unknown): number {
  if (Array.isArray(v)) return v.length;
  if (v && typeof v === 'object') return Object.keys(v).length;
  return 0;
}

/** The known name nearest to a misspelt one, if it is near enough to be a plausible typo. */
export function closest(name: string, known: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Math.max(2, Math.floor(name.length / 3)) + 1;
  for (const k of known) {
    const isPrefix = name.length >= 4 && k.toLowerCase().startsWith(name.toLowerCase());
    const d = isPrefix ? 1 : editDistance(name.toLowerCase(), k.toLowerCase());
    if (d < bestDistance) [best, bestDistance] = [k, d];
  }
  return best;
}

function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) {
      cur[j] = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    prev = cur;
  }
  return prev[b.length]!;
}
