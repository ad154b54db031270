/**
 * Test helpers around the emulator: start one with a temporary kubeconfig and kubectl cache, run the real kubectl
 * against it, build a @kubernetes/client-node config, and poll an expectation until a deadline.
 */
import { execFile, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as k8s from '@kubernetes/client-node';
import { KubeSim, type KubeSimOptions } from './index.ts';

export interface TestCluster {
  sim: KubeSim;
  dir: string;
  kubeconfigPath: string;
  /** Runs kubectl; resolves with stdout, stderr and the exit code (never rejects on a non-zero exit). */
  kubectl(args: string[], o?: { stdin?: string; token?: string }): Promise<KubectlResult>;
  /** A client-node KubeConfig for the admin, or for the owner of `token`. */
  kubeConfig(token?: string): k8s.KubeConfig;
  stop(): Promise<void>;
}

export interface KubectlResult {
  stdout: string;
  stderr: string;
  code: number;
}

/** The image every test pod uses: its command runs as is (sh -c ...). */
export const SHELL_IMAGES = { busybox: {} };

/** kubectl is on the machine image (/usr/bin/kubectl 1.32); these tests need ≥ 1.27 (patch --subresource, create token). */
async function checkKubectl(): Promise<void> {
  const r = await runKubectl(['version', '--client', '-o', 'json']);
  const version = (JSON.parse(r.stdout || '{}') as { clientVersion?: { minor?: string } }).clientVersion;
  const minor = Number.parseInt(version?.minor ?? '0', 10);
  if (r.code !== 0 || !(minor >= 27)) {
    throw new Error(
      `kube-sim tests need kubectl >= 1.27 on PATH (found: ${r.code === 0 ? `1.${minor}` : 'none'}: ${r.stderr.trim()})`,
    );
  }
}

let kubectlChecked: Promise<void> | undefined;

export async function startCluster(options: KubeSimOptions = {}): Promise<TestCluster> {
  kubectlChecked ??= checkKubectl();
  await kubectlChecked;
  const dir = mkdtempSync(join(tmpdir(), 'kube-sim-test-'));
  // Pod logs live under the test's folder, so they go with it.
  const sim = await KubeSim.start({ images: SHELL_IMAGES, logDir: join(dir, 'logs'), ...options });
  const kubeconfigPath = join(dir, 'kubeconfig');
  sim.writeKubeconfig(kubeconfigPath);
  const kubectl = (args: string[], o: { stdin?: string; token?: string } = {}) =>
    runKubectl(
      [
        '--kubeconfig',
        kubeconfigPath,
        '--cache-dir',
        join(dir, 'cache'),
        ...(o.token ? ['--token', o.token] : []),
        ...args,
      ],
      o.stdin,
    );
  const kubeConfig = (token?: string) => {
    const kc = new k8s.KubeConfig();
    kc.loadFromString(sim.kubeconfig({ token }));
    return kc;
  };
  const stop = async () => {
    await sim.stop();
    rmSync(dir, { recursive: true, force: true });
  };
  return { sim, dir, kubeconfigPath, kubectl, kubeConfig, stop };
}

function runKubectl(args: string[], stdin?: string): Promise<KubectlResult> {
  return new Promise((resolve) => {
    const child = execFile('kubectl', args, { timeout: 30_000, maxBuffer: 16 << 20 }, (err, stdout, stderr) => {
      const code = err
        ? typeof (err as { code?: unknown }).code === 'number'
          ? (err as { code: number }).code
          : 1
        : 0;
      resolve({ stdout, stderr, code });
    });
    if (stdin !== undefined) child.stdin?.end(stdin);
    else child.stdin?.end();
  });
}

/** Starts kubectl in the background (for `wait` and `logs -f`); resolves when it exits. */
export function kubectlInBackground(c: TestCluster, args: string[]): Promise<KubectlResult> {
  return new Promise((resolve) => {
    const child = spawn('kubectl', ['--kubeconfig', c.kubeconfigPath, '--cache-dir', join(c.dir, 'cache'), ...args]);
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => {
      stdout += d.toString();
    });
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
    });
    child.on('close', (code) => resolve({ stdout, stderr, code: code ?? 1 }));
  });
}

/** Polls `check` until it stops throwing, or rethrows its last error at the deadline. */
export async function eventually<T>(check: () => T | Promise<T>, timeoutMs = 10_000, intervalMs = 50): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await check();
    } catch (err) {
      if (Date.now() > deadline) throw err;
      await new Promise((r) => setTimeout(r, intervalMs));
    }
  }
}

export interface HttpResult {
  status: number;
  body: unknown;
  headers: Headers;
}

/** A raw API request (JSON in and out) with the admin's rights unless a token is given; https when the emulator is. */
export function request(
  c: TestCluster,
  method: string,
  path: string,
  o: { body?: unknown; contentType?: string; token?: string; accept?: string; headers?: Record<string, string> } = {},
): Promise<HttpResult> {
  const headers: Record<string, string> = { 'Content-Type': o.contentType ?? 'application/json', ...o.headers };
  if (o.token) headers.Authorization = `Bearer ${o.token}`;
  if (o.accept) headers.Accept = o.accept;
  const body = o.body === undefined ? undefined : typeof o.body === 'string' ? o.body : JSON.stringify(o.body);
  // Node sends no body on DELETE without a length (it does not chunk DELETE requests).
  if (body !== undefined) headers['Content-Length'] = String(Buffer.byteLength(body));
  const url = new URL(path, c.sim.url);
  const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const req = send(url, { method, headers, ca: c.sim.caCertificate }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (d: Buffer) => chunks.push(d));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        let parsed: unknown = text;
        try {
          parsed = JSON.parse(text);
        } catch {
          // not JSON (logs, watch streams): keep the text
        }
        const out = new Headers();
        for (const [k, v] of Object.entries(res.headers)) if (typeof v === 'string') out.set(k, v);
        resolve({ status: res.statusCode ?? 0, body: parsed, headers: out });
      });
    });
    req.on('error', reject);
    req.end(body);
  });
}

/** Reads a watch stream until `until` returns true for the events so far (or the deadline). */
export async function watchEvents(
  c: TestCluster,
  path: string,
  until: (events: { type: string; object: Record<string, unknown> }[]) => boolean,
  timeoutMs = 5000,
): Promise<{ type: string; object: Record<string, unknown> }[]> {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), timeoutMs);
  const events: { type: string; object: Record<string, unknown> }[] = [];
  try {
    const res = await fetch(`${c.sim.url}${path}`, { signal: controller.signal });
    const reader = res.body!.getReader();
    let buffer = '';
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      buffer += new TextDecoder().decode(value);
      const lines = buffer.split('\n');
      buffer = lines.pop() ?? '';
      for (const line of lines) if (line.trim()) events.push(JSON.parse(line));
      if (until(events)) break;
    }
  } catch (err) {
    if (!(err instanceof Error && err.name === 'AbortError')) throw err;
  } finally {
    clearTimeout(timer);
    controller.abort();
  }
  return events;
}
