/**
 * Renders the JSON of bench/model/run.sh as the markdown tables of bench/RESULTS.md.
 *   npx tsx bench/model/report.ts bench/results/model
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

interface StepTiming {
  secondsPerStep: number;
  secondsPerImagePerStep: number;
}
interface Train {
  params: number;
  batch: number;
  recompute?: boolean;
  secondsPerStep: number;
  secondsPerImage: number;
}
type Sample = { batch: number } & Record<string, StepTiming>;
interface OursFile {
  backend: string;
  load: number[];
  sizes: Record<string, { train?: Train; sample?: Sample }>;
}
interface ErrorFile {
  backend: string;
  size: number;
  what: string;
  error: string;
}
interface TorchFile {
  threads: number;
  params: number;
  train: { batch: number; secondsPerStep: number };
  sample: Sample;
}

const dir = process.argv[2] ?? 'bench/results/model';
const read = <T>(name: string): T | undefined =>
  existsSync(join(dir, name)) ? (JSON.parse(readFileSync(join(dir, name), 'utf8')) as T) : undefined;
const fmt = (x: number | undefined, digits = 3) =>
  x === undefined || Number.isNaN(x) ? '–' : x < 0.01 ? x.toExponential(2) : x.toFixed(digits);
const BACKENDS = ['wasm', 'cpu', 'webgpu'];
const SIZES = ['32', '64', '112'];

function measurement(
  backend: string,
  size: string,
  what: 'train' | 'sample',
): { value?: Train | Sample; error?: string; load?: number[] } {
  const f = read<OursFile | ErrorFile>(`${backend}-${size}-${what}.json`);
  if (!f) return {};
  if ('error' in f) return { error: f.error };
  return { value: f.sizes[size]?.[what], load: f.load };
}

function oursTable(): string {
  const rows = [
    '| backend | size | params | train batch | train s/step | train s/image | DDIM s/img/step (s_id 0 / 1) | DDPM s/img/step (s_id 0 / 1) | DDIM-50 s/image (0 / 1) | DDPM-1000 s/image (0 / 1) | load (1-min avg) |',
    '|---|---|---|---|---|---|---|---|---|---|---|',
  ];
  for (const backend of BACKENDS) {
    for (const size of SIZES) {
      const t = measurement(backend, size, 'train');
      const s = measurement(backend, size, 'sample');
      if (!t.value && !t.error && !s.value && !s.error) continue;
      const train = t.value as Train | undefined;
      const sample = s.value as Sample | undefined;
      const per = (k: string) => sample?.[k]?.secondsPerImagePerStep;
      const trainCells = train
        ? `${(train.params / 1e6).toFixed(1)}M | ${train.batch}${train.recompute ? ' (recompute)' : ''} | ${fmt(train.secondsPerStep)} | ${fmt(train.secondsPerImage)}`
        : `– | – | ${t.error ? `fails: ${t.error.slice(0, 60)}` : '–'} | –`;
      const sampleCells = sample
        ? `${fmt(per('DDIM s_id=0'))} / ${fmt(per('DDIM s_id=1'))} | ${fmt(per('DDPM s_id=0'))} / ${fmt(per('DDPM s_id=1'))} | ` +
          `${fmt(50 * per('DDIM s_id=0')!, 1)} / ${fmt(50 * per('DDIM s_id=1')!, 1)} | ` +
          `${fmt(1000 * per('DDPM s_id=0')!, 0)} / ${fmt(1000 * per('DDPM s_id=1')!, 0)}`
        : `${s.error ? `fails: ${s.error.slice(0, 60)}` : '–'} | – | – | –`;
      const load = [t.load?.[0], s.load?.[0]]
        .filter((l) => l !== undefined)
        .map((l) => l!.toFixed(1))
        .join(' / ');
      rows.push(`| ${backend} | ${size} | ${trainCells} | ${sampleCells} | ${load} |`);
    }
  }
  return rows.join('\n');
}

function torchTable(): string {
  const rows = [
    '| size | params ours / torch | train s/image: ours (wasm) / torch 1 t / torch 2 t | ratio ours/torch (1 t, 2 t) | DDIM step s/image, s_id 0: ours / 1 t / 2 t | ratio | s_id 1: ours / 1 t / 2 t | ratio |',
    '|---|---|---|---|---|---|---|---|',
  ];
  for (const size of SIZES) {
    const t1 = read<TorchFile>(`torch-${size}-t1.json`);
    const t2 = read<TorchFile>(`torch-${size}-t2.json`);
    if (!t1 || !t2) continue;
    const train = measurement('wasm', size, 'train').value as Train | undefined;
    const sample = measurement('wasm', size, 'sample').value as Sample | undefined;
    const perImage = (t: TorchFile) => t.train.secondsPerStep / t.train.batch;
    const ratio = (ours: number | undefined, a: number, b: number) =>
      ours === undefined ? '–' : `${(ours / a).toFixed(1)}×, ${(ours / b).toFixed(1)}×`;
    const trainCell = `${fmt(train?.secondsPerImage)} / ${fmt(perImage(t1))} / ${fmt(perImage(t2))} | ${ratio(train?.secondsPerImage, perImage(t1), perImage(t2))}`;
    const sampleCell = (k: string) => {
      const o = sample?.[k]?.secondsPerImagePerStep;
      const a = t1.sample[k]!.secondsPerImagePerStep;
      const b = t2.sample[k]!.secondsPerImagePerStep;
      return `${fmt(o)} / ${fmt(a)} / ${fmt(b)} | ${ratio(o, a, b)}`;
    };
    const params = `${train ? (train.params / 1e6).toFixed(2) : '–'}M / ${(t1.params / 1e6).toFixed(2)}M`;
    rows.push(`| ${size} | ${params} | ${trainCell} | ${sampleCell('DDIM s_id=0')} | ${sampleCell('DDIM s_id=1')} |`);
  }
  return rows.join('\n');
}

console.log(oursTable());
console.log();
console.log(torchTable());
console.log();
console.log(`files: ${readdirSync(dir).sort().join(', ')}`);
