/**
 * The JSONPath subset that CRD printer columns use: `.a.b`, `.a[0]`, `.a['k.x']`, `.a[*].b` and simple filters
 * `.a[?(@.type=="Ready")].status`. Returns every match, as the API server's evaluator does.
 */
import { isPlainObject } from '../core/index.ts';

type Step = { kind: 'key'; key: string } | { kind: 'index'; index: number } | { kind: 'all' } | Filter;
interface Filter {
  kind: 'filter';
  path: string[];
  value: string;
}

export class JsonPathError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'JsonPathError';
  }
}

export function compileJsonPath(path: string): (obj: unknown) => unknown[] {
  const steps = parse(path.replace(/^\{(.*)\}$/, '$1').replace(/^\$/, ''));
  return (obj) => steps.reduce<unknown[]>((nodes, step) => nodes.flatMap((n) => apply(step, n)), [obj]);
}

function apply(step: Step, node: unknown): unknown[] {
  switch (step.kind) {
    case 'key':
      return isPlainObject(node) && node[step.key] !== undefined ? [node[step.key]] : [];
    case 'index': {
      if (!Array.isArray(node)) return [];
      const i = step.index < 0 ? node.length + step.index : step.index;
      return i >= 0 && i < node.length ? [node[i]] : [];
    }
    case 'all':
      return Array.isArray(node) ? node : isPlainObject(node) ? Object.values(node) : [];
    case 'filter':
      return Array.isArray(node) ? node.filter((item) => String(walk(item, step.path)) === step.value) : [];
  }
}

function walk(node: unknown, path: string[]): unknown {
  return path.reduce<unknown>((n, k) => (isPlainObject(n) ? n[k] : undefined), node);
}

const TOKEN =
  /^\.([A-Za-z0-9_$/-]+)|^\[(\d+|-\d+)\]|^\[\*\]|^\.\*|^\[['"]([^'"]+)['"]\]|^\[\?\(@\.([\w.]+)\s*==\s*['"]?([^'")]*)['"]?\)\]/;

function parse(path: string): Step[] {
  const steps: Step[] = [];
  let rest = path;
  while (rest.length > 0) {
    const m = TOKEN.exec(rest);
    if (!m) throw new JsonPathError(`unsupported JSONPath at "${rest}" in "${path}"`);
    if (m[1] !== undefined) steps.push({ kind: 'key', key: m[1] });
    else if (m[2] !== undefined) steps.push({ kind: 'index', index: Number(m[2]) });
    else if (m[3] !== undefined) steps.push({ kind: 'key', key: m[3] });
    else if (m[4] !== undefined) steps.push({ kind: 'filter', path: m[4].split('.'), value: m[5] ?? '' });
    else steps.push({ kind: 'all' });
    rest = rest.slice(m[0].length);
  }
  return steps;
}
