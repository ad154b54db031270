import { PURPOSE, type StreamKey } from './philox.ts';

/**
 * The stream an image's noise comes from: x_T and every sampling step's noise are draws 0, 1, 2, … of the Philox
 * stream (dataset seed, a = identity, b = image index, PURPOSE.imageNoise). Nothing else enters, so an image is the
 * same whatever shard, batch, worker or attempt generates it. The plan stage records these coordinates, the generate
 * stage samples from them, and the dataset card's seed is the dataset seed they start from.
 */
export function imageNoiseKey(seed: number, identity: number, image: number): StreamKey {
  return { seed, a: identity, b: image, purpose: PURPOSE.imageNoise };
}
