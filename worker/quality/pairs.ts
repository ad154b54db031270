import { PermanentInputError } from '../../api/index.ts';
import { uniforms } from '../../random/index.ts';
/**
 * Genuine (same identity) and impostor (different identities) pairs drawn from a labelled set, deterministically from
 * a seed: the same set and seed always give the same pairs, so two reports of one dataset agree.
 */

export interface Pairs {
  a: Int32Array;
  b: Int32Array;
  /** 1 for a genuine pair, 0 for an impostor pair. */
  same: Uint8Array;
}

/** Stream tag of pair draws under the planner's counter-based generator (distinct from its dataset purposes). */
const PAIR_STREAM = 0x9a17;

export class PairSamplingError extends PermanentInputError {
  override readonly name = 'PairSamplingError';
}

/**
 * `count` genuine pairs followed by `count` impostor pairs, interleaved (g, i, g, i, …) so any contiguous fold holds
 * both kinds equally. Genuine pairs need an identity with two or more items; impostor pairs need two identities.
 */
export function samplePairs(labels: ArrayLike<number>, count: number, seed: number): Pairs {
  const byLabel = groupByLabel(labels);
  const multi = [...byLabel.values()].filter((items) => items.length >= 2);
  if (multi.length === 0) throw new PairSamplingError('no identity has two items: no genuine pair exists');
  if (byLabel.size < 2) throw new PairSamplingError('only one identity: no impostor pair exists');
  const n = labels.length;
  const u = uniforms({ seed, a: count, b: n, purpose: PAIR_STREAM }, count * 6);
  const pick = (x: number, m: number): number => Math.min(Math.floor(x * m), m - 1);
  const out: Pairs = { a: new Int32Array(2 * count), b: new Int32Array(2 * count), same: new Uint8Array(2 * count) };
  for (let k = 0; k < count; k++) {
    const items = multi[pick(u[6 * k]!, multi.length)]!;
    const i = pick(u[6 * k + 1]!, items.length);
    const j = (i + 1 + pick(u[6 * k + 2]!, items.length - 1)) % items.length;
    out.a[2 * k] = items[i]!;
    out.b[2 * k] = items[j]!;
    out.same[2 * k] = 1;
    // An impostor pair: redraw the second item's index until the labels differ (expected draws ≈ 1 for many ids).
    const x = pick(u[6 * k + 3]!, n);
    let y = pick(u[6 * k + 4]!, n);
    for (let step = 0; labels[y] === labels[x]; step++) y = (y + 1 + Math.floor(u[6 * k + 5]! * 7919 + step)) % n;
    out.a[2 * k + 1] = x;
    out.b[2 * k + 1] = y;
  }
  return out;
}

export function groupByLabel(labels: ArrayLike<number>): Map<number, number[]> {
  const byLabel = new Map<number, number[]>();
  for (let i = 0; i < labels.length; i++) {
    const l = labels[i]!;
    const items = byLabel.get(l);
    if (items) items.push(i);
    else byLabel.set(l, [i]);
  }
  return byLabel;
}
