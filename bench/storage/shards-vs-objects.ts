/**
 * Images per second written to S3 as WebDataset shards vs one object per image, at 112×112 PNG.
 *
 *   eval "$(npm run -s s3 -- start)"
 *   npx tsx bench/storage/shards-vs-objects.ts [--images 2000] [--repeat 3]
 *   npm run -s s3 -- stop
 *
 * The images are random but smooth (a few coloured Gaussian blobs and low-frequency waves, plus mild sensor-like
 * noise), so their PNGs have realistic sizes; they are encoded once up front and the encoding is timed on its own.
 * Timed: (1) ShardWriter exactly as a generate task uses it — each identity staged as a tar fragment, then the tar
 * assembled from the fragments and its index written; (2) the same tars put directly (no staging), the floor of the
 * shard path; (3) one PUT per image (PNG only, no sidecar) with 1 and 16 requests in flight. Median of --repeat runs.
 */
import { randomBytes } from 'node:crypto';
import { cpus } from 'node:os';
import { parseArgs } from 'node:util';
import { memberNames } from '../../io/output/index.ts';
import { mapLimit, openStore, type Store } from '../../io/storage/index.ts';
import {
  encodeImage,
  type GeneratedImage,
  ShardWriter,
  sidecarBytes,
  tarArchive,
  tarFragment,
} from '../../worker/dataset/index.ts';
import { smoothImage } from './smooth-image.ts';

const SIDE = 112;
const PER_IDENTITY = 50;
const IDENTITIES_PER_TAR = 10;

interface Row {
  method: string;
  seconds: number;
  imagesPerSecond: number;
  mbPerSecond: number;
  requests: number;
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { images: { type: 'string' }, repeat: { type: 'string' } } });
  const total = Number(values.images ?? 2000);
  const repeat = Number(values.repeat ?? 3);
  const bucket = process.env.ID3_S3_BUCKET;
  if (!bucket || !process.env.AWS_ENDPOINT_URL_S3)
    throw new Error('start the gateway first: eval "$(npm run -s s3 -- start)"');
  const identities = Math.ceil(total / PER_IDENTITY);

  const t0 = performance.now();
  const images = await encodeAll(identities);
  const encodeSeconds = (performance.now() - t0) / 1000;
  const bytes = images.reduce((s, g) => s + g.bytes.byteLength, 0);
  const run = randomBytes(3).toString('hex');
  const root = (name: string, i: number) => openStore(`s3://${bucket}/bench-${run}/${name}-${i}`);

  const rows: Row[] = [];
  const measure = async (method: string, requests: number, fn: (store: Store) => Promise<void>) => {
    const times: number[] = [];
    for (let i = 0; i < repeat; i++) {
      const store = root(method.replace(/\W+/g, '-'), i);
      const start = performance.now();
      await fn(store);
      times.push((performance.now() - start) / 1000);
    }
    const seconds = times.sort((a, b) => a - b)[Math.floor(times.length / 2)]!;
    rows.push({
      method,
      seconds,
      imagesPerSecond: images.length / seconds,
      mbPerSecond: bytes / 1e6 / seconds,
      requests,
    });
  };

  const tars = Math.ceil(identities / IDENTITIES_PER_TAR);
  await measure('WebDataset via ShardWriter (staged, resumable)', identities * 3 + tars * 2, (s) =>
    viaShardWriter(s, images, identities),
  );
  await measure('WebDataset, tars put directly', tars, (s) => directTars(s, images, identities));
  await measure('one object per image, 1 in flight', images.length, (s) => perImage(s, images, 1));
  await measure('one object per image, 16 in flight', images.length, (s) => perImage(s, images, 16));

  console.log(
    `${images.length} images of ${SIDE}×${SIDE} PNG, mean ${(bytes / images.length / 1024).toFixed(1)} KiB; ` +
      `${identities} identities × ${PER_IDENTITY}, ${IDENTITIES_PER_TAR} identities per tar (${tars} tars); ` +
      `median of ${repeat}; ${cpus().length} CPUs`,
  );
  console.log(
    `image synthesis + PNG encoding (not part of the rates below): ${(images.length / encodeSeconds).toFixed(0)} images/s\n`,
  );
  console.log('| method | requests | seconds | images/s | MB/s |');
  console.log('|---|---:|---:|---:|---:|');
  for (const r of rows) {
    console.log(
      `| ${r.method} | ${r.requests} | ${r.seconds.toFixed(2)} | ${r.imagesPerSecond.toFixed(0)} | ${r.mbPerSecond.toFixed(1)} |`,
    );
  }
}

async function encodeAll(identities: number): Promise<GeneratedImage[]> {
  const out: GeneratedImage[] = [];
  for (let identity = 0; identity < identities; identity++) {
    for (let image = 0; image < PER_IDENTITY; image++) {
      const bytes = await encodeImage(smoothImage(SIDE, identity * 1000 + image), { format: 'png' });
      const meta = {
        identity,
        image,
        embedding: image % 25,
        attributes: { age: 30, pitch: 0, yaw: 0, roll: 0 },
        seed: image,
      };
      out.push({ bytes, meta });
    }
  }
  return out;
}

async function viaShardWriter(store: Store, images: GeneratedImage[], identities: number): Promise<void> {
  const spec = {
    identitiesPerTar: IDENTITIES_PER_TAR,
    identities,
    imagesPerIdentity: PER_IDENTITY,
    format: 'png' as const,
  };
  for (let tar = 0; tar * IDENTITIES_PER_TAR < identities; tar++) {
    const writer = await ShardWriter.open(store, { ...spec, tar });
    for (const identity of writer.pendingIdentities()) {
      for (const g of images.slice(identity * PER_IDENTITY, (identity + 1) * PER_IDENTITY)) await writer.add(g);
    }
    await writer.commit();
  }
}

async function directTars(store: Store, images: GeneratedImage[], identities: number): Promise<void> {
  for (let tar = 0; tar * IDENTITIES_PER_TAR < identities; tar++) {
    const slice = images.slice(tar * IDENTITIES_PER_TAR * PER_IDENTITY, (tar + 1) * IDENTITIES_PER_TAR * PER_IDENTITY);
    const members = slice.flatMap((g) => {
      const names = memberNames(g.meta.identity, g.meta.image, 'png');
      return [
        { name: names.image, data: g.bytes },
        { name: names.meta, data: sidecarBytes(g.meta) },
      ];
    });
    await store.put(`shards/${String(tar).padStart(6, '0')}.tar`, tarArchive([await tarFragment(members)]));
  }
}

async function perImage(store: Store, images: GeneratedImage[], concurrency: number): Promise<void> {
  await mapLimit(images, concurrency, (g) =>
    store.put(
      `images/${String(g.meta.identity).padStart(6, '0')}/${String(g.meta.image).padStart(3, '0')}.png`,
      g.bytes,
    ),
  );
}

await main();
