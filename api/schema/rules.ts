import { type FieldError, joinPath } from '../field-errors.ts';
import type { CelSchema, CompiledRule, RuleCompileError } from './cel.ts';
import { isPlainObject } from './defaults.ts';
import type { JSONSchemaProps } from './types.ts';

/**
 * The checks the API server runs beyond OpenAPI value validation: x-kubernetes-validations (CEL) at every node, and
 * uniqueness of x-kubernetes-list-type set and map lists. Rules are compiled once; evaluation walks value and
 * schema together, correlating the old value for transition rules the way the API server does (object fields,
 * map values and list-type=map items by key).
 */
export class RuleEvaluator {
  private readonly compiled = new Map<JSONSchemaProps, CompiledRule[]>();
  readonly compileErrors: RuleCompileError[] = [];

  constructor(private readonly cel: CelSchema) {
    this.compileTree(cel.rootSchema, '');
  }

  private compileTree(node: JSONSchemaProps, path: string): void {
    if (node['x-kubernetes-validations']?.length && !this.compiled.has(node)) {
      const { rules, errors } = this.cel.compile(node, path || '<root>');
      this.compiled.set(node, rules);
      this.compileErrors.push(...errors);
    }
    for (const [k, child] of Object.entries(node.properties ?? {})) this.compileTree(child, joinPath(path, k));
    if (node.items) this.compileTree(node.items, `${path}[*]`);
    if (typeof node.additionalProperties === 'object') this.compileTree(node.additionalProperties, `${path}[*]`);
  }

  /**
   * Field errors of `value` (and against `old` on update). `unsafe` lists paths whose value has the wrong type or
   * lacks a required field: rules at those nodes and their ancestors are not evaluated, as their inputs are broken.
   */
  evaluate(value: unknown, old: unknown, unsafe: readonly string[]): FieldError[] {
    const errors: FieldError[] = [];
    this.walk(this.cel.rootSchema, value, old, '', unsafe, errors);
    return errors;
  }

  private walk(
    node: JSONSchemaProps,
    value: unknown,
    old: unknown,
    path: string,
    unsafe: readonly string[],
    out: FieldError[],
  ): void {
    if (value === undefined || value === null) return;
    if (Array.isArray(value)) {
      out.push(...duplicates(node, value, path));
      if (node.items) {
        const oldItems = listTypeMapOld(node, value, old);
        for (const [i, item] of value.entries()) {
          this.walk(node.items, item, oldItems[i], joinPath(path, i), unsafe, out);
        }
      }
    } else if (isPlainObject(value)) {
      const oldObj = isPlainObject(old) ? old : undefined;
      for (const [k, child] of Object.entries(node.properties ?? {})) {
        this.walk(child, value[k], oldObj?.[k], joinPath(path, k), unsafe, out);
      }
      if (typeof node.additionalProperties === 'object') {
        for (const [k, v] of Object.entries(value)) {
          this.walk(node.additionalProperties, v, oldObj?.[k], joinPath(path, k), unsafe, out);
        }
      }
    }
    if (!unsafe.some((p) => isWithin(p, path))) this.check(node, value, old, path, out);
  }

  private check(node: JSONSchemaProps, value: unknown, old: unknown, path: string, out: FieldError[]): void {
    for (const r of this.compiled.get(node) ?? []) {
      if (r.isTransition && (old === undefined || old === null)) continue;
      const field = r.rule.fieldPath ? path + r.rule.fieldPath : path;
      const type = r.rule.reason ?? 'FieldValueInvalid';
      const badValue = type === 'FieldValueInvalid' ? (node.type ?? 'object') : undefined;
      try {
        if (!r.evaluate(value, old)) out.push({ field, type, badValue, detail: r.message(value, old) });
      } catch (err) {
        const why = (err instanceof Error ? err.message : String(err)).split('\n')[0];
        out.push({
          field,
          type: 'FieldValueInvalid',
          badValue,
          detail: `rule ${JSON.stringify(r.rule.rule)} could not be evaluated: ${why}`,
        });
      }
    }
  }
}

function isWithin(errorPath: string, nodePath: string): boolean {
  if (nodePath === '') return true;
  return errorPath === nodePath || errorPath.startsWith(`${nodePath}.`) || errorPath.startsWith(`${nodePath}[`);
}

function mapKey(node: JSONSchemaProps, item: unknown): string | undefined {
  const keys = node['x-kubernetes-list-map-keys'];
  if (node['x-kubernetes-list-type'] !== 'map' || !keys || !isPlainObject(item)) return undefined;
  return JSON.stringify(keys.map((k) => item[k]));
}

/** For list-type=map, the old item with the same keys (the API server correlates those, and no other lists). */
function listTypeMapOld(node: JSONSchemaProps, value: unknown[], old: unknown): unknown[] {
  if (!Array.isArray(old) || node['x-kubernetes-list-type'] !== 'map') return [];
  const byKey = new Map(old.map((o) => [mapKey(node, o), o]));
  return value.map((v) => byKey.get(mapKey(node, v)));
}

function duplicates(node: JSONSchemaProps, value: unknown[], path: string): FieldError[] {
  const listType = node['x-kubernetes-list-type'];
  if (listType !== 'set' && listType !== 'map') return [];
  const seen = new Set<string>();
  const errors: FieldError[] = [];
  value.forEach((item, i) => {
    const key = listType === 'map' ? mapKey(node, item) : JSON.stringify(item);
    if (key === undefined) return;
    if (seen.has(key))
      errors.push({
        field: joinPath(path, i),
        type: 'FieldValueDuplicate',
        badValue: listType === 'map' ? JSON.parse(key) : item,
        detail: '',
      });
    seen.add(key);
  });
  return errors;
}
