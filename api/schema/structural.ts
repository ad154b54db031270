import { compileOpenApi } from './openapi.ts';
import type { JSONSchemaProps } from './types.ts';

/**
 * Checks that a CRD schema is structural, as the API server requires before it serves a CRD (every node typed, no
 * properties beside additionalProperties, value-validation-only anyOf/allOf/oneOf, list map keys required, defaults
 * valid), plus this project's own rules that keep CEL cost bounded and `kubectl explain` useful: every field
 * described, every list with maxItems, every map with maxProperties.
 */

export interface SchemaIssue {
  path: string;
  problem: string;
}

export interface StructuralOptions {
  /** Also apply the project's own rules (descriptions, bounds). The API server's own rules always apply. */
  projectRules?: boolean;
}

export function checkStructural(root: JSONSchemaProps, options: StructuralOptions = {}): SchemaIssue[] {
  const issues: SchemaIssue[] = [];
  visit(root, '', true, issues, options.projectRules ?? false);
  return issues;
}

function visit(s: JSONSchemaProps, path: string, isField: boolean, issues: SchemaIssue[], project: boolean): void {
  const at = path || '<root>';
  const add = (problem: string) => issues.push({ path: at, problem });
  const exempt = s['x-kubernetes-int-or-string'] === true || s['x-kubernetes-preserve-unknown-fields'] === true;
  if (!s.type && !exempt) add('must have a type');
  if (s.properties && s.additionalProperties !== undefined)
    add('must not have both properties and additionalProperties');
  if (s['x-kubernetes-int-or-string'] && s.type) add('x-kubernetes-int-or-string must not be combined with a type');
  for (const k of ['anyOf', 'allOf', 'oneOf'] as const) {
    for (const branch of s[k] ?? [])
      checkValueOnly(branch, `${at}.${k}`, issues, s['x-kubernetes-int-or-string'] === true);
  }
  if (s.not) checkValueOnly(s.not, `${at}.not`, issues, false);
  checkListType(s, add);
  if (s.default !== undefined) {
    for (const e of compileOpenApi(s).validate(s.default))
      add(`default is invalid: ${e.field || 'value'} ${e.detail || e.type}`);
  }
  if (project) projectRules(s, path, isField, add);
  for (const [k, child] of Object.entries(s.properties ?? {}))
    visit(child, path ? `${path}.${k}` : k, true, issues, project);
  if (s.items) visit(s.items, `${path}[*]`, false, issues, project);
  if (typeof s.additionalProperties === 'object') visit(s.additionalProperties, `${path}[*]`, false, issues, project);
}

function checkValueOnly(s: JSONSchemaProps, at: string, issues: SchemaIssue[], intOrString: boolean): void {
  const forbidden = [
    'description',
    'default',
    'additionalProperties',
    'nullable',
    'x-kubernetes-preserve-unknown-fields',
  ] as const;
  for (const k of forbidden) {
    if (s[k] !== undefined) issues.push({ path: at, problem: `${k} is not allowed inside anyOf/allOf/oneOf/not` });
  }
  if (s.type && !intOrString) issues.push({ path: at, problem: 'type is not allowed inside anyOf/allOf/oneOf/not' });
}

function checkListType(s: JSONSchemaProps, add: (p: string) => void): void {
  const listType = s['x-kubernetes-list-type'];
  if (listType && s.type !== 'array') add('x-kubernetes-list-type is only for arrays');
  if (listType !== 'map') return;
  const keys = s['x-kubernetes-list-map-keys'] ?? [];
  if (keys.length === 0) add('x-kubernetes-list-type map needs x-kubernetes-list-map-keys');
  for (const key of keys) {
    const keySchema = s.items?.properties?.[key];
    if (!keySchema) add(`list map key ${key} is not a property of the items`);
    else if (!s.items?.required?.includes(key) && keySchema.default === undefined)
      add(`list map key ${key} must be required or defaulted`);
  }
}

function projectRules(s: JSONSchemaProps, path: string, isField: boolean, add: (p: string) => void): void {
  const isRootMeta = path === 'metadata' || path === '';
  if (isField && !isRootMeta && !s.description) add('needs a description (kubectl explain shows it)');
  if (s.type === 'array' && s.maxItems === undefined) add('lists need maxItems (bounds CEL cost and status size)');
  if (s.type === 'object' && typeof s.additionalProperties === 'object' && s.maxProperties === undefined) {
    add('maps need maxProperties');
  }
}
