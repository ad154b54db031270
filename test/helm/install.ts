/**
 * `helm install` of the rendered chart on the API emulator, and the part of a cluster the emulator leaves out: the
 * Deployment controller. Pods are made from the Deployment as stored by the API server, so what runs is exactly what
 * the chart declared; the kubelet runs each pod's `id3` entrypoint as a local process (bin/id3.js through tsx)
 * authenticated with its ServiceAccount's token, so RBAC applies to every call the operator makes.
 *
 * The one liberty taken: every emulated pod shares the host's network (pod IP 127.0.0.1), so each replica's
 * --metrics-bind-address gets its own free loopback port instead of the chart's :8080.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { expect } from 'vitest';
import type { KubeManifest } from '../../scripts/chart-render.ts';
import { REPO } from '../../scripts/chart-render.ts';
import type { TestCluster } from '../kube/harness.ts';

export interface OperatorPod {
  name: string;
  namespace: string;
  /** http://127.0.0.1:PORT of /metrics, /healthz and /readyz. */
  url: string;
}

/** Applies the chart as Helm does: the release namespace, crds/, then the templates (kubectl, strict validation). */
export async function installChart(c: TestCluster, objs: KubeManifest[], namespace: string): Promise<void> {
  await kubectlOk(c, ['create', 'namespace', namespace]);
  const crds = objs.filter((o) => o.kind === 'CustomResourceDefinition');
  const rest = objs.filter((o) => o.kind !== 'CustomResourceDefinition');
  if (crds.length > 0) await kubectlOk(c, ['apply', '-f', '-'], toStream(crds));
  await kubectlOk(c, ['apply', '--validate=strict', '-f', '-'], toStream(rest));
}

/**
 * Plays the Deployment controller for `replicas` pods of the stored Deployment, their image mapped to this
 * checkout's `id3` with a kubeconfig holding the pod's ServiceAccount token (what the projected token gives a pod).
 */
export async function runDeployment(
  c: TestCluster,
  o: { namespace: string; name: string; replicas?: number; extraImages?: Record<string, object> },
): Promise<OperatorPod[]> {
  const got = await kubectlOk(c, ['get', 'deployment', o.name, '-n', o.namespace, '-o', 'json']);
  const deployment = JSON.parse(got) as { spec: { replicas: number; template: PodTemplate } };
  const template = deployment.spec.template;
  const container = template.spec.containers[0]!;
  const sa = template.spec.serviceAccountName;
  const kubeconfig = join(c.dir, `${o.namespace}-${sa}.kubeconfig`);
  writeFileSync(kubeconfig, c.sim.kubeconfig({ token: c.sim.tokenFor(o.namespace, sa) }));
  c.sim.setImages({
    ...(o.extraImages ?? {}),
    [container.image]: {
      entrypoint: [process.execPath, join(REPO, 'bin', 'id3.js')],
      cwd: REPO,
      env: { KUBECONFIG: kubeconfig },
    },
  });
  const pods: OperatorPod[] = [];
  for (let i = 0; i < (o.replicas ?? deployment.spec.replicas); i++) {
    const port = await freePort();
    const name = `${o.name}-7f9c6d-${i}`;
    const args = container.args.map((a) =>
      a.startsWith('--metrics-bind-address=') ? `--metrics-bind-address=127.0.0.1:${port}` : a,
    );
    const pod = {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name, namespace: o.namespace, labels: template.metadata.labels },
      spec: { ...template.spec, containers: [{ ...container, args }] },
    };
    await kubectlOk(c, ['create', '-f', '-'], JSON.stringify(pod));
    pods.push({ name, namespace: o.namespace, url: `http://127.0.0.1:${port}` });
  }
  return pods;
}

interface PodTemplate {
  metadata: { labels: Record<string, string> };
  spec: { serviceAccountName: string; containers: { image: string; args: string[] }[] } & Record<string, unknown>;
}

export async function kubectlOk(c: TestCluster, args: string[], stdin?: string): Promise<string> {
  const r = await c.kubectl(args, stdin === undefined ? {} : { stdin });
  expect(r.code, `kubectl ${args.join(' ')}: ${r.stderr}`).toBe(0);
  return r.stdout;
}

function toStream(objs: KubeManifest[]): string {
  return objs.map((o) => JSON.stringify(o)).join('\n');
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** GET a URL; the status and body, or status 0 when nothing listens yet. */
export async function httpGet(url: string): Promise<{ status: number; body: string }> {
  try {
    const res = await fetch(url);
    return { status: res.status, body: await res.text() };
  } catch {
    return { status: 0, body: '' };
  }
}

/** The last lines of a pod's log, for failure messages. */
export function podLogTail(c: TestCluster, pod: { namespace: string; name: string }, lines = 30): string {
  const path = c.sim.podLogPath(pod.namespace, pod.name);
  if (!path) return '(no log)';
  try {
    return readFileSync(path, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log yet)';
  }
}
