/**
 * A benchmark run: decode a verification set's images in batches, embed them (and their mirror images) with the
 * caller's function, and score the pairs by the protocol. The embedding step is a parameter, so this folder needs no
 * network: the caller wraps its model (insightface feeds `(x − 0.5) / 0.5`, i.e. [−1, 1]; map the [0, 1] pixels as
 * the model wants).
 */
import { ProtocolInputError } from './errors.ts';
import { decodeBatch, type ImageBatch, mirror } from './images.ts';
import { evaluateEmbeddings, insightfaceProtocol, type ProtocolOptions, type VerificationMetrics } from './protocol.ts';
import type { VerificationSet } from './set.ts';

/** Embeds a batch: returns count rows of one fixed length, in the batch's order. Raw (unnormalised) rows are fine. */
export type EmbedImages = (batch: ImageBatch) => Float32Array | Promise<Float32Array>;

export interface BenchmarkOptions {
  /** Side of the square images the embedder takes (insightface: 112). */
  size: number;
  /** Add the mirror image's embedding to each embedding before normalising: insightface's reported figure. */
  flip: boolean;
  /** Images per embed call. */
  batch: number;
  protocol: ProtocolOptions;
}

/** insightface's evaluation: 112×112, flipped, 10 folds, TAR at FAR 1e-3. */
export function defaultBenchmarkOptions(size = 112): BenchmarkOptions {
  return { size, flip: true, batch: 64, protocol: insightfaceProtocol() };
}

export interface BenchmarkResult extends VerificationMetrics {
  source: string;
  size: number;
  flip: boolean;
  /** Embedding length. */
  dim: number;
  /** Mean L2 norm of the raw embeddings (insightface's XNorm): collapse or blow-up shows here first. */
  xnorm: number;
}

/** Collects embed calls' rows, checking they agree on the embedding length. */
class Rows {
  private readonly chunks: Float32Array[] = [];
  dim = 0;

  add(rows: Float32Array, count: number, from: string): void {
    const dim = rows.length / count;
    if (!Number.isInteger(dim) || dim < 1 || (this.dim && dim !== this.dim))
      throw new ProtocolInputError(`the embedder returned ${rows.length} values for ${count} images of ${from}`);
    this.dim = dim;
    this.chunks.push(rows);
  }

  all(): Float32Array {
    const out = new Float32Array(this.chunks.reduce((n, c) => n + c.length, 0));
    let at = 0;
    for (const c of this.chunks) {
      out.set(c, at);
      at += c.length;
    }
    return out;
  }
}

export async function evaluateBenchmark(
  set: VerificationSet,
  embed: EmbedImages,
  options: BenchmarkOptions = defaultBenchmarkOptions(),
): Promise<BenchmarkResult> {
  if (set.same.length === 0) throw new ProtocolInputError(`${set.source} holds no pairs`);
  const images = 2 * set.same.length;
  const rows = new Rows();
  const flipped = new Rows();
  for (let at = 0; at < images; at += options.batch) {
    const indices = Array.from({ length: Math.min(options.batch, images - at) }, (_, k) => at + k);
    const bytes = await Promise.all(indices.map((i) => set.image(i)));
    const batch = await decodeBatch(bytes, options.size, (k) => set.describe(indices[k]!));
    rows.add(await embed(batch), batch.count, set.describe(at));
    if (options.flip) flipped.add(await embed(mirror(batch)), batch.count, set.describe(at));
  }
  const embeddings = { rows: rows.all(), dim: rows.dim, flipped: options.flip ? flipped.all() : undefined };
  const metrics = evaluateEmbeddings(embeddings, set.same, options.protocol);
  return { source: set.source, size: options.size, flip: options.flip, dim: rows.dim, ...metrics };
}
