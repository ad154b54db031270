/**
 * Algorithm 3, step 3: the attributes s of each image, drawn afresh for every image from stream
 * (seed, identity, image, attributes): either a row of the empirical pool (the generator's training set, stored with
 * its checkpoint) or, per attribute, a uniform value in its configured range. Values are raw (years, degrees); the
 * model normalises them.
 */
import type { AttributeRange } from '../../api/index.ts';
import { PermanentInputError } from '../../api/index.ts';
import { PURPOSE, uniforms } from '../../random/index.ts';

export interface AttributePool {
  names: string[];
  /** Row-major [count × names.length]. */
  values: Float32Array;
}

export type AttributeSource = { kind: 'pool'; pool: AttributePool } | { kind: 'ranges'; ranges: AttributeRange[] };

export class AttributeSourceError extends PermanentInputError {
  override readonly name = 'AttributeSourceError';
}

/** Checks that the source provides every attribute the model is conditioned on. */
export function checkAttributeSource(source: AttributeSource, names: readonly string[]): void {
  const have = source.kind === 'pool' ? source.pool.names : source.ranges.map((r) => r.name);
  const missing = names.filter((n) => !have.includes(n));
  if (missing.length > 0) {
    throw new AttributeSourceError(
      `attribute ${source.kind} lacks ${missing.join(', ')} (has ${have.join(', ') || 'none'})`,
    );
  }
  if (source.kind === 'pool' && source.pool.values.length === 0)
    throw new AttributeSourceError('attribute pool is empty');
}

/** The attributes of one image, by name, in the order of `names`. */
export function drawAttributes(
  source: AttributeSource,
  names: readonly string[],
  key: { seed: number; identity: number; image: number },
): Record<string, number> {
  const stream = { seed: key.seed, a: key.identity, b: key.image, purpose: PURPOSE.attributes };
  const out: Record<string, number> = {};
  if (source.kind === 'pool') {
    const width = source.pool.names.length;
    const rows = source.pool.values.length / width;
    const row = Math.min(rows - 1, Math.floor(uniforms(stream, 1)[0]! * rows));
    for (const name of names) out[name] = source.pool.values[row * width + source.pool.names.indexOf(name)]!;
    return out;
  }
  const u = uniforms(stream, names.length);
  names.forEach((name, k) => {
    const r = source.ranges.find((x) => x.name === name)!;
    out[name] = r.min + (r.max - r.min) * u[k]!;
  });
  return out;
}
