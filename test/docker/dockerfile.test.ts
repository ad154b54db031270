/**
 * The Dockerfile and .dockerignore, read as BuildKit reads them (no container engine runs here): the stages and
 * targets, base images pinned by version, final stages non-root with the `id3` entrypoint and no package manager,
 * production dependencies only, tfjs-node-gpu's install script enabled explicitly in the worker, no credentials,
 * health checks and ports that match the chart and the operator, every source folder the CLI imports copied and none
 * of it excluded from the build context.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { WORKER_METRICS_PORT } from '../../api/index.ts';
import { CHART_DIR, REPO } from '../../scripts/chart-render.ts';
import { packagesLoadedBy } from '../architecture/loaded-modules.ts';
import { all, type Dockerfile, dockerignore, execForm, parseDockerfile, type Stage } from './dockerfile.ts';

const dockerfile: Dockerfile = parseDockerfile(readFileSync(join(REPO, 'Dockerfile'), 'utf8'));
const ignored = dockerignore(readFileSync(join(REPO, '.dockerignore'), 'utf8'));
const pkg = JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')) as {
  version: string;
  engines: { node: string };
  optionalDependencies: Record<string, string>;
  allowScripts: Record<string, boolean>;
};

function stage(name: string): Stage {
  const s = dockerfile.stages.find((x) => x.name === name);
  if (!s) throw new Error(`no stage ${name}`);
  return s;
}

/** Every RUN of a stage, as one shell text per instruction. */
const runs = (s: Stage) => all(s, 'RUN').map((i) => i.args);

/** The image a stage finally builds on, following stage references. */
function baseImage(s: Stage): string {
  return s.fromStage ? baseImage(stage(s.from)) : s.from;
}

/** Top-level folders the CLI reaches through relative imports, from bin/id3.js (test files excluded). */
function importedFolders(): string[] {
  const seen = new Set<string>();
  const folders = new Set<string>();
  const visit = (file: string) => {
    if (seen.has(file)) return;
    seen.add(file);
    folders.add(relative(REPO, file).split('/')[0]!);
    const text = readFileSync(file, 'utf8');
    for (const m of text.matchAll(/(?:from|import)\s*\(?\s*['"](\.{1,2}\/[^'"]+)['"]/g)) {
      const target = resolve(dirname(file), m[1]!);
      if (existsSync(target) && !target.endsWith('.test.ts')) visit(target);
    }
  };
  visit(join(REPO, 'bin', 'id3.js'));
  return [...folders].sort();
}

describe('the Dockerfile', () => {
  it('builds the operator (default target) and the worker in separate stages', () => {
    expect(dockerfile.stages.map((s) => s.name)).toEqual([
      'node',
      'sources',
      'operator-deps',
      'worker-deps',
      'worker',
      'operator',
    ]);
    expect(dockerfile.stages.at(-1)!.name).toBe('operator');
  });

  it('pins every base image by version: Node 22 slim for the operator, a CUDA runtime for the worker', () => {
    for (const s of dockerfile.stages.filter((x) => !x.fromStage && x.from !== 'scratch')) {
      expect(s.from, s.name).toMatch(/^[\w./-]+:[\w.-]*\d+\.\d+[\w.-]*(@sha256:[a-f0-9]{64})?$/);
      expect(s.from, s.name).not.toMatch(/:latest\b|\$/);
    }
    expect(baseImage(stage('operator'))).toMatch(/^node:22\.\d+\.\d+-bookworm-slim$/);
    expect(baseImage(stage('worker'))).toMatch(/^nvidia\/cuda:\d+\.\d+\.\d+-cudnn\d+-runtime-ubuntu\d+\.\d+$/);
    // The Node of the worker is the official image's, the same release as the operator's.
    expect(all(stage('worker'), 'COPY').map((c) => c.args)).toContain(
      '--from=node /usr/local/bin/node /usr/local/bin/node',
    );
    const major = Number(/^node:(\d+)\./.exec(baseImage(stage('operator')))![1]);
    expect(major).toBeGreaterThanOrEqual(Number(/>=(\d+)/.exec(pkg.engines.node)![1]));
  });

  it.each(['operator', 'worker'])('runs the %s as uid 65532 with the id3 entrypoint and no package manager', (name) => {
    const s = stage(name);
    const users = all(s, 'USER');
    expect(users.at(-1)?.args).toBe('65532:65532');
    const afterUser = s.instructions.filter((i) => i.line > users.at(-1)!.line);
    expect(afterUser.filter((i) => i.cmd === 'USER' || i.cmd === 'RUN')).toEqual([]);
    expect(execForm(all(s, 'ENTRYPOINT').at(-1)!.args)).toEqual(['id3']);
    for (const r of runs(s)) expect(r, name).not.toMatch(/\b(npm|npx|yarn|pnpm|apt-get|apt|pip)\b/);
    expect(
      all(s, 'ENV')
        .map((e) => e.args)
        .join(' '),
    ).toMatch(/NODE_ENV=production/);
    expect(all(s, 'COPY').some((c) => /^--from=\w+-deps \/app\/node_modules /.test(c.args))).toBe(true);
  });

  it('installs production dependencies only, with tfjs-node-gpu’s download enabled explicitly in the worker', () => {
    for (const name of ['operator-deps', 'worker-deps']) {
      const ci = runs(stage(name)).find((r) => /\bnpm ci\b/.test(r));
      expect(ci, name).toMatch(/npm ci --omit=dev (--omit=optional )?--ignore-scripts\b/);
      expect(runs(stage(name)).join('\n')).not.toMatch(/npm (install|i) (?!--global)/);
    }
    const worker = runs(stage('worker-deps')).join('\n');
    // Not listed in allowScripts: a plain install would not run its download, so the Dockerfile approves it.
    expect(pkg.optionalDependencies['@tensorflow/tfjs-node-gpu']).toBeDefined();
    expect(Object.keys(pkg.allowScripts)).not.toContain('@tensorflow/tfjs-node-gpu');
    expect(worker).toMatch(/npm approve-scripts @tensorflow\/tfjs-node-gpu/);
    expect(worker).toMatch(/npm rebuild @tensorflow\/tfjs-node-gpu/);
    expect(worker).toMatch(/test -f node_modules\/@tensorflow\/tfjs-node-gpu\/deps\/lib\/libtensorflow\.so\.2/);
  });

  it('leaves the data plane out of the operator image: TensorFlow.js, Dawn and sharp, none of which it loads', () => {
    const removed = [
      ...runs(stage('operator-deps'))
        .join('\n')
        .matchAll(/node_modules\/(@?[\w.-]+(?:\/[\w.-]+)?)/g),
    ].map((m) => m[1]!);
    const gone = (p: string) => removed.some((r) => p === r || p.startsWith(`${r}/`));
    // Every heavy production dependency goes (webgpu is Dawn, 132 MB; @img is sharp's libvips).
    for (const p of [
      '@tensorflow/tfjs',
      '@tensorflow/tfjs-backend-wasm',
      '@tensorflow/tfjs-backend-webgpu',
      'webgpu',
      'sharp',
    ])
      expect(gone(p), p).toBe(true);
    for (const p of Object.keys(pkg.optionalDependencies))
      expect(gone(p) || /--omit=optional/.test(runs(stage('operator-deps')).join(' ')), p).toBe(true);
    // ... and nothing the operator loads does.
    const loaded = packagesLoadedBy('operator/main.ts');
    expect(loaded).toContain('@kubernetes/client-node');
    expect(loaded.filter(gone)).toEqual([]);
  });

  it('takes no credentials: no secret-looking ARG or ENV, no .npmrc or .env copied', () => {
    const text = readFileSync(join(REPO, 'Dockerfile'), 'utf8');
    const names = dockerfile.stages.flatMap((s) => [...all(s, 'ARG'), ...all(s, 'ENV')]).map((i) => i.args);
    for (const n of [...names, ...Object.keys(dockerfile.globalArgs)]) {
      expect(n).not.toMatch(/TOKEN|SECRET|PASSWORD|PASSWD|CREDENTIAL|AUTH|ACCESS_KEY|PRIVATE/i);
    }
    for (const c of dockerfile.stages.flatMap((s) => all(s, 'COPY'))) expect(c.args).not.toMatch(/\.npmrc|\.env\b/);
    expect(text).not.toMatch(/AKIA[0-9A-Z]{16}|ghp_[A-Za-z0-9]{20,}|npm_[A-Za-z0-9]{20,}/);
  });

  it('exposes the ports the chart and the operator use, with health checks to match', () => {
    const values = parse(readFileSync(join(CHART_DIR, 'values.yaml'), 'utf8')) as { metrics: { port: number } };
    const operator = stage('operator');
    expect(all(operator, 'EXPOSE').map((e) => e.args)).toEqual([String(values.metrics.port)]);
    expect(all(operator, 'HEALTHCHECK')[0]?.args).toContain(`http://127.0.0.1:${values.metrics.port}/healthz`);
    expect(execForm(all(operator, 'CMD')[0]!.args)).toEqual(['operator']);
    const worker = stage('worker');
    expect(all(worker, 'EXPOSE').map((e) => e.args)).toEqual([String(WORKER_METRICS_PORT)]);
    expect(all(worker, 'HEALTHCHECK')[0]?.args).toBe('NONE');
    const readme = readFileSync(join(CHART_DIR, 'README.md'), 'utf8');
    expect(readme).toContain('/healthz');
    expect(readme).toContain('/readyz');
  });

  it('copies every source folder the CLI imports, and the build context keeps them', () => {
    const copied = all(stage('sources'), 'COPY')
      .flatMap((c) => c.args.split(/\s+/).slice(0, -1))
      .filter((p) => !p.startsWith('--'));
    const folders = importedFolders();
    expect(folders).toEqual(
      expect.arrayContaining(['api', 'bin', 'cli', 'io', 'operator', 'random', 'worker', 'workflow']),
    );
    for (const f of folders) expect(copied, `the image lacks ${f}/, which the CLI imports`).toContain(f);
    for (const p of copied) {
      expect(existsSync(join(REPO, p)), p).toBe(true);
      expect(ignored(p), `${p} is copied but excluded by .dockerignore`).toBe(false);
    }
    for (const p of ['package.json', 'package-lock.json', 'bin/id3.js', 'worker/stages/train.ts', 'api/index.ts'])
      expect(ignored(p), p).toBe(false);
  });
});

describe('.dockerignore', () => {
  it.each([
    'node_modules/tsx/package.json',
    'worker/node_modules/x',
    '.git/HEAD',
    'out/quickstart/manifest.json',
    'scratch/a.mjs',
    'test/helm/render.test.ts',
    'bench/results/model.json',
    'io/storage/s3.test.ts',
    'operator/children/testdata/dataset-generate.golden.yaml',
    '.env',
    '.env.local',
    'npm-debug.log',
    'coverage/index.html',
  ])('keeps %s out of the build context', (path) => {
    expect(ignored(path)).toBe(true);
  });
});
