/**
 * Costs of the face-verification benchmark side at LFW's size (6000 pairs, 12000 images of 112×112): writing and
 * reading the pickled `.bin` (against Python's own pickle.load of the same file), decoding every image with sharp,
 * and the protocol over 512-d embeddings with flipping. Images are 200 distinct smooth pictures with camera-like
 * noise (σ ≈ 8 levels) as JPEG quality 95, about 5.5 kB each as lfw.bin's are, reused so that the file is
 * LFW-sized (about 65 MB) without generating 12000 pictures.
 *
 *   npx tsx bench/verification/bin-io.ts [--repeat 3]
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import sharp from 'sharp';
import {
  decodeBatch,
  type EncodedPair,
  encodeBin,
  evaluateEmbeddings,
  readBinFile,
  writeBinFile,
} from '../../worker/recognition/benchmark/index.ts';
import { smoothImage } from '../storage/smooth-image.ts';

const { values } = parseArgs({ options: { repeat: { type: 'string', default: '3' } } });
const repeat = Number(values.repeat);
const PAIRS = 6000;
const SIZE = 112;

async function median(fn: () => Promise<unknown> | unknown): Promise<number> {
  const times: number[] = [];
  for (let r = 0; r < repeat; r++) {
    const t0 = performance.now();
    await fn();
    times.push((performance.now() - t0) / 1000);
  }
  return times.sort((a, b) => a - b)[times.length >> 1]!;
}

async function lfwSizedPairs(): Promise<EncodedPair[]> {
  const distinct = await Promise.all(
    Array.from({ length: 200 }, (_, k) => {
      const { data } = smoothImage(SIZE, k + 1);
      const noisy = data.map((v) => Math.max(0, Math.min(255, v + 8 * Math.sqrt(3) * (2 * Math.random() - 1))));
      return sharp(noisy, { raw: { width: SIZE, height: SIZE, channels: 3 } })
        .jpeg({ quality: 95 })
        .toBuffer();
    }),
  );
  return Array.from({ length: PAIRS }, (_, k) => ({
    a: new Uint8Array(distinct[(2 * k) % 200]!),
    b: new Uint8Array(distinct[(2 * k + 1) % 200]!),
    same: k % 2 === 0,
  }));
}

const dir = mkdtempSync(join(tmpdir(), 'bin-io-'));
try {
  const pairs = await lfwSizedPairs();
  const file = join(dir, 'lfw-sized.bin');
  const encode = await median(() => encodeBin(pairs));
  await writeBinFile(file, pairs);
  const mb = statSync(file).size / 2 ** 20;
  const read = await median(() => readBinFile(file));
  const python = Number(
    execFileSync('/usr/bin/python3', [
      '-c',
      'import pickle,sys,time\nt=[]\nfor _ in range(int(sys.argv[2])):\n a=time.perf_counter(); pickle.load(open(sys.argv[1],"rb")); t.append(time.perf_counter()-a)\nprint(sorted(t)[len(t)//2])',
      file,
      String(repeat),
    ]).toString(),
  );
  const loaded = await readBinFile(file);
  const images = loaded.flatMap((p) => [p.a, p.b]);
  const decode = await median(async () => {
    for (let at = 0; at < images.length; at += 256) await decodeBatch(images.slice(at, at + 256), SIZE);
  });
  const dim = 512;
  const rows = Float32Array.from({ length: images.length * dim }, () => Math.random() - 0.5);
  const flipped = rows.map((v) => v + 0.1 * (Math.random() - 0.5));
  const protocol = await median(() =>
    evaluateEmbeddings(
      { rows, dim, flipped },
      loaded.map((p) => p.same),
    ),
  );
  console.log(
    JSON.stringify(
      {
        file: `${mb.toFixed(1)} MiB, ${images.length} images`,
        encodeBinSeconds: encode,
        readBinSeconds: read,
        pythonPickleLoadSeconds: python,
        decodeImagesPerSecond: Math.round(images.length / decode),
        protocolSeconds512dFlip: protocol,
      },
      null,
      2,
    ),
  );
} finally {
  rmSync(dir, { recursive: true, force: true });
}
