/**
 * A whole id3-operator installation on one machine, for trying it with kubectl: the Kubernetes API emulator (its
 * kubelet runs worker pods as local `id3 worker` processes), a Ceph RADOS Gateway for S3, the CRDs, a Secret with
 * the gateway's keys, and the operator. Prints the kubeconfig and storage settings and writes a ready dataset job.
 *
 *   npm run dev-cluster                 # then, in another terminal:
 *   export KUBECONFIG=/tmp/id3-dev/kubeconfig
 *   kubectl apply -f /tmp/id3-dev/dataset-job.yaml && kubectl get sdj -w
 *
 * Ctrl-C stops everything it started.
 */
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { parse, stringify } from 'yaml';
import { createLogger } from '../cli/logger.ts';
import { JobStorageClient, runOperator } from '../operator/index.ts';
import { KubeSim } from '../test/kube/index.ts';
import { planGateway, startGateway, stopGateway } from './s3.ts';

const root = join(import.meta.dirname, '..');
const { values } = parseArgs({
  options: { dir: { type: 'string', default: join(tmpdir(), 'id3-dev') }, port: { type: 'string', default: '0' } },
});
const dir = values.dir!;
const WORKER_IMAGE = 'ghcr.io/sfr/id3-worker:dev';
const logger = createLogger({ base: { component: 'dev-cluster' } });

mkdirSync(dir, { recursive: true });
logger.info('starting the S3 gateway (about 15 s)');
const s3 = await startGateway({
  plan: await planGateway({ dir: join(dir, 's3'), bucket: 'id3-dev' }),
  owner: process.pid,
});
const sim = await KubeSim.start({
  port: Number(values.port),
  logDir: join(dir, 'pod-logs'),
  images: {
    // Worker pods share this machine's network: give each /metrics endpoint a free port.
    [WORKER_IMAGE]: {
      prefix: [process.execPath, join(root, 'bin', 'id3.js')],
      cwd: root,
      rewrite: (argv) => argv.map((a) => (a === '9090' ? '0' : a)),
    },
  },
});
const kubeconfig = join(dir, 'kubeconfig');
sim.writeKubeconfig(kubeconfig);
for (const file of readdirSync(join(root, 'crds'))) {
  await create(
    sim,
    '/apis/apiextensions.k8s.io/v1/customresourcedefinitions',
    parse(readFileSync(join(root, 'crds', file), 'utf8')),
  );
}
await create(sim, '/api/v1/namespaces/default/secrets', {
  apiVersion: 'v1',
  kind: 'Secret',
  metadata: { name: 'id3-s3', namespace: 'default' },
  stringData: { AWS_ACCESS_KEY_ID: s3.accessKeyId, AWS_SECRET_ACCESS_KEY: s3.secretAccessKey },
});

const { KubeConfig } = await import('@kubernetes/client-node');
const kc = new KubeConfig();
kc.loadFromFile(kubeconfig);
let operator: Awaited<ReturnType<typeof runOperator>> | undefined;
operator = await runOperator({
  kubeConfig: kc,
  workerImage: WORKER_IMAGE,
  concurrency: 4,
  progressIntervalMs: 2000,
  storage: new JobStorageClient({
    readSecret: (ns, name) => operator!.controller.client.readSecret(ns, name),
    minIntervalMs: 2000,
    logger,
  }),
  address: '127.0.0.1:8080',
  leaderElection: { namespace: 'default', name: 'id3-operator-leader' },
  logger: logger.child({ component: 'operator' }),
});

const jobFile = join(dir, 'dataset-job.yaml');
writeFileSync(jobFile, stringify(exampleJob()));
// The gateway's keys go to an owner-only file, not the terminal: scrollback and CI logs keep what is printed.
// Created afresh (mode applies only on creation; 'wx' also refuses to follow a link planted in its place).
const s3Env = join(dir, 's3.env');
rmSync(s3Env, { force: true });
writeFileSync(
  s3Env,
  `export AWS_ENDPOINT_URL_S3=${s3.endpoint} AWS_ACCESS_KEY_ID=${s3.accessKeyId} AWS_SECRET_ACCESS_KEY=${s3.secretAccessKey}\n`,
  { mode: 0o600, flag: 'wx' },
);
process.stdout.write(
  [
    '',
    'id3 dev cluster is up.',
    `  API server    ${sim.url}`,
    `  kubeconfig    export KUBECONFIG=${kubeconfig}`,
    `  S3 endpoint   ${s3.endpoint}  bucket ${s3.bucket}  (keys in Secret default/id3-s3)`,
    `  S3 shell      source ${s3Env}`,
    '  operator      metrics http://127.0.0.1:8080/metrics',
    `  pod logs      ${join(dir, 'pod-logs')}`,
    '',
    'Try:',
    `  kubectl apply -f ${jobFile}`,
    '  kubectl get sdj -w',
    '  kubectl describe sdj dev-quickstart',
    '',
    'Ctrl-C stops everything.',
    '',
  ].join('\n'),
);

const stop = async () => {
  process.stdout.write('\nstopping the operator, the emulator and its pods, and the gateway\n');
  await operator?.stop().catch(() => undefined);
  await sim.stop();
  await stopGateway(join(dir, 's3'));
  process.exit(0);
};
process.once('SIGINT', () => void stop());
process.once('SIGTERM', () => void stop());

/** The quickstart job, pointed at the dev gateway. */
function exampleJob(): object {
  const quickstart = parse(readFileSync(join(root, 'examples', 'quickstart.yaml'), 'utf8')) as {
    spec: Record<string, unknown>;
  };
  return {
    apiVersion: 'id3.sfr.dev/v1alpha1',
    kind: 'SyntheticDatasetJob',
    metadata: { name: 'dev-quickstart', namespace: 'default' },
    spec: {
      ...quickstart.spec,
      model: { checkpointURI: join(root, 'models', 'id3-faces-32') },
      output: { uri: `s3://${s3.bucket}/datasets/dev-quickstart`, identitiesPerTar: 5 },
      storage: { endpoint: s3.endpoint, region: s3.region, credentialsSecretRef: { name: 'id3-s3' } },
      resources: { gpus: 0 },
    },
  };
}

/** Creates an object through the emulator's HTTP API, as the cluster admin (kubectl is not needed to start it). */
async function create(sim: KubeSim, path: string, body: unknown): Promise<void> {
  const res = await fetch(`${sim.url}${path}`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${sim.adminToken}` },
    body: JSON.stringify(body),
  });
  if (!res.ok) throw new Error(`POST ${path}: HTTP ${res.status}: ${await res.text()}`);
}
