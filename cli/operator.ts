import type { Command } from 'commander';
import { EXIT_FAILURE, EXIT_OK } from '../api/index.ts';
import { parseDuration } from './options.ts';

interface OperatorFlags {
  kubeconfig?: string;
  namespace?: string;
  workerImage?: string;
  concurrency: string;
  progressInterval: string;
  metricsBindAddress: string;
  leaderElect: boolean;
  leaderElectionNamespace?: string;
  leaderElectionId: string;
  logLevel: string;
  cleanupFinalizer: boolean;
  allowLocalOutput: boolean;
}

export function registerOperator(program: Command): void {
  program
    .command('operator')
    .description('Run the operator: reconcile ID3TrainingJobs and SyntheticDatasetJobs on the cluster.')
    .option('--kubeconfig <path>', 'kubeconfig to use (default: in-cluster, else $KUBECONFIG or ~/.kube/config)')
    .option(
      '--namespace <ns>',
      'watch only this namespace (default: all; env ID3_WATCH_NAMESPACE)',
      process.env.ID3_WATCH_NAMESPACE,
    )
    .option('--worker-image <image>', 'image of the worker pods (env ID3_WORKER_IMAGE)', process.env.ID3_WORKER_IMAGE)
    .option('--concurrency <n>', 'jobs reconciled at once', '4')
    .option('--progress-interval <duration>', 'how often running jobs re-read their progress from storage', '15s')
    .option('--metrics-bind-address <host:port>', 'address of /metrics, /healthz and /readyz', ':8080')
    .option('--no-leader-elect', 'run without leader election (one replica only)')
    .option(
      '--leader-election-namespace <ns>',
      'namespace of the leader Lease (default: $POD_NAMESPACE)',
      process.env.POD_NAMESPACE,
    )
    .option('--leader-election-id <name>', 'name of the leader Lease', 'id3-operator-leader')
    .option(
      '--cleanup-finalizer',
      "delete each job's temporary storage (staged images, progress) when the job is deleted (env ID3_CLEANUP_FINALIZER=true)",
      process.env.ID3_CLEANUP_FINALIZER === 'true',
    )
    .option(
      '--allow-local-output',
      "accept jobs whose output.uri is a local path: only for a development cluster whose pods share one machine's disk",
      false,
    )
    .option('--log-level <level>', 'trace, debug, info, warn or error', 'info')
    .action(async (flags: OperatorFlags) => {
      // Loaded on use, so that other commands do not pay for the Kubernetes client at start-up.
      const [{ KubeConfig }, { runOperator, JobStorageClient }, { createLogger }] = await Promise.all([
        import('@kubernetes/client-node'),
        import('../operator/index.ts'),
        import('./logger.ts'),
      ]);
      const logger = createLogger({ level: flags.logLevel, base: { component: 'operator' } });
      if (!flags.workerImage)
        throw new Error('--worker-image (or ID3_WORKER_IMAGE) is required: the image the worker pods run');
      const kubeConfig = new KubeConfig();
      if (flags.kubeconfig) kubeConfig.loadFromFile(flags.kubeconfig);
      else kubeConfig.loadFromDefault();
      const interval = parseDuration(flags.progressInterval);
      const leaderNamespace = flags.leaderElectionNamespace ?? flags.namespace ?? 'default';
      let handle: Awaited<ReturnType<typeof runOperator>> | undefined;
      handle = await runOperator({
        kubeConfig,
        namespace: flags.namespace,
        workerImage: flags.workerImage,
        concurrency: Number(flags.concurrency),
        cleanupFinalizer: flags.cleanupFinalizer,
        progressIntervalMs: interval,
        ...(flags.allowLocalOutput ? { allowLocalOutput: true } : {}),
        storage: new JobStorageClient({
          readSecret: (ns, name) => {
            if (!handle) throw new Error('operator not started');
            return handle.controller.client.readSecret(ns, name);
          },
          minIntervalMs: interval,
          logger,
        }),
        address: flags.metricsBindAddress,
        ...(flags.leaderElect ? { leaderElection: { namespace: leaderNamespace, name: flags.leaderElectionId } } : {}),
        logger,
        onLostLeadership: () => process.exit(EXIT_FAILURE),
      });
      const shutdown = (signal: string) => {
        logger.info({ signal }, 'stopping');
        void handle
          ?.stop()
          .then(() => process.exit(EXIT_OK))
          .catch((err: unknown) => {
            logger.error({ err: String(err) }, 'unclean stop');
            process.exit(EXIT_FAILURE);
          });
      };
      process.once('SIGTERM', () => shutdown('SIGTERM'));
      process.once('SIGINT', () => shutdown('SIGINT'));
    });
}
