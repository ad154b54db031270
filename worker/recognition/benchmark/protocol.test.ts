import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { python } from '../../../test/fixtures/benchmark/helpers.ts';
import { ProtocolInputError } from './errors.ts';
import {
  evaluateEmbeddings,
  insightfaceProtocol,
  kFoldRanges,
  type PairEmbeddings,
  thresholdGrid,
  type VerificationMetrics,
} from './protocol.ts';

const dir = mkdtempSync(join(tmpdir(), 'protocol-test-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A seeded standard normal (xorshift32 + Box–Muller): test data only needs to be varied and repeatable. */
function normal(seed: number): () => number {
  let s = seed >>> 0 || 1;
  const uniform = () => {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    return ((s >>> 0) + 0.5) / 2 ** 32;
  };
  return () => Math.sqrt(-2 * Math.log(uniform())) * Math.cos(2 * Math.PI * uniform());
}

type Kind = 'random' | 'impostor-opposite' | 'one-impostor-near';

/**
 * 2n rows of `dim`: a same pair is a vector and a noisy copy; a different pair two draws, or (kinds used to reach the
 * protocol's corner cases) the vector and its opposite, which no threshold below 4 accepts.
 */
function makeCase(n: number, dim: number, seed: number, kind: Kind, flip: boolean) {
  const randn = normal(seed);
  const same = Array.from({ length: n }, (_, k) => (kind === 'random' ? randn() > 0 : k % 2 === 0));
  const rows = new Float32Array(2 * n * dim);
  for (let k = 0; k < n; k++) {
    const opposite = kind === 'impostor-opposite' || (kind === 'one-impostor-near' && k % 2000 !== 1);
    for (let j = 0; j < dim; j++) {
      const a = randn();
      rows[2 * k * dim + j] = a;
      rows[(2 * k + 1) * dim + j] = same[k] ? a + 0.9 * randn() : opposite ? -a : randn();
    }
  }
  const flipped = flip ? rows.map((v) => 1.3 * v + 0.2 * randn()) : undefined;
  return { embeddings: { rows, dim, flipped } satisfies PairEmbeddings, same };
}

interface Reference extends Omit<VerificationMetrics, 'roc' | 'pairs'> {
  roc: { tpr: number[]; fpr: number[] };
  grids: { roc: number[]; val: number[] };
  xnorm: number;
}

function reference(name: string, embeddings: PairEmbeddings, same: boolean[], folds: number): Reference {
  const file = (suffix: string) => join(dir, `${name}.${suffix}`);
  writeFileSync(file('emb'), embeddings.rows as Float32Array);
  writeFileSync(file('same'), Uint8Array.from(same, Number));
  const args = [file('emb'), file('same'), String(embeddings.dim), String(folds)];
  if (embeddings.flipped) {
    writeFileSync(file('flip'), embeddings.flipped as Float32Array);
    args.push(file('flip'));
  }
  return JSON.parse(python('insightface_eval.py', args));
}

const close = (a: number, b: number, tol: number) => Math.abs(a - b) <= tol;

describe('the protocol against an independent numpy implementation of insightface', () => {
  it.each([
    { name: 'LFW-sized, flipped', n: 6000, dim: 32, kind: 'random' as Kind, flip: true, folds: 10 },
    { name: 'uneven folds, unflipped', n: 613, dim: 8, kind: 'random' as Kind, flip: false, folds: 10 },
    { name: 'FAR never reached', n: 600, dim: 16, kind: 'impostor-opposite' as Kind, flip: false, folds: 10 },
    { name: 'FAR hit exactly at its top', n: 4000, dim: 16, kind: 'one-impostor-near' as Kind, flip: false, folds: 2 },
  ])('$name', ({ name, n, dim, kind, flip, folds }) => {
    const { embeddings, same } = makeCase(n, dim, n + dim, kind, flip);
    const ours = evaluateEmbeddings(embeddings, same, { ...insightfaceProtocol(), folds });
    const want = reference(name.replace(/\W+/g, '-'), embeddings, same, folds);

    // Counted quantities and grid thresholds are exact; interpolated thresholds follow scipy's arithmetic exactly.
    expect(ours.folds).toEqual(want.folds);
    expect(close(ours.accuracy.mean, want.accuracy.mean, 1e-12)).toBe(true);
    expect(close(ours.accuracy.std, want.accuracy.std, 1e-12)).toBe(true);
    for (const key of ['tar', 'std', 'far'] as const)
      expect(close(ours.tarAtFar[key], want.tarAtFar[key], 1e-12), key).toBe(true);
    expect(ours.roc.tpr.every((v, t) => close(v, want.roc.tpr[t]!, 1e-12))).toBe(true);
    expect(ours.roc.fpr.every((v, t) => close(v, want.roc.fpr[t]!, 1e-12))).toBe(true);
    expect(close(ours.xnorm, want.xnorm, 1e-9 * want.xnorm)).toBe(true);

    // Each case reaches the corner it is named for.
    const reached = ours.folds.filter((f) => f.farReached);
    if (kind === 'random') {
      expect(reached.length).toBe(folds);
      expect(reached.some((f) => !thresholdGrid(0.001).includes(f.valThreshold))).toBe(true);
    }
    if (kind === 'impostor-opposite') expect(ours.tarAtFar).toMatchObject({ tar: 0, far: 0, std: 0 });
    if (kind === 'one-impostor-near') {
      // Training FAR peaks at exactly 1/1000 = the target: scipy ≤ 1.8 lands on an empty knot interval and returns 0.
      expect(reached.length).toBe(folds);
      expect(ours.folds.map((f) => f.valThreshold)).toEqual([0, 0]);
    }
  });

  it("uses numpy's threshold grids", () => {
    const want = reference(
      'grid',
      makeCase(20, 2, 1, 'random', false).embeddings,
      Array.from({ length: 20 }, (_, k) => k % 2 === 0),
      2,
    );
    expect(Array.from(thresholdGrid(0.01))).toEqual(want.grids.roc);
    expect(Array.from(thresholdGrid(0.001))).toEqual(want.grids.val);
  });
});

describe('protocol pieces', () => {
  it.each([
    { n: 10, folds: 10, want: Array.from({ length: 10 }, (_, k) => [k, k + 1]) },
    {
      n: 13,
      folds: 5,
      want: [
        [0, 3],
        [3, 6],
        [6, 9],
        [9, 11],
        [11, 13],
      ],
    },
    { n: 4, folds: 1, want: [[0, 4]] },
  ])("kFoldRanges($n, $folds) is sklearn's unshuffled KFold", ({ n, folds, want }) => {
    expect(kFoldRanges(n, folds)).toEqual(want);
  });

  it('identical same pairs and opposite different pairs: every fold right, and no FAR to interpolate', () => {
    const rows = Float32Array.from({ length: 40 }, (_, k) => {
      const [pair, side] = [k >> 1, k & 1];
      return pair % 2 === 0 || side === 0 ? pair + 1 : -(pair + 1);
    });
    const metrics = evaluateEmbeddings(
      { rows, dim: 1 },
      Array.from({ length: 20 }, (_, k) => k % 2 === 0),
    );
    expect(metrics.accuracy).toEqual({ mean: 1, std: 0 });
    expect(metrics.folds.map((f) => f.threshold)).toEqual(Array(10).fill(0.01));
    expect(metrics.tarAtFar).toEqual({ farTarget: 1e-3, tar: 0, std: 0, far: 0 });
  });

  it.each([
    {
      name: 'row count',
      embeddings: { rows: new Float32Array(12), dim: 3 },
      same: [true],
      want: /4 embeddings for 1 pairs/,
    },
    {
      name: 'ragged rows',
      embeddings: { rows: new Float32Array(7), dim: 2 },
      same: [true],
      want: /7 values are not rows of 2/,
    },
    {
      name: 'flipped length',
      embeddings: { rows: new Float32Array(4), dim: 1, flipped: new Float32Array(2) },
      same: [true, false],
      want: /2 flipped values for 4 values/,
    },
    {
      name: 'too few pairs',
      embeddings: { rows: new Float32Array(4), dim: 1 },
      same: [true, false],
      want: /2 pairs into 10/,
    },
    {
      name: 'a fold of one class',
      embeddings: { rows: new Float32Array(40), dim: 1 },
      same: [...Array(10).fill(true), ...Array(10).fill(false)],
      want: /fold 0 \(pairs 0–1\) lacks same or different pairs/,
    },
  ])('refuses $name', ({ embeddings, same, want }) => {
    expect(() => evaluateEmbeddings(embeddings, same)).toThrow(ProtocolInputError);
    expect(() => evaluateEmbeddings(embeddings, same)).toThrow(want);
  });
});
