/**
 * Face verification with an identity encoder on procedural faces of identities it never saw: embed a grid of
 * pictures, draw genuine and impostor pairs, and score them by cosine — the figure a model card reports.
 */

import { embedPixels, type IdentityEncoder } from '../../worker/encoder/index.ts';
import {
  embeddings,
  type Separability,
  samplePairs,
  separability,
  type VerificationAccuracy,
  verificationAccuracy,
} from '../../worker/quality/index.ts';
import { gridAddresses, renderBatch } from './face-batches.ts';

export interface VerificationProtocol {
  /** Set seed of the evaluation identities; pick one no training set used. */
  setSeed: number;
  identities: number;
  perIdentity: number;
  /** Genuine pairs, and as many impostor pairs. */
  pairs: number;
  size: number;
  pairSeed: number;
}

/** 6000 pairs (3000 genuine, 3000 impostor) over 1000 unseen identities × 6 pictures, LFW style. */
export function defaultVerificationProtocol(size: number): VerificationProtocol {
  return { setSeed: 20_240_926, identities: 1000, perIdentity: 6, pairs: 3000, size, pairSeed: 1 };
}

export interface VerificationResult {
  protocol: VerificationProtocol;
  accuracy: VerificationAccuracy;
  separability: Separability;
}

export function evaluateVerification(encoder: IdentityEncoder, protocol: VerificationProtocol): VerificationResult {
  const batch = renderBatch(protocol.setSeed, gridAddresses(protocol.identities, protocol.perIdentity), protocol.size);
  const emb = embeddings(embedPixels(encoder, batch.pixels, protocol.size), encoder.info.embeddingSize);
  const pairs = samplePairs(batch.labels, protocol.pairs, protocol.pairSeed);
  const scores = new Float64Array(pairs.a.length);
  const d = emb.d;
  for (let k = 0; k < scores.length; k++) {
    let s = 0;
    for (let j = 0; j < d; j++) s += emb.data[pairs.a[k]! * d + j]! * emb.data[pairs.b[k]! * d + j]!;
    scores[k] = s;
  }
  const genuine = scores.filter((_, k) => pairs.same[k] === 1);
  const impostor = scores.filter((_, k) => pairs.same[k] === 0);
  return {
    protocol,
    accuracy: verificationAccuracy(scores, pairs.same),
    separability: separability(genuine, impostor),
  };
}

/**
 * The reference figure for generated identity consistency: mean cos(f(a), f(b)) over identities, where a and b are two
 * renders of one procedural identity (pictures 0 and 1, with independent attributes and nuisance factors).
 */
export function renderPairConsistency(
  encoder: IdentityEncoder,
  setSeed: number,
  identities: number,
  size: number,
): { mean: number; std: number } {
  const ids = Array.from({ length: identities }, (_, identity) => identity);
  const embed = (index: number): Float32Array =>
    embedPixels(
      encoder,
      renderBatch(
        setSeed,
        ids.map((identity) => ({ identity, index })),
        size,
      ).pixels,
      size,
    );
  const a = embed(0);
  const b = embed(1);
  const d = encoder.info.embeddingSize;
  const cos = ids.map((i) => {
    let s = 0;
    for (let k = 0; k < d; k++) s += a[i * d + k]! * b[i * d + k]!;
    return s;
  });
  const mean = cos.reduce((x, y) => x + y, 0) / cos.length;
  return { mean, std: Math.sqrt(cos.reduce((x, y) => x + (y - mean) ** 2, 0) / cos.length) };
}
