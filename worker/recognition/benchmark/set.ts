/**
 * What the protocol runs over, whatever file it came from: n labelled pairs whose 2n encoded images are fetched
 * on demand (a `.bin` holds them in memory; an image folder reads each file when asked).
 */

/** One verification pair: two encoded images (JPEG/PNG bytes) and whether they show the same identity. */
export interface EncodedPair {
  a: Uint8Array;
  b: Uint8Array;
  same: boolean;
}
export interface VerificationSet {
  /** Where the set came from, for reports and messages. */
  readonly source: string;
  /** Pair k's label; its images are 2k and 2k+1, insightface's interleaving. */
  readonly same: readonly boolean[];
  /** Encoded (JPEG/PNG) bytes of image i. */
  image(i: number): Promise<Uint8Array>;
  /** Where image i is, for messages ("lfw.bin image 17", "pairs.txt:42 Abel_Pacheco/Abel_Pacheco_0001.jpg"). */
  describe(i: number): string;
}

/** A set over pairs already in memory (a read `.bin`). */
export function pairSet(pairs: readonly EncodedPair[], source: string): VerificationSet {
  return {
    source,
    same: pairs.map((p) => p.same),
    image: async (i) => {
      const pair = pairs[i >> 1];
      if (!pair) throw new RangeError(`${source} has ${2 * pairs.length} images, not ${i + 1}`);
      return i % 2 === 0 ? pair.a : pair.b;
    },
    describe: (i) => `${source} image ${i} (pair ${i >> 1})`,
  };
}
