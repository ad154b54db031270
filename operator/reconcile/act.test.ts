import { describe, expect, it } from 'vitest';
import { mergePatchFor } from './act.ts';

/** RFC 7386 applied, to check that the patch really produces `next`. */
function apply(target: unknown, patch: unknown): unknown {
  if (typeof patch !== 'object' || patch === null || Array.isArray(patch)) return patch;
  const out: Record<string, unknown> =
    typeof target === 'object' && target !== null && !Array.isArray(target) ? { ...(target as object) } : {};
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete out[k];
    else out[k] = apply(out[k], v);
  }
  return out;
}

describe('mergePatchFor', () => {
  it.each([
    {
      name: 'removes a field the new status dropped',
      prev: { phase: 'Generating', stage: 'generate' },
      next: { phase: 'Succeeded' },
    },
    {
      name: 'removes nested fields',
      prev: { quality: { eer: 0.1, identityConsistency: 0.5 } },
      next: { quality: { eer: 0.2 } },
    },
    {
      name: 'replaces lists whole',
      prev: { conditions: [{ type: 'A' }, { type: 'B' }] },
      next: { conditions: [{ type: 'B' }] },
    },
    { name: 'adds new fields', prev: {}, next: { phase: 'Pending', shards: { total: 4 } } },
  ])('$name', ({ prev, next }) => {
    expect(apply(prev, mergePatchFor(prev, next))).toEqual(next);
  });
});
