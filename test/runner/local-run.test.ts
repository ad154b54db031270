import { type ChildProcess, spawn } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { CheckpointStore } from '../../io/checkpoints/index.ts';
import { openStore } from '../../io/storage/index.ts';
import { datasetManifest, EMBEDDING, RESOLUTION, type TinyWorld, tinyTrainingSpec, tinyWorld } from './fixtures.ts';

/**
 * `id3 run` and `id3 worker` end to end on one machine, as a user runs them: real worker processes, real files, a
 * tiny model. Checks the contracts that matter: outputs, resumption, byte-identical datasets whatever the sharding,
 * no lost or duplicated image after a SIGKILL, exit codes, and bad input refused before anything is written.
 */

const root = join(import.meta.dirname, '..', '..');
const bin = join(root, 'bin', 'id3.js');
let dir: string;
let world: TinyWorld;

interface Result {
  code: number | null;
  out: string;
}

/** `detached` gives the runner its own process group, as a terminal's foreground job has. */
function start(args: string[], o: { detached?: boolean } = {}): ChildProcess {
  return spawn(process.execPath, [bin, ...args], {
    cwd: dir,
    env: { ...process.env, NO_COLOR: '1', ID3_LOG_LEVEL: 'warn' },
    detached: o.detached ?? false,
  });
}

function finish(child: ChildProcess): Promise<Result> {
  let out = '';
  child.stdout?.on('data', (d) => (out += d));
  child.stderr?.on('data', (d) => (out += d));
  return new Promise((resolve) => child.on('close', (code) => resolve({ code, out })));
}

const id3 = (...args: string[]) => finish(start(args));

async function until(what: string, fn: () => boolean, ms = 60_000): Promise<void> {
  const end = Date.now() + ms;
  while (!fn()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Every tar and the index of a dataset, as bytes by key. */
function datasetBytes(out: string): Record<string, string> {
  const shards = readdirSync(join(out, 'shards')).sort();
  const files: Record<string, string> = {};
  for (const f of shards) files[`shards/${f}`] = readFileSync(join(out, 'shards', f)).toString('base64');
  files['index.jsonl'] = readFileSync(join(out, 'index.jsonl')).toString('base64');
  return files;
}

/** Every file under `folder` with its bytes, to prove nothing was written there. */
function snapshot(folder: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const f of readdirSync(folder, { recursive: true, withFileTypes: true }))
    if (f.isFile()) out[join(f.parentPath, f.name)] = readFileSync(join(f.parentPath, f.name), 'base64');
  return out;
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'id3-run-'));
  world = await tinyWorld(join(dir, 'world'));
});

afterAll(() => {
  // Temporary folders are left for inspection when a test fails; the OS cleans tmp.
});

describe('id3 run: SyntheticDatasetJob', { timeout: 240_000 }, () => {
  let reference: Record<string, string>;

  it('runs plan, generate and finalize and writes the dataset, its card, exports and report', async () => {
    const out = join(dir, 'ds-2');
    const file = datasetManifest(join(dir, 'ds-2.yaml'), world, {
      out,
      shards: 2,
      spec: { output: { uri: out, identitiesPerTar: 1, exports: ['recordio'] } },
    });
    const r = await id3('run', file, '--no-progress');
    expect(r.out).toContain('SyntheticDatasetJob/tiny: Succeeded');
    expect(r.code).toBe(0);
    const card = JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8'));
    expect(card.counts).toMatchObject({ identities: 4, images: 12 });
    // What computed the images, for every generate task: numerics differ across backends and versions.
    expect(card.compute).toEqual([
      {
        backend: 'wasm',
        device: 'cpu (wasm simd)',
        versions: expect.objectContaining({ node: process.versions.node }),
        tasks: [0, 1],
      },
    ]);
    const index = readFileSync(join(out, 'index.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(index.map((l) => l.key)).toEqual(
      Array.from({ length: 12 }, (_, i) => `00000${Math.floor(i / 3)}_00${i % 3}`),
    );
    for (const f of [
      'report/index.html',
      'report/metrics.json',
      'report/contact-sheet.png',
      'exports/recordio/train.rec',
      'plan/anchors.npy',
    ]) {
      expect(existsSync(join(out, f)), f).toBe(true);
    }
    const status = JSON.parse(readFileSync(join(out, 'status', 'status.json'), 'utf8'));
    expect(status).toMatchObject({ phase: 'Succeeded', shardsReady: '2/2', imagesDone: 12, progress: '100%' });
    // Written as the run goes, as the operator would: it started when the plan did, not when the run ended.
    expect(Date.parse(status.startTime)).toBeLessThan(Date.parse(status.completionTime));
    reference = datasetBytes(out);
  });

  it('id3 report measures the finished dataset with the encoder its card records', async () => {
    const out = join(dir, 'ds-2');
    const r = await id3('report', out, '--out', join(dir, 'report-ds-2'));
    expect(r.code, r.out).toBe(0);
    expect(r.out).toContain('4 identities, 12 images measured with');
    const metrics = JSON.parse(readFileSync(join(dir, 'report-ds-2', 'metrics.json'), 'utf8'));
    expect(metrics.metrics).toMatchObject({ identities: 4, images: 12 });
    expect(typeof metrics.metrics.identityConsistency).toBe('number');
    expect(existsSync(join(dir, 'report-ds-2', 'contact-sheet.png'))).toBe(true);
  });

  it('id3 report with another encoder measures between identities but not identity consistency', async () => {
    // The dataset was conditioned on the tiny encoder's embeddings; the bundled encoder's space is another one.
    const bundled = join(root, 'models', 'face-encoder', 'model.json');
    const other = await id3(
      'report',
      join(dir, 'ds-2'),
      '--encoder',
      bundled,
      '--input-size',
      '32',
      '--embedding-size',
      '128',
      '--out',
      join(dir, 'report-other'),
    );
    expect(other.code, other.out).toBe(0);
    const m = JSON.parse(readFileSync(join(dir, 'report-other', 'metrics.json'), 'utf8')).metrics;
    expect(m.identityConsistency).toBeNull();
    expect(typeof m.centroidConsistency).toBe('number');
    // Naming the recorded encoder explicitly is not "another" one.
    const same = await id3(
      'report',
      join(dir, 'ds-2'),
      '--encoder',
      world.encoder,
      '--input-size',
      String(RESOLUTION),
      '--embedding-size',
      String(EMBEDDING),
      '--out',
      join(dir, 'report-same'),
    );
    expect(same.code, same.out).toBe(0);
    const s = JSON.parse(readFileSync(join(dir, 'report-same', 'metrics.json'), 'utf8')).metrics;
    expect(typeof s.identityConsistency).toBe('number');
  });

  it('id3 report answers a wrong path or mismatched encoder flags with exit 65 and what to check', async () => {
    const missing = await id3('report', join(dir, 'no-such-dataset'));
    expect(missing.code, missing.out).toBe(65);
    expect(missing.out).toContain('no labelled images');
    expect(missing.out).not.toContain('    at '); // a message, not a stack trace
    const encoder = join(root, 'models', 'face-encoder', 'model.json');
    const wrong = await id3('report', join(dir, 'ds-2'), '--encoder', encoder, '--input-size', '112');
    expect(wrong.code, wrong.out).toBe(65);
    expect(wrong.out).toContain('--input-size');
    expect(wrong.out).not.toContain('    at ');
  });

  it("refuses to run a changed job over another job's output, and writes nothing", async () => {
    const out = join(dir, 'ds-2');
    const changed = datasetManifest(join(dir, 'ds-2-reseeded.yaml'), world, { out, shards: 2, spec: { seed: 99 } });
    const r = await id3('run', changed, '--no-progress');
    expect(r.code, r.out).toBe(65);
    expect(r.out).toContain('spec.seed: 99 here');
    expect(r.out).toContain('give this job a new output.uri');
    // A worker started directly (as a pod is) refuses as well, before touching anything.
    const w = await id3('worker', 'finalize', '--job', changed);
    expect(w.code, w.out).toBe(65);
    expect(datasetBytes(out)).toEqual(reference);
  });

  it.each([
    {
      what: 'the JPEG quality',
      spec: { output: { uri: '', identitiesPerTar: 1, jpegQuality: 10 } },
      field: 'spec.output.jpegQuality',
    },
    { what: 'the number of shards', shards: 1, field: 'spec.sharding.shards: 1 here, 2 there' },
    { what: 'the report settings', spec: { quality: { pairs: 7 } }, field: 'spec.quality' },
  ])('refuses the same job with $what changed, before anything runs', async ({ spec, shards, field }) => {
    const out = join(dir, 'ds-2');
    const edited = spec?.output ? { ...spec, output: { ...spec.output, uri: out } } : spec;
    const file = datasetManifest(join(dir, 'ds-2-edited.yaml'), world, {
      out,
      shards: shards ?? 2,
      ...(edited ? { spec: edited } : {}),
    });
    const r = await id3('run', file, '--no-progress');
    expect(r.code, r.out).toBe(65);
    expect(r.out).toContain(field);
    expect(datasetBytes(out)).toEqual(reference);
  });

  it('refuses an output location that holds files of no id3 job, naming them, and writes nothing there', async () => {
    const folder = join(dir, 'somebody-s-folder');
    mkdirSync(join(folder, 'report'), { recursive: true });
    writeFileSync(join(folder, 'manifest.json'), '{"mine": true}');
    writeFileSync(join(folder, 'report', 'index.html'), '<p>my report</p>');
    const before = snapshot(folder);
    const file = datasetManifest(join(dir, 'foreign.yaml'), world, { name: 'foreign', out: folder });
    const r = await id3('run', file, '--no-progress');
    expect(r.code, r.out).toBe(65);
    expect(r.out).toContain(`${folder} is not empty and holds no id3 job's output`);
    expect(r.out).toContain('manifest.json');
    expect(r.out).not.toContain('    at ');
    expect(snapshot(folder)).toEqual(before);
    // A worker started directly (as a pod is) refuses as well, and writes nothing.
    const w = await id3('worker', 'plan', '--job', file);
    expect(w.code, w.out).toBe(65);
    expect(snapshot(folder)).toEqual(before);
  });

  it("id3 report writes another measurement beside a dataset's own report, never over it", async () => {
    const out = join(dir, 'ds-2');
    const own = readFileSync(join(out, 'report', 'metrics.json'), 'utf8');
    const bundled = join(root, 'models', 'face-encoder', 'model.json');
    const r = await id3('report', out, '--encoder', bundled, '--input-size', '32', '--embedding-size', '128');
    expect(r.code, r.out).toBe(0);
    expect(readFileSync(join(out, 'report', 'metrics.json'), 'utf8')).toBe(own);
    expect(existsSync(join(out, 'reports', 'face-encoder', 'metrics.json'))).toBe(true);
    expect(r.out).toContain(join(out, 'reports', 'face-encoder'));
  });

  it('a worker never fakes a GPU: one given a GPU backend it cannot load fails (exit 1) saying what and why', async () => {
    const file = datasetManifest(join(dir, 'gpu.yaml'), world, { name: 'gpu', out: join(dir, 'gpu-out') });
    for (const env of [{ ID3_TF_BACKEND: 'node-gpu' }, { ID3_GPUS: '1' }]) {
      const child = spawn(process.execPath, [bin, 'worker', 'plan', '--job', file], {
        cwd: dir,
        env: { ...process.env, NO_COLOR: '1', ID3_LOG_FORMAT: 'json', ...env },
      });
      const r = await finish(child);
      expect(r.code, r.out).toBe(1);
      expect(r.out).toContain('tfjs-node-gpu');
      // No JavaScript stack (Dawn may print its own native warnings when it finds no Vulkan driver).
      expect(r.out).not.toMatch(/at .*\.(?:ts|js|mjs):\d+:\d+/);
    }
  });

  it('does nothing again when run again: every task is already done', async () => {
    const out = join(dir, 'ds-2');
    const r = await id3('run', join(dir, 'ds-2.yaml'), '--no-progress');
    expect(r.code).toBe(0);
    expect(r.out).toContain('(2 tasks already done)');
    expect(datasetBytes(out)).toEqual(reference);
  });

  it.each([
    { shards: 1, parallelism: 1 },
    { shards: 4, parallelism: 2 },
  ])('writes the same bytes with $shards shard(s) and parallelism $parallelism', async ({ shards, parallelism }) => {
    const out = join(dir, `ds-${shards}`);
    const file = datasetManifest(join(dir, `ds-${shards}.yaml`), world, { out, shards, parallelism });
    const r = await id3('run', file, '--no-progress');
    expect(r.code, r.out).toBe(0);
    expect(datasetBytes(out)).toEqual(reference);
  });

  it('loses and duplicates nothing when a worker is SIGKILLed mid-shard, and the dataset keeps its bytes', async () => {
    const out = join(dir, 'ds-killed');
    const file = datasetManifest(join(dir, 'ds-killed.yaml'), world, { out, shards: 2 });
    expect((await id3('worker', 'plan', '--job', file)).code).toBe(0);
    const worker = start(['worker', 'generate', '--job', file, '--shard', '0']);
    const done = finish(worker);
    await until('the first identity to be committed', () => existsSync(join(out, 'shards', '000000.jsonl')));
    worker.kill('SIGKILL');
    expect((await done).code).toBeNull();
    expect(existsSync(join(out, 'tasks', 'generate', '00000.done'))).toBe(false);
    const r = await id3('run', file, '--no-progress');
    expect(r.code, r.out).toBe(0);
    expect(datasetBytes(out)).toEqual(reference);
  });

  it('stops on SIGTERM with exit 75 after saving, and resumes from there', async () => {
    const out = join(dir, 'ds-term');
    const file = datasetManifest(join(dir, 'ds-term.yaml'), world, { out, shards: 1, parallelism: 1 });
    expect((await id3('worker', 'plan', '--job', file)).code).toBe(0);
    const worker = start(['worker', 'generate', '--job', file]);
    const done = finish(worker);
    await until('sampling to start', () => existsSync(join(out, 'progress', 'generate', '00000.json')));
    worker.kill('SIGTERM');
    const r = await done;
    expect(r.code, r.out).toBe(75);
    expect((await id3('run', file, '--no-progress')).code).toBe(0);
    expect(datasetBytes(out)).toEqual(reference);
  });

  it("keeps the model its plan chose when the checkpoint folder's latest moves on mid-job", async () => {
    // A trainer still running (or continued) on the folder the spec names commits a newer checkpoint after the plan,
    // with a retention that would delete the planned one.
    const model = join(dir, 'moving-model');
    cpSync(world.checkpoints, model, { recursive: true });
    const out = join(dir, 'ds-moving');
    const file = datasetManifest(join(dir, 'ds-moving.yaml'), world, {
      out,
      shards: 2,
      spec: { model: { checkpointURI: model } },
    });
    expect((await id3('worker', 'plan', '--job', file)).code).toBe(0);
    const store = new CheckpointStore(openStore(model), { keep: 1 });
    expect((await store.holds()).map((h) => [h.step, h.holder])).toEqual([[0, out]]);
    // A lease that lapsed (the job sat suspended for days) is taken back by the next task before it reads the model.
    await store.release(out);
    expect((await id3('worker', 'generate', '--job', file, '--shard', '0')).code).toBe(0);
    expect((await store.holds()).map((h) => [h.step, h.holder])).toEqual([[0, out]]);
    const step0 = await store.load(0);
    const ema = new Float32Array(step0.files['ema.bin']!.slice().buffer).map((w) => w * 1.5);
    const step1 = { ...step0.files, 'ema.bin': new Uint8Array(ema.buffer) };
    await store.save({ step: 1, metadata: step0.metadata, files: step1 });
    expect(await store.committedSteps()).toEqual([0, 1]);
    expect((await store.latest())?.step).toBe(1);
    const r = await id3('run', file, '--no-progress');
    expect(r.code, r.out).toBe(0);
    expect(JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8')).model.step).toBe(0);
    expect(JSON.parse(readFileSync(join(out, 'status', 'status.json'), 'utf8')).checkpointURI).toBe(
      join(model, 'step-000000000'),
    );
    expect(datasetBytes(out)).toEqual(reference);
    // Finished, the dataset lets the step go: the trainer's next save prunes it.
    expect(await store.holds()).toEqual([]);
    // A finalize stopped after its done marker but before the release is not run again; the run releases instead.
    await store.hold(0, out);
    expect((await id3('run', file, '--no-progress')).code).toBe(0);
    expect(await store.holds()).toEqual([]);
    await store.save({ step: 2, metadata: step0.metadata, files: step1 });
    expect(await store.committedSteps()).toEqual([2]);
  });

  it('still makes the dataset when the model folder cannot take its hold, and says what that risks', async () => {
    // As a read-only model folder would (tests run as root, so a file where holds/ belongs stands in for it).
    const model = join(dir, 'unholdable-model');
    cpSync(world.checkpoints, model, { recursive: true });
    writeFileSync(join(model, 'holds'), 'not a folder');
    const out = join(dir, 'ds-unholdable');
    const file = datasetManifest(join(dir, 'ds-unholdable.yaml'), world, {
      out,
      shards: 1,
      parallelism: 1,
      spec: { model: { checkpointURI: model } },
    });
    const logs = join(dir, 'unholdable-logs');
    const r = await id3('run', file, '--no-progress', '--log-dir', logs);
    expect(r.code, r.out).toBe(0);
    const planLog = join(logs, 'tiny', 'plan-00000-0.log');
    expect(readFileSync(planLog, 'utf8')).toContain('cannot hold the planned checkpoint');
    // The summary points at it: nobody reads the worker logs of a run that succeeded. Once: the plan records that
    // it holds nothing, so generate does not renew and nobody releases.
    expect(r.out).toContain('warning: cannot hold the planned checkpoint (its store is read-only here)');
    expect(r.out).toContain(`log: ${planLog}`);
    expect(r.out.match(/warning:/g)).toHaveLength(1);
    expect(JSON.parse(readFileSync(join(out, 'plan', 'plan.json'), 'utf8')).checkpoint.held).toBe(false);
    expect(datasetBytes(out)).toEqual(reference);
  });

  it('refuses an invalid job with the field path and the reason, and writes nothing', async () => {
    const out = join(dir, 'never');
    const file = datasetManifest(join(dir, 'bad.yaml'), world, {
      out,
      spec: { anchorSimilarity: { lb: 0.9, ub: 0.5 } },
    });
    const r = await id3('run', file);
    expect(r.code).toBe(65);
    const line = readFileSync(file, 'utf8')
      .split('\n')
      .findIndex((l) => l.trimStart().startsWith('anchorSimilarity:'));
    expect(r.out).toContain(
      `line ${line + 1}: spec.anchorSimilarity: Invalid value: "object": anchorSimilarity.lb must be less than anchorSimilarity.ub`,
    );
    expect(existsSync(out)).toBe(false);
  });

  it('fails fast with exit 65 and says which input is wrong when the checkpoint does not exist', async () => {
    const out = join(dir, 'no-model');
    const file = datasetManifest(join(dir, 'no-model.yaml'), world, {
      out,
      spec: { model: { checkpointURI: join(dir, 'nowhere') } },
    });
    const r = await id3('run', file, '--no-progress');
    expect(r.code).toBe(65);
    expect(r.out).toMatch(/spec\.model\.checkpointURI .*nowhere.*no committed checkpoint/);
    expect(existsSync(out)).toBe(false);
  });

  it('stops cleanly on Ctrl-C and resumes where it stopped when run again', async () => {
    const out = join(dir, 'ds-ctrl-c');
    const file = datasetManifest(join(dir, 'ds-ctrl-c.yaml'), world, { out, shards: 2 });
    const logs = join(dir, 'ctrl-c-logs');
    const runner = start(['run', file, '--no-progress', '--log-dir', logs], { detached: true });
    const done = finish(runner);
    await until('the first tar to be committed', () => existsSync(join(out, 'shards', '000000.jsonl')));
    // A terminal's Ctrl-C: SIGINT to the whole foreground process group, the runner and its workers alike.
    process.kill(-runner.pid!, 'SIGINT');
    const stopped = await done;
    expect(stopped.code, stopped.out).toBe(130);
    expect(stopped.out).toContain('run the same command again to resume');
    // The runner's SIGTERM right after the terminal's SIGINT is the same request: no worker was forced out unsaved.
    const workerLogs = readdirSync(logs, { recursive: true, withFileTypes: true }).filter((e) => e.isFile());
    expect(workerLogs.length).toBeGreaterThan(0);
    for (const e of workerLogs) expect(readFileSync(join(e.parentPath, e.name), 'utf8')).not.toContain('stopping now');
    const again = await id3('run', file, '--no-progress');
    expect(again.code, again.out).toBe(0);
    expect(datasetBytes(out)).toEqual(reference);
  });
});

describe('id3 run: ID3TrainingJob, then a dataset from it through trainingJobRef', { timeout: 300_000 }, () => {
  it('prepares, trains, evaluates, and feeds its checkpoint to the dataset job', async () => {
    const faces = join(dir, 'faces');
    expect(
      (
        await id3(
          'fixtures',
          'faces',
          '--identities',
          '6',
          '--per-identity',
          '4',
          '--size',
          String(RESOLUTION),
          '--seed',
          '1',
          '--out',
          faces,
        )
      ).code,
    ).toBe(0);
    const training = {
      apiVersion: 'id3.sfr.dev/v1alpha1',
      kind: 'ID3TrainingJob',
      metadata: { name: 'tiny-train' },
      spec: {
        ...tinyTrainingSpec(world, faces, 'trained', 12),
        prepare: { shards: 2, parallelism: 2 },
        evaluate: { identities: 2, imagesPerIdentity: 2, sampler: { type: 'DDIM', steps: 3, batchSize: 4 } },
      },
    };
    const dataset = {
      apiVersion: 'id3.sfr.dev/v1alpha1',
      kind: 'SyntheticDatasetJob',
      metadata: { name: 'from-training' },
      spec: {
        model: { trainingJobRef: { name: 'tiny-train' } },
        identities: 2,
        imagesPerIdentity: 2,
        seed: 5,
        anchors: { steps: 5 },
        sampler: { type: 'DDIM', steps: 2, batchSize: 4 },
        output: { uri: 'from-training', identitiesPerTar: 1 },
        quality: { enabled: false },
      },
    };
    const file = join(dir, 'pipeline.yaml');
    writeFileSync(file, [training, dataset].map((o) => stringify(o)).join('---\n'));
    const r = await id3('run', file, '--no-progress');
    expect(r.code, r.out).toBe(0);
    expect(r.out).toContain('ID3TrainingJob/tiny-train: Succeeded');
    expect(r.out).toContain('SyntheticDatasetJob/from-training: Succeeded');
    const trained = join(dir, 'trained');
    const status = JSON.parse(readFileSync(join(trained, 'status', 'status.json'), 'utf8'));
    expect(status).toMatchObject({ phase: 'Succeeded', step: 12, progress: '100%' });
    const committed = readdirSync(join(trained, 'checkpoints')).filter((f) =>
      existsSync(join(trained, 'checkpoints', f, 'COMMITTED')),
    );
    expect(committed.sort()).toEqual(['step-000000006', 'step-000000012']);
    expect(typeof status.evaluation.identityConsistency).toBe('number');
    const card = JSON.parse(readFileSync(join(dir, 'from-training', 'manifest.json'), 'utf8'));
    expect(card.model.checkpointURI).toContain('step-000000012');
  });

  it('trains on from its last checkpoint when training.steps is raised, and evaluates again', async () => {
    const base = tinyTrainingSpec(world, join(dir, 'faces'), 'trained', 12);
    const spec = {
      ...base,
      training: { ...(base.training as Record<string, unknown>), steps: 18 },
      prepare: { shards: 2, parallelism: 2 },
      evaluate: { identities: 2, imagesPerIdentity: 2, sampler: { type: 'DDIM', steps: 3, batchSize: 4 } },
    };
    const file = join(dir, 'train-longer.yaml');
    writeFileSync(
      file,
      stringify({ apiVersion: 'id3.sfr.dev/v1alpha1', kind: 'ID3TrainingJob', metadata: { name: 'tiny-train' }, spec }),
    );
    const r = await id3('run', file, '--no-progress');
    expect(r.code, r.out).toBe(0);
    expect(r.out).toContain('(2 tasks already done)'); // prepare is not redone
    const trained = join(dir, 'trained');
    expect(JSON.parse(readFileSync(join(trained, 'status', 'status.json'), 'utf8'))).toMatchObject({
      phase: 'Succeeded',
      step: 18,
    });
    expect(existsSync(join(trained, 'checkpoints', 'step-000000018', 'COMMITTED'))).toBe(true);
    expect(JSON.parse(readFileSync(join(trained, 'report', 'evaluation.json'), 'utf8')).step).toBe(18);
  });
});
