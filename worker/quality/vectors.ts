/** Row-major embedding matrices ([n × d] in one Float32Array) and the few operations the measures need. */

export interface Embeddings {
  n: number;
  d: number;
  data: Float32Array;
}

export class EmbeddingShapeError extends Error {
  override readonly name = 'EmbeddingShapeError';
}

export function embeddings(data: Float32Array, d: number): Embeddings {
  if (d <= 0 || data.length % d !== 0) throw new EmbeddingShapeError(`length ${data.length} is not a multiple of ${d}`);
  return { n: data.length / d, d, data };
}

export function dotRows(x: Embeddings, i: number, y: Embeddings, j: number): number {
  let s = 0;
  const a = i * x.d;
  const b = j * y.d;
  for (let k = 0; k < x.d; k++) s += x.data[a + k]! * y.data[b + k]!;
  return s;
}

/** Cosine similarity of row i of x and row j of y. */
export function cosineRows(x: Embeddings, i: number, y: Embeddings, j: number): number {
  const n = Math.sqrt(dotRows(x, i, x, i) * dotRows(y, j, y, j));
  return n > 0 ? dotRows(x, i, y, j) / n : 0;
}

/** A copy with every row scaled to unit length (zero rows stay zero). */
export function unitRows(x: Embeddings): Embeddings {
  const out = new Float32Array(x.data.length);
  for (let i = 0; i < x.n; i++) {
    const norm = Math.sqrt(dotRows(x, i, x, i));
    if (norm === 0) continue;
    for (let k = 0; k < x.d; k++) out[i * x.d + k] = x.data[i * x.d + k]! / norm;
  }
  return { n: x.n, d: x.d, data: out };
}

/** Unit-length mean of the unit rows of each group, in the order of `groups`. */
export function centroids(x: Embeddings, groups: number[][]): Embeddings {
  const unit = unitRows(x);
  const out = new Float32Array(groups.length * x.d);
  groups.forEach((rows, g) => {
    for (const i of rows) for (let k = 0; k < x.d; k++) out[g * x.d + k]! += unit.data[i * x.d + k]!;
  });
  return unitRows({ n: groups.length, d: x.d, data: out });
}
