/**
 * Label selectors: the query-string syntax (`app=a,tier!=b,env in (x,y),!legacy`) and metav1.LabelSelector objects
 * (matchLabels, matchExpressions), both compiled to one predicate over an object's labels.
 */

export type Labels = Record<string, string> | undefined;
export type LabelPredicate = (labels: Labels) => boolean;

export class SelectorParseError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'SelectorParseError';
  }
}

interface Requirement {
  key: string;
  op: 'in' | 'notin' | 'exists' | '!exists';
  values: string[];
}

export const matchAll: LabelPredicate = () => true;

/** Parses `labelSelector=` syntax; throws SelectorParseError on malformed input. */
export function parseLabelSelector(text: string | undefined): LabelPredicate {
  if (!text?.trim()) return matchAll;
  return compile(splitTopLevel(text).map(parseRequirement));
}

/** metav1.LabelSelector → predicate. A null selector matches nothing; an empty one matches everything. */
export function labelSelectorPredicate(selector: unknown): LabelPredicate {
  if (selector === null || selector === undefined) return () => false;
  const s = selector as {
    matchLabels?: Record<string, string>;
    matchExpressions?: { key: string; operator: string; values?: string[] }[];
  };
  const reqs: Requirement[] = Object.entries(s.matchLabels ?? {}).map(([key, v]) => ({ key, op: 'in', values: [v] }));
  for (const e of s.matchExpressions ?? []) {
    const op = { In: 'in', NotIn: 'notin', Exists: 'exists', DoesNotExist: '!exists' }[e.operator];
    if (!op) throw new SelectorParseError(`${e.operator} is not a valid label selector operator`);
    reqs.push({ key: e.key, op: op as Requirement['op'], values: e.values ?? [] });
  }
  return compile(reqs);
}

/** metav1.LabelSelector → the query-string form, e.g. for a Job's status.selector. */
export function formatLabelSelector(selector: { matchLabels?: Record<string, string> } | undefined): string {
  return Object.entries(selector?.matchLabels ?? {})
    .map(([k, v]) => `${k}=${v}`)
    .join(',');
}

function compile(reqs: Requirement[]): LabelPredicate {
  return (labels) =>
    reqs.every((r) => {
      const has = labels !== undefined && Object.hasOwn(labels, r.key);
      const v = has ? labels[r.key] : undefined;
      switch (r.op) {
        case 'exists':
          return has;
        case '!exists':
          return !has;
        case 'in':
          return has && r.values.includes(v!);
        default:
          return !has || !r.values.includes(v!);
      }
    });
}

/** Splits on commas outside parentheses. */
function splitTopLevel(text: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let cur = '';
  for (const ch of text) {
    if (ch === '(') depth++;
    if (ch === ')') depth--;
    if (ch === ',' && depth === 0) {
      parts.push(cur);
      cur = '';
    } else cur += ch;
  }
  parts.push(cur);
  return parts.map((p) => p.trim()).filter((p) => p !== '');
}

function parseRequirement(part: string): Requirement {
  const set = /^([^\s!=]+)\s+(in|notin)\s*\(([^)]*)\)$/.exec(part);
  if (set) {
    const values = set[3]!.split(',').map((v) => v.trim());
    return { key: checkKey(set[1]!), op: set[2] as 'in' | 'notin', values };
  }
  const eq = /^([^\s!=]+)\s*(==|=|!=)\s*([^\s,]*)$/.exec(part);
  if (eq) return { key: checkKey(eq[1]!), op: eq[2] === '!=' ? 'notin' : 'in', values: [eq[3]!] };
  const not = /^!\s*([^\s!=]+)$/.exec(part);
  if (not) return { key: checkKey(not[1]!), op: '!exists', values: [] };
  if (/^[^\s!=()]+$/.test(part)) return { key: checkKey(part), op: 'exists', values: [] };
  throw new SelectorParseError(`unable to parse requirement: ${part}`);
}

const KEY = /^([a-z0-9]([-a-z0-9.]*[a-z0-9])?\/)?[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/;

function checkKey(key: string): string {
  if (!KEY.test(key)) throw new SelectorParseError(`invalid label key "${key}"`);
  return key;
}
