/**
 * Renders the JSON of bench/model/run.sh as the markdown tables of bench/RESULTS.md.
 *   npx tsx bench/model/report.ts bench/results/model
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

interface StepTiming {
  secondsPerStep: number;
  secondsPerImagePerStep: number;
}
interface SizeResult {
  train: { params: number; batch: number; secondsPerStep: number; secondsPerImage: number };
  sample: { batch: number } & Record<string, StepTiming>;
}
interface OursFile {
  backend: string;
  load: number[];
  sizes: Record<string, SizeResult>;
}
interface TorchFile {
  torch: string;
  threads: number;
  params: number;
  train: { batch: number; secondsPerStep: number };
  sample: { batch: number } & Record<string, StepTiming>;
}

const dir = process.argv[2] ?? 'bench/results/model';
const read = <T>(name: string): T | undefined =>
  existsSync(join(dir, name)) ? (JSON.parse(readFileSync(join(dir, name), 'utf8')) as T) : undefined;
const fmt = (x: number | undefined, digits = 3) =>
  x === undefined ? '–' : x < 0.01 ? x.toExponential(2) : x.toFixed(digits);

function oursTable(files: OursFile[]): string {
  const rows = [
    '| backend | size | params | train batch | train s/step | train s/image | DDIM s/img/step (s_id 0 / 1) | DDPM s/img/step (s_id 0 / 1) | DDIM-50 s/image (0 / 1) | DDPM-1000 s/image (0 / 1) |',
    '|---|---|---|---|---|---|---|---|---|---|',
  ];
  for (const f of files) {
    for (const [size, r] of Object.entries(f.sizes)) {
      const s = r.sample;
      const per = (k: string) => s[k]?.secondsPerImagePerStep;
      rows.push(
        `| ${f.backend} | ${size} | ${(r.train.params / 1e6).toFixed(1)}M | ${r.train.batch} | ${fmt(r.train.secondsPerStep)} | ` +
          `${fmt(r.train.secondsPerImage)} | ${fmt(per('DDIM s_id=0'))} / ${fmt(per('DDIM s_id=1'))} | ` +
          `${fmt(per('DDPM s_id=0'))} / ${fmt(per('DDPM s_id=1'))} | ` +
          `${fmt(50 * per('DDIM s_id=0')!, 1)} / ${fmt(50 * per('DDIM s_id=1')!, 1)} | ` +
          `${fmt(1000 * per('DDPM s_id=0')!, 0)} / ${fmt(1000 * per('DDPM s_id=1')!, 0)} |`,
      );
    }
  }
  return rows.join('\n');
}

function torchTable(wasm: OursFile): string {
  const rows = [
    '| size | params (ours = torch) | train s/image: ours wasm / torch 1 thread / torch 2 threads | ratio ours/torch (1 t, 2 t) | sampling step s/image, s_id 0: ours / torch 1 t / 2 t | ratio (1 t, 2 t) | s_id 1: ours / torch 1 t / 2 t | ratio (1 t, 2 t) |',
    '|---|---|---|---|---|---|---|---|',
  ];
  for (const [size, r] of Object.entries(wasm.sizes)) {
    const t1 = read<TorchFile>(`torch-${size}-t1.json`);
    const t2 = read<TorchFile>(`torch-${size}-t2.json`);
    if (!t1 || !t2) continue;
    const ours = r.train.secondsPerImage;
    const tt = (t: TorchFile) => t.train.secondsPerStep / t.train.batch;
    const sampleRow = (k: string) => {
      const o = r.sample[k]!.secondsPerImagePerStep;
      const a = t1.sample[k]!.secondsPerImagePerStep;
      const b = t2.sample[k]!.secondsPerImagePerStep;
      return `${fmt(o)} / ${fmt(a)} / ${fmt(b)} | ${(o / a).toFixed(1)}×, ${(o / b).toFixed(1)}×`;
    };
    const same =
      t1.params === r.train.params ? `${(r.train.params / 1e6).toFixed(2)}M ✓` : `${r.train.params} ≠ ${t1.params}`;
    rows.push(
      `| ${size} | ${same} | ${fmt(ours)} / ${fmt(tt(t1))} / ${fmt(tt(t2))} | ${(ours / tt(t1)).toFixed(1)}×, ${(ours / tt(t2)).toFixed(1)}× | ` +
        `${sampleRow('DDIM s_id=0')} | ${sampleRow('DDIM s_id=1')} |`,
    );
  }
  return rows.join('\n');
}

const files = ['wasm.json', 'cpu.json', 'webgpu.json'].map((n) => read<OursFile>(n)).filter((f): f is OursFile => !!f);
console.log(oursTable(files));
console.log();
const wasm = files.find((f) => f.backend === 'wasm');
if (wasm) console.log(torchTable(wasm));
console.log();
console.log(
  `load averages at start: ${files.map((f) => `${f.backend} ${f.load.map((l) => l.toFixed(1)).join('/')}`).join('; ')}`,
);
