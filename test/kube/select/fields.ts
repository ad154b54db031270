/**
 * Field selectors (`metadata.name=x,status.phase!=Running`): each resource declares which fields it can be selected
 * by, as the API server does, and an unsupported field is a 400.
 */
import { SelectorParseError } from './labels.ts';

export type FieldValues = Record<string, string | undefined>;
export type FieldPredicate = (fields: FieldValues) => boolean;

interface FieldRequirement {
  field: string;
  equal: boolean;
  value: string;
}

/** Parses `fieldSelector=`; `supported` lists the selectable fields (metadata.name and metadata.namespace always). */
export function parseFieldSelector(text: string | undefined, supported: readonly string[]): FieldPredicate {
  if (!text?.trim()) return () => true;
  const reqs = text.split(',').map((part) => parseFieldRequirement(part.trim()));
  for (const r of reqs) {
    if (!['metadata.name', 'metadata.namespace', ...supported].includes(r.field)) {
      throw new SelectorParseError(`field label not supported: ${r.field}`);
    }
  }
  return (fields) => reqs.every((r) => ((fields[r.field] ?? '') === r.value) === r.equal);
}

function parseFieldRequirement(part: string): FieldRequirement {
  const m = /^([^=!]+?)\s*(==|=|!=)\s*(.*)$/.exec(part);
  if (!m) throw new SelectorParseError(`invalid selector: '${part}'; can't understand '${part}'`);
  return { field: m[1]!.trim(), equal: m[2] !== '!=', value: unescapeValue(m[3]!.trim()) };
}

function unescapeValue(v: string): string {
  return v.replace(/\\(.)/g, '$1');
}
