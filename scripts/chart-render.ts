/**
 * Renders the Helm chart (helm/id3-operator) without Helm, which cannot be installed here: scripts/chart-renderer is
 * a small Go program on the engines Helm uses (text/template + sprig, Helm's functions and value handling), built
 * once from Debian's Go packages into a cache folder outside the repository. Values are checked against the chart's
 * values.schema.json first, as `helm install` does.
 *
 *   npm run -s chart:render                                  # default values
 *   npm run -s chart:render -- -f my-values.yaml --set watchNamespace=faces --include-crds
 *   npm run -s chart:render -- --notes                       # NOTES.txt instead of the manifests
 *
 * Needs the Debian packages in test/setup/apt/helm.txt (test/setup/prepare.sh installs them).
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { Ajv, type ErrorObject } from 'ajv';
import { parseAllDocuments } from 'yaml';

export const REPO = join(import.meta.dirname, '..');
export const CHART_DIR = join(REPO, 'helm', 'id3-operator');
const SOURCES = join(import.meta.dirname, 'chart-renderer');
/** Where Debian's golang-*-dev packages put their sources: the renderer builds offline in GOPATH mode. */
const GOPATH = '/usr/share/gocode';

export interface RenderOptions {
  /** Values files, in order (later wins), as `helm -f`. */
  valueFiles?: string[];
  /** `key=value[,key=value]` strings, as `helm --set` (typed) and `--set-string`. */
  set?: string[];
  setString?: string[];
  releaseName?: string;
  namespace?: string;
  /** Also print crds/ (as `helm install` applies them before the templates). */
  includeCrds?: boolean;
  kubeVersion?: string;
  apiVersions?: string[];
  chartDir?: string;
}

export interface KubeManifest {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string>; [k: string]: unknown };
  [k: string]: unknown;
}

export class ChartValuesError extends Error {
  constructor(readonly errors: string[]) {
    super(`values don't meet the specifications of the schema:\n${errors.map((e) => `- ${e}`).join('\n')}`);
    this.name = 'ChartValuesError';
  }
}

/** The built renderer's path: rebuilt only when its sources or the Go toolchain change. */
export function ensureRenderer(): string {
  const goVersion = run('go', ['version']).trim();
  const hash = createHash('sha256').update(goVersion);
  for (const f of readdirSync(SOURCES)
    .filter((n) => n.endsWith('.go'))
    .sort()) {
    hash.update(f).update(readFileSync(join(SOURCES, f)));
  }
  const dir = join(cacheDir(), 'chart-renderer');
  const bin = join(dir, `chart-renderer-${hash.digest('hex').slice(0, 16)}`);
  if (existsSync(bin)) return bin;
  mkdirSync(dir, { recursive: true });
  // Build beside the target and rename: two test files building at once both end with a complete binary.
  const tmp = `${bin}.${process.pid}.tmp`;
  run('go', ['build', '-o', tmp, '.'], {
    cwd: SOURCES,
    env: { ...process.env, GO111MODULE: 'off', GOPATH, GOCACHE: join(dir, 'go-build'), GOFLAGS: '' },
  });
  renameSync(tmp, bin);
  return bin;
}

function cacheDir(): string {
  return process.env.ID3_CACHE_DIR ?? join(process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'id3-operator');
}

function run(cmd: string, args: string[], o: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): string {
  try {
    return execFileSync(cmd, args, { encoding: 'utf8', maxBuffer: 64 << 20, stdio: ['ignore', 'pipe', 'pipe'], ...o });
  } catch (err) {
    const e = err as { code?: string; stderr?: string; message: string };
    if (e.code === 'ENOENT')
      throw new Error(
        `${cmd} is not installed: run test/setup/prepare.sh (Debian packages in test/setup/apt/helm.txt)`,
      );
    throw new Error(`${cmd} ${args.join(' ')} failed: ${(e.stderr ?? '').trim() || e.message}`, { cause: err });
  }
}

function rendererArgs(o: RenderOptions): string[] {
  const args = [o.chartDir ?? CHART_DIR];
  if (o.releaseName) args.push('--name', o.releaseName);
  if (o.namespace) args.push('--namespace', o.namespace);
  for (const f of o.valueFiles ?? []) args.push('-f', f);
  for (const s of o.set ?? []) args.push('--set', s);
  for (const s of o.setString ?? []) args.push('--set-string', s);
  if (o.includeCrds) args.push('--include-crds');
  if (o.kubeVersion) args.push('--kube-version', o.kubeVersion);
  for (const v of o.apiVersions ?? []) args.push('--api-versions', v);
  return args;
}

/** The values the templates will see (defaults coalesced with files and --set), checked against the schema. */
export function chartValues(o: RenderOptions = {}): Record<string, unknown> {
  const values = JSON.parse(run(ensureRenderer(), ['values', ...rendererArgs(o)])) as Record<string, unknown>;
  const errors = validateValues(values, o.chartDir ?? CHART_DIR);
  if (errors.length > 0) throw new ChartValuesError(errors);
  return values;
}

/** Validates values with the chart's values.schema.json (draft-07, like Helm); returns readable errors. */
export function validateValues(values: unknown, chartDir = CHART_DIR): string[] {
  const schema = JSON.parse(readFileSync(join(chartDir, 'values.schema.json'), 'utf8')) as object;
  const validate = new Ajv({ allErrors: true, strict: true }).compile(schema);
  if (validate(values)) return [];
  return (validate.errors ?? []).map(describeError);
}

function describeError(e: ErrorObject): string {
  const at = e.instancePath ? e.instancePath.slice(1).replaceAll('/', '.') : '(root)';
  const extra = e.keyword === 'additionalProperties' ? `: ${String(e.params.additionalProperty)}` : '';
  return `${at}: ${e.message ?? e.keyword}${extra}`;
}

/** The manifests as `helm template` prints them (after the values check). */
export function renderChartText(o: RenderOptions = {}): string {
  chartValues(o);
  return run(ensureRenderer(), ['render', ...rendererArgs(o)]);
}

/** The rendered objects, in install order. */
export function renderChart(o: RenderOptions = {}): KubeManifest[] {
  return parseAllDocuments(renderChartText(o))
    .map((d) => d.toJS() as KubeManifest | null)
    .filter((d): d is KubeManifest => d !== null);
}

export function renderNotes(o: RenderOptions = {}): string {
  chartValues(o);
  return run(ensureRenderer(), ['notes', ...rendererArgs(o)]);
}

function main(argv: string[]): void {
  const { values } = parseArgs({
    args: argv,
    options: {
      values: { type: 'string', short: 'f', multiple: true },
      set: { type: 'string', multiple: true },
      'set-string': { type: 'string', multiple: true },
      namespace: { type: 'string', short: 'n' },
      name: { type: 'string' },
      'include-crds': { type: 'boolean' },
      notes: { type: 'boolean' },
      'kube-version': { type: 'string' },
      'api-versions': { type: 'string', multiple: true },
    },
  });
  const o: RenderOptions = {
    valueFiles: values.values,
    set: values.set,
    setString: values['set-string'],
    namespace: values.namespace,
    releaseName: values.name,
    includeCrds: values['include-crds'],
    kubeVersion: values['kube-version'],
    apiVersions: values['api-versions'],
  };
  process.stdout.write(values.notes ? renderNotes(o) : renderChartText(o));
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  // `npm run -s chart:render | head` closes the pipe early: that is not an error.
  process.stdout.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code !== 'EPIPE') throw err;
  });
  try {
    main(process.argv.slice(2));
  } catch (err) {
    process.stderr.write(`chart:render: ${(err as Error).message}\n`);
    process.exitCode = 1;
  }
}
