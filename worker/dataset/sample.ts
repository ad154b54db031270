import type { ImageExt } from '../../io/output/index.ts';
import { DatasetFormatError } from './errors.ts';

/** Face attributes of an image by name (age, pitch, yaw, roll, …), in the model's conditioning order. */
export type Attributes = Record<string, number>;

/** The `.json` sidecar of a generated image. */
export interface SampleMeta {
  /** Identity (class label), 0-based. */
  identity: number;
  /** Image index within the identity, 0-based. */
  image: number;
  /** Which of the identity's m embeddings conditioned the image (row of plan/embeddings.npy within the identity). */
  embedding: number;
  attributes: Attributes;
  /**
   * The dataset seed (spec.seed). The image's noise is the Philox stream (seed, identity, image) of that seed
   * (random/keys.ts imageNoiseKey), so these three fields locate it; a string when it exceeds 2^53.
   */
  seed: number | string;
}

/** One line of a tar's index (`shards/000012.jsonl`) and of the dataset's `index.jsonl`. */
export interface IndexLine extends SampleMeta {
  key: string;
  /** Key of the tar holding the image, e.g. `shards/000012.tar`. */
  tar: string;
  /** Byte offset and length of the image's data inside the tar, for ranged reads. */
  offset: number;
  size: number;
  format: ImageExt;
}

/** The sidecar's bytes: fixed key order and no whitespace, so the same sample always gives the same bytes. */
export function sidecarBytes(meta: SampleMeta): Uint8Array {
  const canonical: SampleMeta = {
    identity: meta.identity,
    image: meta.image,
    embedding: meta.embedding,
    attributes: meta.attributes,
    seed: meta.seed,
  };
  return Buffer.from(JSON.stringify(canonical), 'utf8');
}

export function parseSidecar(bytes: Uint8Array, where: string): SampleMeta {
  let v: Partial<SampleMeta>;
  try {
    v = JSON.parse(Buffer.from(bytes).toString('utf8')) as Partial<SampleMeta>;
  } catch (err) {
    throw new DatasetFormatError(where, 'sidecar is not JSON', err);
  }
  const ints = [v.identity, v.image, v.embedding];
  if (!ints.every((n) => Number.isInteger(n) && (n as number) >= 0)) {
    throw new DatasetFormatError(where, 'sidecar needs non-negative integers identity, image and embedding');
  }
  const attrs = v.attributes ?? {};
  if (typeof attrs !== 'object' || Object.values(attrs).some((x) => typeof x !== 'number')) {
    throw new DatasetFormatError(where, 'sidecar attributes must map names to numbers');
  }
  return { identity: v.identity!, image: v.image!, embedding: v.embedding!, attributes: attrs, seed: v.seed ?? 0 };
}

/** `png` or `jpg` from a member or file name; undefined for anything else. */
export function imageExtOf(name: string): ImageExt | undefined {
  const ext = name.slice(name.lastIndexOf('.') + 1).toLowerCase();
  if (ext === 'png') return 'png';
  if (ext === 'jpg' || ext === 'jpeg') return 'jpg';
  return undefined;
}
