/**
 * Debian's Prometheus and promtool for tests: promtool runs, and a Prometheus server on loopback with a generated
 * configuration (scraping every second), its HTTP query API, and a stop that waits for the process to exit. A missing
 * binary fails with the command that installs it: the observability tests never skip.
 */
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { mkdirSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';

const INSTALL = 'run test/setup/prepare.sh (Debian packages in test/setup/apt/helm.txt)';

export interface ToolResult {
  code: number;
  output: string;
}

/**
 * prom-client's default metrics name three gauges `nodejs_active_{handles,requests,resources}_total`, which
 * `promtool check metrics` rejects (a non-counter must not end in _total). Only the operator and worker registries
 * can drop them (registry.removeSingleMetric after collectDefaultMetrics); until they do, exactly these lines are
 * expected, and the test fails as soon as they disappear so that this list is emptied.
 */
/** promtool lint findings expected on our /metrics pages: none (the registries drop prom-client's offenders). */
export const PROM_CLIENT_LINT = (_prefix: string): string[] => [];

/** Sample names on a /metrics page. */
export function sampleNames(text: string): Set<string> {
  return new Set(
    text
      .split('\n')
      .filter((l) => l && !l.startsWith('#'))
      .map((l) => /^[a-zA-Z_:][a-zA-Z0-9_:]*/.exec(l)?.[0] ?? ''),
  );
}

/** Runs promtool; resolves with its exit code and output (never rejects on a non-zero exit). */
export function promtool(args: string[], o: { cwd?: string; input?: string } = {}): Promise<ToolResult> {
  return new Promise((resolve, reject) => {
    const child = execFile('promtool', args, { cwd: o.cwd, maxBuffer: 16 << 20 }, (err, stdout, stderr) => {
      const e = err as (Error & { code?: number | string }) | null;
      if (e?.code === 'ENOENT') return reject(new Error(`promtool is not installed: ${INSTALL}`));
      resolve({ code: e ? (typeof e.code === 'number' ? e.code : 1) : 0, output: stdout + stderr });
    });
    child.stdin?.end(o.input ?? '');
  });
}

export interface PrometheusServer {
  url: string;
  dir: string;
  /** GET /api/v1/<path> with query parameters; throws unless the API answers status "success". */
  api<T>(path: string, params?: Record<string, string | string[]>): Promise<T>;
  /** An instant query: its status ("success", or "error" with the reason) and result vector. */
  query(expr: string): Promise<QueryResult>;
  log(): string;
  stop(): Promise<void>;
}

export interface QueryResult {
  status: string;
  error?: string;
  result: { metric: Record<string, string>; value: [number, string] }[];
}

/** Starts Prometheus with `config` (scrape_configs, rule_files...) and waits until it is ready. */
export async function startPrometheus(dir: string, port: number, config: object): Promise<PrometheusServer> {
  mkdirSync(join(dir, 'data'), { recursive: true });
  const configFile = join(dir, 'prometheus.yml');
  writeFileSync(configFile, stringify(config));
  const logFile = join(dir, 'prometheus.log');
  const fd = openSync(logFile, 'a');
  const proc: ChildProcess = spawn(
    'prometheus',
    [
      `--config.file=${configFile}`,
      `--storage.tsdb.path=${join(dir, 'data')}`,
      `--web.listen-address=127.0.0.1:${port}`,
      '--log.level=warn',
    ],
    { stdio: ['ignore', fd, fd] },
  );
  const exited = new Promise<void>((resolve) => proc.once('exit', () => resolve()));
  const spawnError = new Promise<never>((_, reject) =>
    proc.once('error', (err: NodeJS.ErrnoException) =>
      reject(err.code === 'ENOENT' ? new Error(`prometheus is not installed: ${INSTALL}`) : err),
    ),
  );
  const url = `http://127.0.0.1:${port}`;
  const log = () => readFileSync(logFile, 'utf8');
  await Promise.race([spawnError, waitReady(url, log)]);
  const server: PrometheusServer = {
    url,
    dir,
    log,
    async api<T>(path: string, params: Record<string, string | string[]> = {}) {
      const body = await apiGet(url, path, params);
      if (body.status !== 'success') throw new Error(`${path}: ${body.error ?? JSON.stringify(body)}`);
      return body.data as T;
    },
    async query(expr) {
      const body = await apiGet(url, 'query', { query: expr });
      const data = body.data as { result?: QueryResult['result'] } | undefined;
      return { status: body.status, ...(body.error ? { error: body.error } : {}), result: data?.result ?? [] };
    },
    async stop() {
      proc.kill('SIGTERM');
      await exited;
    },
  };
  return server;
}

async function apiGet(
  url: string,
  path: string,
  params: Record<string, string | string[]>,
): Promise<{ status: string; error?: string; data?: unknown }> {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) for (const x of Array.isArray(v) ? v : [v]) q.append(k, x);
  const res = await fetch(`${url}/api/v1/${path}?${q}`);
  return (await res.json()) as { status: string; error?: string; data?: unknown };
}

async function waitReady(url: string, log: () => string): Promise<void> {
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    try {
      if ((await fetch(`${url}/-/ready`)).ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`Prometheus did not become ready:\n${log()}`);
}
