/**
 * The condition vector [y ; s_norm] the projection module takes: the identity embedding y followed by the attributes,
 * each divided by its largest absolute bound (age/100, pitch/90, yaw/90, roll/90 for the paper's).
 */
import type { ConditioningConfig } from './config.ts';

export function attributeScale(cond: ConditioningConfig): number[] {
  return cond.attributes.map((a) => Math.max(Math.abs(a.min), Math.abs(a.max)) || 1);
}

/** Raw attribute values (by name, or in config order) → s_norm. Missing names are an error, not a silent 0. */
export function normalizeAttributes(
  values: Record<string, number> | readonly number[],
  cond: ConditioningConfig,
): number[] {
  const scale = attributeScale(cond);
  return cond.attributes.map((a, i) => {
    const v = Array.isArray(values) ? values[i] : (values as Record<string, number>)[a.name];
    if (typeof v !== 'number' || !Number.isFinite(v))
      throw new RangeError(`attribute ${a.name} is missing or not a number`);
    return v / scale[i]!;
  });
}

/**
 * Packs a batch into the [B, |y| + |s|] row-major matrix the U-Net takes as `cond`.
 * y: B rows of embeddingSize; attributes: B entries (raw values).
 */
export function conditionMatrix(
  y: Float32Array,
  attributes: readonly (Record<string, number> | readonly number[])[],
  cond: ConditioningConfig,
): Float32Array {
  const e = cond.embeddingSize;
  const width = e + cond.attributes.length;
  const batch = attributes.length;
  if (y.length !== batch * e) throw new RangeError(`y has ${y.length} values, expected ${batch} × ${e}`);
  const out = new Float32Array(batch * width);
  for (let i = 0; i < batch; i++) {
    out.set(y.subarray(i * e, (i + 1) * e), i * width);
    out.set(normalizeAttributes(attributes[i]!, cond), i * width + e);
  }
  return out;
}
