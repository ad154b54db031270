/**
 * Procedural training sets on disk: `id3 fixtures faces` writes rendered faces as an image folder that an
 * ID3TrainingJob reads with `dataset.format: imagefolder`:
 *   images/{identity:06d}/{image:03d}.png   the pictures, one folder per identity
 *   attributes.jsonl                        {"key", "age", "pitch", "yaw", "roll"} per picture (the job's attributes)
 *   labels.jsonl                            {"key", "identity", "image", "landmarks"}: the ground truth
 *   fixtures.json                           how the set was made, to re-create it exactly
 * where key is the picture's path without its extension.
 */
import sharp from 'sharp';
import { PermanentInputError } from '../../api/index.ts';
import type { AttributeSpread } from './attributes.ts';
import { faceLandmarks, type Landmarks } from './landmarks.ts';
import { labelledFace } from './sampler.ts';

export interface FixtureSpec {
  identities: number;
  perIdentity: number;
  size: number;
  seed: number;
  spread: AttributeSpread;
}

/** Where fixture files go: a Store fits. */
export interface FixtureSink {
  put(key: string, body: Uint8Array | string): Promise<void>;
}

export class FixtureSpecError extends PermanentInputError {
  override readonly name = 'FixtureSpecError';
}

export const FIXTURES_FORMAT = 'id3-procedural-faces/v1';

const pad = (n: number, width: number): string => String(n).padStart(width, '0');

export function fixtureKey(identity: number, image: number): string {
  return `images/${pad(identity, 6)}/${pad(image, 3)}`;
}

export function checkFixtureSpec(spec: FixtureSpec): FixtureSpec {
  const ints: [keyof FixtureSpec, number, number][] = [
    ['identities', 1, 1_000_000],
    ['perIdentity', 1, 1000],
    ['size', 16, 512],
    ['seed', 0, Number.MAX_SAFE_INTEGER],
  ];
  for (const [field, lo, hi] of ints) {
    const v = spec[field];
    if (!Number.isInteger(v) || (v as number) < lo || (v as number) > hi) {
      throw new FixtureSpecError(`${field} must be an integer in [${lo}, ${hi}], got ${String(v)}`);
    }
  }
  return spec;
}

export interface FixtureProgress {
  done: number;
  total: number;
}

export interface FixtureLine {
  attributes: { key: string; age: number; pitch: number; yaw: number; roll: number };
  label: { key: string; identity: number; image: number; landmarks: Landmarks };
}

/** Renders one picture of the set and its lines, without writing anything. */
export function renderFixture(spec: FixtureSpec, identity: number, image: number) {
  const face = labelledFace(spec.seed, identity, image, spec.size, spec.spread);
  const key = fixtureKey(identity, image);
  const round = (v: number): number => Math.round(v * 1000) / 1000;
  const a = face.attributes;
  const landmarks = faceLandmarks(face.person, face.attributes, face.nuisance, spec.size);
  const line: FixtureLine = {
    attributes: { key, age: round(a.age), pitch: round(a.pitch), yaw: round(a.yaw), roll: round(a.roll) },
    label: { key, identity, image, landmarks: roundLandmarks(landmarks, round) },
  };
  return { face, line };
}

function roundLandmarks(l: Landmarks, round: (v: number) => number): Landmarks {
  const p = (xy: [number, number]): [number, number] => [round(xy[0]), round(xy[1])];
  return {
    rightEye: p(l.rightEye),
    leftEye: p(l.leftEye),
    nose: p(l.nose),
    mouthRight: p(l.mouthRight),
    mouthLeft: p(l.mouthLeft),
  };
}

async function png(pixels: Uint8Array, size: number): Promise<Uint8Array> {
  const out = await sharp(Buffer.from(pixels.buffer, pixels.byteOffset, pixels.byteLength), {
    raw: { width: size, height: size, channels: 3 },
  })
    .png()
    .toBuffer();
  return new Uint8Array(out.buffer, out.byteOffset, out.byteLength);
}

/**
 * Writes the whole set. Pictures go first and the JSONL files and fixtures.json last, so a set with fixtures.json is
 * complete; re-running with the same spec writes the same bytes.
 */
export async function writeFaceFixtures(
  spec: FixtureSpec,
  sink: FixtureSink,
  onProgress?: (p: FixtureProgress) => void,
): Promise<{ images: number }> {
  checkFixtureSpec(spec);
  const total = spec.identities * spec.perIdentity;
  const attributes: string[] = [];
  const labels: string[] = [];
  let done = 0;
  for (let identity = 0; identity < spec.identities; identity++) {
    for (let image = 0; image < spec.perIdentity; image++) {
      const { face, line } = renderFixture(spec, identity, image);
      await sink.put(`${line.label.key}.png`, await png(face.pixels, spec.size));
      attributes.push(JSON.stringify(line.attributes));
      labels.push(JSON.stringify(line.label));
      onProgress?.({ done: ++done, total });
    }
  }
  await sink.put('attributes.jsonl', `${attributes.join('\n')}\n`);
  await sink.put('labels.jsonl', `${labels.join('\n')}\n`);
  await sink.put('fixtures.json', `${JSON.stringify({ format: FIXTURES_FORMAT, ...spec, images: total }, null, 2)}\n`);
  return { images: total };
}
