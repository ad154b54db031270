import { isDeepStrictEqual } from 'node:util';
import { Environment } from '@marcbachmann/cel-js';
import type { JSONSchemaProps, ValidationRule } from './types.ts';

/**
 * CEL for x-kubernetes-validations, typed from the schema as the API server types it: object → a declared type per
 * schema node (so a misspelt field fails to compile), integer → int, number → double, maps → map<string, V>,
 * int-or-string and preserve-unknown-fields → dyn. `self` is the node's value; `oldSelf` the previous value on
 * updates (transition rules are skipped on create). The evaluator is @marcbachmann/cel-js; the rules are the CRD's own.
 */

type CelType = string;
type Ctor = new (init: Record<string, unknown>) => object;

export interface CompiledRule {
  readonly rule: ValidationRule;
  /** References oldSelf: only evaluated on update, when an old value exists. */
  readonly isTransition: boolean;
  evaluate(self: unknown, oldSelf: unknown): boolean;
  /** The failure message: messageExpression's result, else message, else the API server's default. */
  message(self: unknown, oldSelf: unknown): string;
}

export interface RuleCompileError {
  schemaPath: string;
  rule: string;
  error: string;
}

interface TypeInfo {
  name: string;
  ctor: Ctor;
  fields: Record<string, JSONSchemaProps>;
}

/** The metadata fields the API server exposes to CEL at the root of a custom resource. */
const ROOT_METADATA: JSONSchemaProps = {
  type: 'object',
  properties: { name: { type: 'string' }, generateName: { type: 'string' } },
};

export class CelSchema {
  private readonly types = new Map<JSONSchemaProps, TypeInfo>();
  private readonly base: Environment;
  private counter = 0;

  constructor(
    private readonly root: JSONSchemaProps,
    rootIsResource: boolean,
  ) {
    const env = new Environment({ enableOptionalTypes: true, homogeneousAggregateLiterals: false });
    const effectiveRoot = rootIsResource ? withRootMetadata(root) : root;
    this.root = effectiveRoot;
    this.declare(effectiveRoot, 'self', env);
    this.base = env;
  }

  get rootSchema(): JSONSchemaProps {
    return this.root;
  }

  /** Compiles (type-checks) the rules of one node. */
  compile(node: JSONSchemaProps, schemaPath: string): { rules: CompiledRule[]; errors: RuleCompileError[] } {
    const type = this.typeOf(node);
    const env = this.base.clone().registerVariable('self', type).registerVariable('oldSelf', type);
    const rules: CompiledRule[] = [];
    const errors: RuleCompileError[] = [];
    for (const rule of node['x-kubernetes-validations'] ?? []) {
      const checked = env.check(rule.rule);
      if (!checked.valid || checked.type !== 'bool') {
        const why = checked.valid ? `must evaluate to bool, not ${checked.type}` : firstLine(checked.error?.message);
        errors.push({ schemaPath, rule: rule.rule, error: why });
        continue;
      }
      if (rule.messageExpression) {
        const m = env.check(rule.messageExpression);
        if (!m.valid || m.type !== 'string') {
          errors.push({ schemaPath, rule: rule.messageExpression, error: 'messageExpression must evaluate to string' });
          continue;
        }
      }
      rules.push(this.compiledRule(env, rule, node));
    }
    return { rules, errors };
  }

  private compiledRule(env: Environment, rule: ValidationRule, node: JSONSchemaProps): CompiledRule {
    const program = env.parse(rule.rule);
    const messageProgram = rule.messageExpression ? env.parse(rule.messageExpression) : undefined;
    const ctx = (self: unknown, oldSelf: unknown) => ({
      self: this.toCel(node, self),
      oldSelf: oldSelf === undefined ? undefined : this.toCel(node, oldSelf),
    });
    return {
      rule,
      isTransition: /\boldSelf\b/.test(rule.rule),
      evaluate: (self, oldSelf) => program(ctx(self, oldSelf)) === true,
      message: (self, oldSelf) => {
        if (messageProgram) {
          const m = messageProgram(ctx(self, oldSelf));
          if (typeof m === 'string' && m.trim() !== '') return m;
        }
        return rule.message ?? `failed rule: ${rule.rule}`;
      },
    };
  }

  /** The CEL type of a schema node, declaring object types on first sight. */
  typeOf(node: JSONSchemaProps): CelType {
    if (node['x-kubernetes-int-or-string']) return 'dyn';
    switch (node.type) {
      case 'string':
        return 'string';
      case 'integer':
        return 'int';
      case 'number':
        return 'double';
      case 'boolean':
        return 'bool';
      case 'array':
        return node.items ? `list<${this.typeOf(node.items)}>` : 'list<dyn>';
      case 'object': {
        const info = this.types.get(node);
        if (info) return info.name;
        if (typeof node.additionalProperties === 'object')
          return `map<string, ${this.typeOf(node.additionalProperties)}>`;
        return 'dyn';
      }
      default:
        return 'dyn';
    }
  }

  private declare(node: JSONSchemaProps, path: string, env: Environment): void {
    if (node.properties && !node['x-kubernetes-preserve-unknown-fields']) {
      // Children first, so that a field's type name exists when the parent refers to it.
      for (const [k, child] of Object.entries(node.properties)) this.declare(child, `${path}_${k}`, env);
      const name = `T${this.counter++}_${path.replace(/[^A-Za-z0-9_]/g, '_')}`;
      const ctor = namedClass(name);
      this.types.set(node, { name, ctor, fields: node.properties });
      const fields = Object.fromEntries(Object.entries(node.properties).map(([k, c]) => [k, this.typeOf(c)]));
      env.registerType(name, { ctor, fields });
      env.registerOperator(`${name} == ${name}`, (a: unknown, b: unknown) => isDeepStrictEqual(a, b));
      return;
    }
    if (node.items) this.declare(node.items, `${path}_item`, env);
    if (typeof node.additionalProperties === 'object') this.declare(node.additionalProperties, `${path}_value`, env);
  }

  /** JSON value → CEL runtime value, guided by the schema (integers become int, objects their declared type). */
  toCel(node: JSONSchemaProps, value: unknown): unknown {
    if (value === null || value === undefined) return value;
    if (node['x-kubernetes-int-or-string']) return jsonToDyn(value);
    switch (node.type) {
      case 'integer':
        return typeof value === 'number' && Number.isInteger(value) ? BigInt(value) : value;
      case 'number':
        return value;
      case 'array':
        return Array.isArray(value) && node.items
          ? value.map((v) => this.toCel(node.items as JSONSchemaProps, v))
          : value;
      case 'object':
        return this.objectToCel(node, value);
      default:
        return node.type ? value : jsonToDyn(value);
    }
  }

  private objectToCel(node: JSONSchemaProps, value: unknown): unknown {
    if (typeof value !== 'object' || Array.isArray(value)) return value;
    const obj = value as Record<string, unknown>;
    const info = this.types.get(node);
    if (info) {
      const init: Record<string, unknown> = {};
      for (const [k, child] of Object.entries(info.fields)) {
        if (obj[k] !== undefined) init[k] = this.toCel(child, obj[k]);
      }
      return new info.ctor(init);
    }
    if (typeof node.additionalProperties === 'object') {
      const child = node.additionalProperties;
      return new Map(Object.entries(obj).map(([k, v]) => [k, this.toCel(child, v)]));
    }
    return jsonToDyn(value);
  }
}

function withRootMetadata(root: JSONSchemaProps): JSONSchemaProps {
  return { ...root, properties: { ...root.properties, metadata: ROOT_METADATA } };
}

function namedClass(name: string): Ctor {
  const ctor = class {
    constructor(init: Record<string, unknown>) {
      Object.assign(this, init);
    }
  };
  Object.defineProperty(ctor, 'name', { value: name });
  return ctor;
}

/** Untyped JSON the way the API server decodes it: integral numbers are int, objects are maps. */
function jsonToDyn(value: unknown): unknown {
  if (typeof value === 'number') return Number.isInteger(value) ? BigInt(value) : value;
  if (Array.isArray(value)) return value.map(jsonToDyn);
  if (value && typeof value === 'object') {
    return new Map(Object.entries(value).map(([k, v]) => [k, jsonToDyn(v)]));
  }
  return value;
}

function firstLine(s: string | undefined): string {
  return (s ?? 'does not compile').split('\n')[0] ?? '';
}
