/**
 * Starts the Kubernetes API emulator (test/kube) standalone, for a person with kubectl:
 *
 *   npm run kube-sim -- --port 6443 --kubeconfig /tmp/kube-sim.yaml [--images images.json] [--rbac] [--tls]
 *   KUBECONFIG=/tmp/kube-sim.yaml kubectl apply -f crds/
 *
 * --images names a JSON file mapping image references to local commands ({"*": {"prefix": ["sh", "-c"]}}).
 * Ctrl-C stops the emulator and every pod process it started.
 */
import { readFileSync } from 'node:fs';
import { Command } from 'commander';
import { type ImageTable, KubeSim, stderrLogger } from '../test/kube/index.ts';

interface Options {
  port: string;
  kubeconfig?: string;
  images?: string;
  rbac?: boolean;
  tls?: boolean;
  logDir?: string;
}

async function main(argv: string[]): Promise<void> {
  const program = new Command('kube-sim')
    .description('Kubernetes API emulator for tests: kubectl and client libraries talk to it on loopback')
    .option('--port <port>', 'port on 127.0.0.1 (0: any free port)', '0')
    .option('--kubeconfig <file>', 'write a kubeconfig for kubectl here')
    .option('--images <file>', 'JSON image table: image → {prefix, entrypoint, env, cwd}')
    .option('--log-dir <dir>', 'where pod logs go (default: a temporary folder)')
    .option('--rbac', 'enforce RBAC for ServiceAccount tokens')
    .option('--tls', 'serve https with a throwaway certificate (kubectl sends tokens only over TLS)')
    .parse(argv);
  const o = program.opts<Options>();
  const images = o.images ? (JSON.parse(readFileSync(o.images, 'utf8')) as ImageTable) : {};
  const sim = await KubeSim.start({
    port: Number(o.port),
    images,
    rbac: o.rbac,
    tls: o.tls,
    logDir: o.logDir,
    logger: stderrLogger,
  });
  if (o.kubeconfig) sim.writeKubeconfig(o.kubeconfig);
  process.stdout.write(`kube-sim listening on ${sim.url}\n`);
  if (o.kubeconfig) process.stdout.write(`kubeconfig: ${o.kubeconfig}   (export KUBECONFIG=${o.kubeconfig})\n`);
  process.stdout.write(`pod logs: ${sim.logDir}\n`);
  const shutdown = () => {
    void sim.stop().then(() => process.exit(0));
  };
  process.once('SIGINT', shutdown);
  process.once('SIGTERM', shutdown);
}

await main(process.argv);
