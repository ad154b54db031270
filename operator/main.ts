import { randomBytes } from 'node:crypto';
import type { Server } from 'node:http';
import { hostname } from 'node:os';
import type { KubeConfig } from '@kubernetes/client-node';
import type { Logger } from 'pino';
// Directly, not through worker/runtime/index.ts: the operator must not load the workers' TensorFlow.js.
import { type ProbeState, startServer } from '../io/http/index.ts';
import { Controller } from './controller.ts';
import { publishJobGauges } from './job-metrics.ts';
import type { JobStorage } from './job-storage.ts';
import { LeaderElector } from './leader.ts';
import { OperatorMetrics } from './metrics.ts';

/**
 * The operator process: informers warm on every replica, reconcile workers only on the leader, probes and metrics
 * on one HTTP port, and a graceful stop (finish reconciles in flight, release the Lease) on SIGTERM.
 */
export interface OperatorOptions {
  kubeConfig: KubeConfig;
  namespace?: string;
  workerImage: string;
  concurrency: number;
  progressIntervalMs: number;
  /** Accept local output paths: single-machine development clusters only (ControllerOptions.allowLocalOutput). */
  allowLocalOutput?: boolean;
  storage: JobStorage;
  /** Add the storage-cleanup finalizer to every job (ControllerOptions.cleanupFinalizer). */
  cleanupFinalizer?: boolean;
  /** host:port for /healthz, /readyz and /metrics. */
  address: string;
  leaderElection?: { namespace: string; name: string; identity?: string };
  logger: Logger;
  /** Called when leadership is lost: the CLI exits so that Kubernetes restarts the replica cleanly. */
  onLostLeadership?: () => void;
}

export interface OperatorHandle {
  controller: Controller;
  metrics: OperatorMetrics;
  server: Server;
  elector?: LeaderElector;
  stop(): Promise<void>;
}

export async function runOperator(o: OperatorOptions): Promise<OperatorHandle> {
  const metrics = new OperatorMetrics();
  const controller = new Controller({
    ...o,
    metrics,
    ...(o.leaderElection ? { leaseName: o.leaderElection.name } : {}),
  });
  let healthy = true;
  const probes: ProbeState = { healthy: () => healthy, ready: () => controller.synced };
  const server = await startServer(o.address, metrics.registry, probes);
  await controller.startInformers();
  const gauges = setInterval(() => publishJobGauges(metrics, controller.listJobs()), 10_000);
  gauges.unref();
  let elector: LeaderElector | undefined;
  if (o.leaderElection) {
    const le = o.leaderElection;
    const identity = le.identity ?? `${hostname()}-${randomBytes(4).toString('hex')}`;
    elector = new LeaderElector({
      client: controller.client,
      namespace: le.namespace,
      name: le.name,
      identity,
      logger: o.logger,
      onStartedLeading: () => {
        metrics.leader.set({ name: le.name }, 1);
        controller.run();
      },
      onStoppedLeading: () => {
        metrics.leader.set({ name: le.name }, 0);
        healthy = false;
        void controller.stop().then(() => o.onLostLeadership?.());
      },
    });
    elector.start();
  } else {
    controller.run();
  }
  o.logger.info(
    { address: o.address, namespace: o.namespace ?? '(all)', leaderElection: Boolean(elector) },
    'operator started',
  );
  return {
    controller,
    metrics,
    server,
    elector,
    async stop() {
      clearInterval(gauges);
      await controller.stop();
      await elector?.stop();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
